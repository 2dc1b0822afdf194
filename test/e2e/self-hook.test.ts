/**
 * This repository's own hook (hooks/pre-commit, installed by `"prepare": "husky hooks"`), in a
 * clone — never by committing in the real repository: without a build it refuses with a clear
 * message; with the build, an edit of a sealed migration is refused and a new one accepted.
 * Also: `HUSKY=0` and an install without .git do not fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions, parseMigrationName } from '../../src/core/migration-name.js';
import { cleanEnv, packed, REPO } from './pack.js';
import { Project } from './project.js';

let work: string;
let clone: Project;

beforeAll(() => {
  const { tarball } = packed();
  work = mkdtempSync(join(tmpdir(), 'archon-self-'));
  const dir = join(work, 'clone');
  execFileSync('git', ['clone', '-q', '--no-hardlinks', REPO, dir], { env: cleanEnv() });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  clone = new Project(dir);
  clone.git('config', 'commit.gpgsign', 'false');
  // `prepare` is `husky hooks && npm run build`; run only its husky part, so that the clone starts
  // as after `npm install --ignore-scripts` + `npx husky hooks`: hooks installed, no dist/.
  const pkg = JSON.parse(clone.read('package.json')) as { scripts: { prepare: string } };
  expect(pkg.scripts.prepare).toMatch(/^husky hooks\b/);
  expect(clone.run(process.execPath, [join(REPO, 'node_modules', 'husky', 'bin.js'), 'hooks']).code).toBe(0);
  expect(clone.git('config', 'core.hooksPath').trim()).toBe('hooks/_');
  // the package's build, as `npm run build` would make it
  execFileSync('tar', ['-xzf', tarball, '-C', work]);
  renameSync(join(work, 'package', 'dist'), join(work, 'dist-built'));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function nextFree(): string {
  const dir = join(clone.dir, 'migrations');
  let highest = '0';
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    const m = parseMigrationName(f);
    if (m && compareVersions(m.version, highest) > 0) highest = m.version;
  }
  return (BigInt(highest) + 1n).toString().padStart(3, '0');
}

describe("this repository's pre-commit hook", () => {
  it('refuses with a clear message while dist/ is not built', () => {
    clone.write('notes.txt', 'x\n');
    clone.git('add', 'notes.txt');
    const r = clone.commit('before build');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pre-commit: dist/cli/main.js is missing, so the migration guard cannot run.');
    expect(r.stderr).toContain('run `npm run build` once, then commit again.');
    renameSync(join(work, 'dist-built'), join(clone.dir, 'dist'));
    expect(clone.commit('after build').code).toBe(0);
  });

  it('refuses an edit of a sealed migration under migrations/ and accepts a new one', () => {
    const probe = `${nextFree()}_hook_probe.sql`;
    clone.write(`migrations/${probe}`, 'SELECT 1;\n');
    expect(clone.run(process.execPath, ['dist/cli/main.js', 'lock']).code).toBe(0);
    clone.git('add', 'migrations');
    const sealedCommit = clone.commit('seal the probe');
    expect(sealedCommit.stderr).not.toContain('blocked');
    expect(sealedCommit.code).toBe(0);

    clone.write(`migrations/${probe}`, 'SELECT 2;\n');
    clone.git('add', 'migrations');
    const edit = clone.commit('edit the sealed probe');
    expect(edit.code).toBe(1);
    expect(edit.stderr).toContain(`migrations/${probe}: sealed migration changed`);
    clone.git('checkout', 'HEAD', '--', `migrations/${probe}`);

    const next = `${nextFree()}_hook_probe_next.sql`;
    clone.write(`migrations/${next}`, 'SELECT 3;\n');
    clone.git('add', 'migrations');
    expect(clone.commit('a new migration').code).toBe(0);
  });

  it('HUSKY=0 skips the install, and an install without .git does not fail', () => {
    const skipped = clone.run(process.execPath, [join(REPO, 'node_modules', 'husky', 'bin.js'), 'hooks'], { HUSKY: '0' });
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('HUSKY=0 skip install');
    const noGit = join(work, 'no-git');
    execFileSync('mkdir', ['-p', noGit]);
    writeFileSync(join(noGit, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', scripts: { prepare: 'husky hooks' } }));
    symlinkSync(join(REPO, 'node_modules'), join(noGit, 'node_modules'), 'dir');
    const r = new Project(noGit).run('npm', ['run', '--silent', 'prepare']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(".git can't be found");
  });
});
