/**
 * The library example of the README is this file's neighbour examples/library.ts, verbatim
 * (only the import path differs), and it works: it applies the repository's own sealed
 * migrations to a fresh database.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPgDatabase } from '../support/databases.js';
import { migrate } from './examples/library.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const example = readFileSync(fileURLToPath(new URL('./examples/library.ts', import.meta.url)), 'utf8');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('README library example', () => {
  it('is quoted verbatim in the README', () => {
    const quoted = example.replace("from '../../../src/index.js'", "from 'archon-migrate'");
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toContain('```ts\n' + quoted.trimEnd() + '\n```');
  });

  it('applies the sealed migrations of a project', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'archon-lib-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'package.json'), '{ "name": "fixture", "private": true }\n');
    cpSync(path.join(repo, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = await freshPgDatabase();
    try {
      const sealed = readFileSync(path.join(dir, 'migrations', 'archon-migrate.lock'), 'utf8').trimEnd().split('\n').length - 1;
      expect(await migrate(dir)).toBe(sealed);
      expect(await migrate(dir)).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  }, 120_000);
});
