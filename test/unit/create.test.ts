import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationTemplate, rollbackTemplate, sanitizeMigrationName } from '../../src/cli/commands/create.js';
import { nextVersion } from '../../src/core/versioning.js';
import { cli, listTree, tempProject } from './cli-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
// 2024-03-05T12:00:00Z: pins the "Created" date of the template.
const env = { SOURCE_DATE_EPOCH: '1709640000' };

beforeEach(async () => {
  ({ dir, cleanup } = await tempProject());
});
afterEach(async () => {
  await cleanup();
});

async function touch(file: string, content = 'select 1;\n'): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
}

describe('create', () => {
  it('writes migrations/001_<name>.sql from the template in an empty project', async () => {
    const r = await cli(['create', 'add_users'], { cwd: dir, env });
    expect(r).toEqual({ code: 0, stdout: 'Created migrations/001_add_users.sql\nWrite the SQL, then run `archon-migrate up` to apply and seal it.\n', stderr: '' });
    const text = await readFile(path.join(dir, 'migrations', '001_add_users.sql'), 'utf8');
    expect(text).toBe(
      '-- Migration 001_add_users\n' +
      '-- Created 2024-03-05\n' +
      '--\n' +
      '-- Runs in one transaction together with its ledger record. Once applied and sealed in the\n' +
      '-- lockfile this file must not change: put later changes in a new migration.\n' +
      '-- Optional directives go at the very top of the file, one per line, e.g.:\n' +
      '--   -- archon-migrate: no-transaction   (CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM)\n' +
      '--   -- archon-migrate: lock-timeout=5s\n' +
      '--   -- archon-migrate: statement-timeout=60s\n' +
      '\n');
    expect(text).toBe(migrationTemplate('001_add_users', '2024-03-05'));
    expect(await listTree(dir)).toEqual(['migrations/', 'migrations/001_add_users.sql', 'package.json']);
  });

  it('the template holds no active directive', async () => {
    const { parseDirectives } = await import('../../src/core/directives.js');
    const { directives, problems } = parseDirectives(migrationTemplate('001_x', '2024-01-01'));
    expect(problems).toEqual([]);
    expect(directives).toEqual({ transaction: true });
  });

  it('--rollback also writes the rollback file', async () => {
    const r = await cli(['create', 'add_users', '--rollback', '--quiet'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Created migrations/001_add_users.sql\nCreated migrations/rollbacks/001_add_users.sql\n');
    expect(await readFile(path.join(dir, 'migrations', 'rollbacks', '001_add_users.sql'), 'utf8')).toBe(rollbackTemplate('001_add_users', '2024-03-05'));
  });

  it('numbers after the highest version, at the widest existing width', async () => {
    await touch('migrations/001_a.sql');
    await touch('migrations/009_b.sql');
    expect((await cli(['create', 'c'], { cwd: dir, env })).stdout).toContain('Created migrations/010_c.sql\n');

    await touch('migrations/0042_d.sql');
    expect((await cli(['create', 'e'], { cwd: dir, env })).stdout).toContain('Created migrations/0043_e.sql\n');
  });

  it('keeps a narrower width when every existing version is narrower', async () => {
    await touch('migrations/7_a.sql');
    expect((await cli(['create', 'b'], { cwd: dir, env })).stdout).toContain('Created migrations/8_b.sql\n');
  });

  it('ignores files that are not .sql (the lockfile, README) and the rollbacks folder', async () => {
    await touch('migrations/002_a.sql');
    await touch('migrations/README.md');
    await touch('migrations/archon-migrate.lock', 'x');
    await touch('migrations/rollbacks/900_z.sql');
    expect((await cli(['create', 'b'], { cwd: dir, env })).stdout).toContain('Created migrations/003_b.sql\n');
  });

  it('sanitises the name: lower case, spaces and - become _, repeats collapse', async () => {
    const r = await cli(['create', 'Add  Users--Table'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(await readdir(path.join(dir, 'migrations'))).toEqual(['001_add_users_table.sql']);
  });

  for (const bad of ['../x', 'a/b', 'a\\b', '', '   ', 'Bad-Name!', 'x.sql', 'ünïcode', '__']) {
    it(`refuses ${JSON.stringify(bad)} with exit 2 and writes nothing`, async () => {
      await touch('migrations/001_a.sql');
      const before = await listTree(dir);
      const r = await cli(['create', bad], { cwd: dir, env });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: (invalid|missing) migration name/);
      expect(await listTree(dir)).toEqual(before);
    });
  }

  it('names the problem precisely', async () => {
    expect((await cli(['create', 'a/b'], { cwd: dir, env })).stderr).toBe(
      'error: invalid migration name "a/b": it must not contain /, \\ or .. (the file is always created in the migrations folder)\n' +
      '  fix: Use lower-case letters, digits and _, e.g. `archon-migrate create add_users` (spaces and - become _).\n');
    expect((await cli(['create', 'Bad-Name!'], { cwd: dir, env })).stderr).toBe(
      'error: invalid migration name "Bad-Name!": only lower-case letters, digits and _ are allowed (file names must match <digits>_<lower-case letters, digits, _>.sql)\n' +
      '  fix: Use lower-case letters, digits and _, e.g. `archon-migrate create add_users` (spaces and - become _).\n');
  });

  it('without a name, commander reports the missing argument (exit 2)', async () => {
    const r = await cli(['create'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: missing required argument 'name'");
  });

  it('refuses when the folder has invalid names or duplicate versions, listing them, and writes nothing', async () => {
    await touch('migrations/001_a.sql');
    await touch('migrations/01_b.sql');
    await touch('migrations/Bad.sql');
    const before = await listTree(dir);
    const r = await cli(['create', 'c'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('  migrations/01_b.sql: duplicate migration version 1: 001_a.sql and 01_b.sql have the same version; renumber one of them (names must match <digits>_<lower-case letters, digits, _>.sql)');
    expect(lines[1]).toBe('  migrations/Bad.sql: invalid migration file name; expected <digits>_<lower-case letters, digits, _>.sql (e.g. 001_create_users.sql)');
    expect(lines[2]).toBe('error: cannot number a new migration: migrations has 2 file name problems (listed above)');
    expect(await listTree(dir)).toEqual(before);
  });

  it('never overwrites an existing rollback file and leaves no half-created migration', async () => {
    await touch('migrations/rollbacks/001_a.sql', 'keep me\n');
    const r = await cli(['create', 'a', '--rollback'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: migrations/rollbacks/001_a.sql already exists; not overwriting it\n' +
      '  fix: Run `archon-migrate create` again to get the next number, or remove the stray file.\n');
    expect(await readFile(path.join(dir, 'migrations', 'rollbacks', '001_a.sql'), 'utf8')).toBe('keep me\n');
    expect(await listTree(dir)).toEqual(['migrations/', 'migrations/rollbacks/', 'migrations/rollbacks/001_a.sql', 'package.json']);
  });

  it('in a Supabase timestamp folder, writes the current UTC time, not highest + 1', async () => {
    await touch('migrations/20240302004846_init.sql', 'SELECT 1;\n');
    await touch('migrations/20240305120000_more.sql', 'SELECT 1;\n');
    // SOURCE_DATE_EPOCH 1709640000 = 2024-03-05T12:00:00Z: taken by 20240305120000, so one second later.
    const r = await cli(['create', 'add tags'], { cwd: dir, env });
    expect(r.stdout).toContain('Created migrations/20240305120001_add_tags.sql\n');
    const later = await cli(['create', 'later'], { cwd: dir, env: { SOURCE_DATE_EPOCH: String(1709640000 + 86_400) } });
    expect(later.stdout).toContain('Created migrations/20240306120000_later.sql\n');
  });

  it('config versioning overrides what the folder suggests', async () => {
    await touch('archon-migrate.config.json', JSON.stringify({ versioning: 'timestamp' }));
    const r = await cli(['create', 'first'], { cwd: dir, env });
    expect(r.stdout).toContain('Created migrations/20240305120000_first.sql\n');
    await touch('archon-migrate.config.json', JSON.stringify({ versioning: 'sequential' }));
    const s = await cli(['create', 'second'], { cwd: dir, env });
    expect(s.stdout).toContain('Created migrations/20240305120001_second.sql\n');
    await touch('archon-migrate.config.json', JSON.stringify({ versioning: 'date' }));
    const refused = await cli(['create', 'fourth'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/"versioning" must be "sequential" or "timestamp" \(got date\)/);
  });

  it('uses the configured folders and prints paths relative to --cwd', async () => {
    await touch('archon-migrate.config.json', JSON.stringify({ migrationsDir: 'db/sql', rollbacksDir: 'db/down' }));
    await mkdir(path.join(dir, 'db'));
    const r = await cli(['--cwd', 'db', 'create', 'x', '--rollback'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created sql/001_x.sql\nCreated down/001_x.sql\n');
  });
});

describe('naming helpers', () => {
  it('nextVersion', () => {
    expect(nextVersion([])).toBe('001');
    expect(nextVersion(['1'])).toBe('2');
    expect(nextVersion(['001', '2'])).toBe('003');
    expect(nextVersion(['999'])).toBe('1000');
    expect(nextVersion(['000'])).toBe('001');
    expect(nextVersion(['99999999999999999999999'])).toBe('100000000000000000000000');
  });

  it('sanitizeMigrationName', () => {
    expect(sanitizeMigrationName('  Create Users ')).toBe('create_users');
    expect(sanitizeMigrationName('a__b')).toBe('a_b');
    expect(sanitizeMigrationName('-a-')).toBe('a');
    expect(sanitizeMigrationName('v2_api')).toBe('v2_api');
  });
});
