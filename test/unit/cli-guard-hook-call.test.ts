/**
 * `guard [FILES...]` — the pre-commit hook's call — runs without commander (run-cli.ts). It must
 * behave exactly as the same call through commander: `guard -- FILES` takes that path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './cli-harness.js';
import { gitEnv, tempRepo, type TempRepo } from './git-fixture.js';

const env = Object.fromEntries(Object.entries(gitEnv).filter((e): e is [string, string] => e[1] !== undefined));
let repo: TempRepo | undefined;

afterEach(() => {
  repo?.remove();
  repo = undefined;
});

async function bothPaths(cwd: string, files: string[]) {
  const direct = await cli(['guard', ...files], { cwd, env });
  const viaCommander = await cli(['guard', '--', ...files], { cwd, env });
  return { direct, viaCommander };
}

describe('guard as the pre-commit hook calls it', () => {
  it('passes, blocks and fails exactly as through commander', async () => {
    repo = tempRepo();
    repo.write('package.json', '{ "name": "fixture" }\n');
    repo.write('migrations/001_create_users.sql', 'CREATE TABLE users (id bigint);\n');
    expect((await cli(['lock'], { cwd: repo.dir, env })).code).toBe(0);
    repo.git('add', '-A');
    repo.commit('first migration');

    repo.write('migrations/002_add_email.sql', 'ALTER TABLE users ADD COLUMN email text;\n');
    repo.git('add', '-A');
    const ok = await bothPaths(repo.dir, [path.join(repo.dir, 'migrations/002_add_email.sql')]);
    expect(ok.direct.code).toBe(0);
    expect(ok.direct.stdout).toContain('archon-migrate guard: ok');
    expect(ok.direct).toEqual(ok.viaCommander);

    repo.write('migrations/001_create_users.sql', 'CREATE TABLE users (id bigint, name text);\n');
    repo.git('add', '-A');
    const blocked = await bothPaths(repo.dir, []);
    expect(blocked.direct.code).toBe(1);
    expect(blocked.direct.stderr).toContain('commit blocked');
    expect(blocked.direct).toEqual(blocked.viaCommander);
  });

  it('reports an error outside a git repository as through commander', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'archon-no-git-'));
    try {
      const { direct, viaCommander } = await bothPaths(dir, []);
      expect(direct.code).toBe(2);
      expect(direct.stderr).toMatch(/^error: /);
      expect(direct).toEqual(viaCommander);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
