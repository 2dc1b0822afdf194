import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksum } from '../../src/core/checksum.js';
import { serializeLockfile } from '../../src/core/lockfile.js';
import { cli, listTree, tempProject } from './cli-harness.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempProject());
  await mkdir(path.join(dir, 'migrations'));
});
afterEach(async () => {
  await cleanup();
});

const A = 'create table a (id int);\n';
const B = 'create table b (id int);\n';
const LOCKFILE = path.join('migrations', 'archon-migrate.lock');

async function put(file: string, content: string): Promise<void> {
  await writeFile(path.join(dir, 'migrations', file), content);
}
const readLock = () => readFile(path.join(dir, LOCKFILE), 'utf8');
const run = (...argv: string[]) => cli(argv, { cwd: dir });

describe('lock', () => {
  it('seals every migration file, then `lock --check` passes', async () => {
    await put('001_a.sql', A);
    await put('002_b.sql', B);
    const r = await run('lock');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `Sealed migrations/001_a.sql ${checksum(A)}\n` +
      `Sealed migrations/002_b.sql ${checksum(B)}\n` +
      'migrations/archon-migrate.lock: 2 migrations sealed, 2 new.\n');
    expect(await readLock()).toBe(serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }]));

    const check = await run('lock', '--check');
    expect(check).toEqual({ code: 0, stdout: 'migrations/archon-migrate.lock is up to date: 2 migrations sealed.\n', stderr: '' });
  });

  it('appends new files and keeps existing seals', async () => {
    await put('001_a.sql', A);
    await run('lock');
    await put('002_b.sql', B);
    const r = await run('lock');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Sealed migrations/002_b.sql ${checksum(B)}\nmigrations/archon-migrate.lock: 2 migrations sealed, 1 new.\n`);
    expect(await readLock()).toBe(serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }]));
  });

  it('does not rewrite the file when nothing changes', async () => {
    await put('001_a.sql', A);
    await run('lock');
    const before = await stat(path.join(dir, LOCKFILE));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const r = await run('lock');
    expect(r).toEqual({ code: 0, stdout: 'migrations/archon-migrate.lock is up to date: 1 migration sealed.\n', stderr: '' });
    expect((await stat(path.join(dir, LOCKFILE))).mtimeMs).toBe(before.mtimeMs);
    expect(await listTree(dir)).toEqual(['migrations/', 'migrations/001_a.sql', 'migrations/archon-migrate.lock', 'package.json']);
  });

  it('refuses to reseal an edited sealed file (exit 1), naming both checksums and the fix; writes nothing', async () => {
    await put('001_a.sql', A);
    await run('lock');
    const sealed = await readLock();
    await put('001_a.sql', A + '-- edited\n');
    await put('002_b.sql', B);
    const r = await run('lock');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: migrations/001_a.sql changed after it was sealed (sealed ${checksum(A)}, now ${checksum(A + '-- edited\n')}); sealed lines are never rewritten\n` +
      '  fix: Restore it (`git checkout -- migrations/001_a.sql`) and create a new migration for the change: `archon-migrate create <name>`.\n');
    expect(await readLock()).toBe(sealed);
  });

  it('refuses when a sealed file is missing (exit 1), naming it', async () => {
    await put('001_a.sql', A);
    await put('002_b.sql', B);
    await run('lock');
    await unlink(path.join(dir, 'migrations', '001_a.sql'));
    const r = await run('lock');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: migrations/001_a.sql is sealed in migrations/archon-migrate.lock but the file is missing\n' +
      '  fix: Restore it (`git checkout -- migrations/001_a.sql`); a sealed migration is never deleted.\n');
  });

  it('line endings do not matter: CRLF content has the LF checksum', async () => {
    await put('001_a.sql', A);
    await run('lock');
    await put('001_a.sql', A.replace(/\n/g, '\r\n'));
    expect((await run('lock', '--check')).code).toBe(0);
  });

  it('an unparseable lockfile is a usage error naming the line and the fix, and is never overwritten', async () => {
    await put('001_a.sql', A);
    const broken = '<<<<<<< HEAD\nfoo\n=======\nbar\n>>>>>>> branch\n';
    await writeFile(path.join(dir, LOCKFILE), broken);
    for (const argv of [['lock'], ['lock', '--check']]) {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe('error: migrations/archon-migrate.lock: line 1: git merge conflict marker "<<<<<<<" — two branches added migrations');
      expect(r.stderr).toContain('  fix: Do not merge it by hand');
      expect(await readLock()).toBe(broken);
    }
  });

  it('an edited header hash is reported with its line', async () => {
    await put('001_a.sql', A);
    await run('lock');
    const text = await readLock();
    await writeFile(path.join(dir, LOCKFILE), text.replace(/sha256:[0-9a-f]{4}/, 'sha256:0000'));
    const r = await run('lock', '--check');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: migrations\/archon-migrate\.lock: line 1: /);
  });

  it('refuses invalid names and duplicate versions with exit 2', async () => {
    await put('001_a.sql', A);
    await put('1_b.sql', B);
    const r = await run('lock');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: migrations/1_b.sql: duplicate migration version 1');
    expect(await listTree(dir)).toEqual(['migrations/', 'migrations/001_a.sql', 'migrations/1_b.sql', 'package.json']);
  });

  it('with no migrations writes a header-only lockfile', async () => {
    const r = await run('lock');
    expect(r.code).toBe(0);
    expect(await readLock()).toBe(serializeLockfile([]));
    expect((await run('lock', '--check')).code).toBe(0);
  });
});

describe('lock --check', () => {
  it('fails (exit 1) when the lockfile does not exist, and writes nothing', async () => {
    await put('001_a.sql', A);
    const r = await run('lock', '--check');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: migrations/archon-migrate.lock does not exist (1 migration to seal)\n  fix: Run `archon-migrate lock` and commit the lockfile.\n');
    expect(await listTree(dir)).toEqual(['migrations/', 'migrations/001_a.sql', 'package.json']);
  });

  it('names every problem: unsealed, modified (both checksums), missing', async () => {
    await put('001_a.sql', A);
    await put('002_b.sql', B);
    await run('lock');
    const sealed = await readLock();
    await put('001_a.sql', 'drop table a;\n');
    await unlink(path.join(dir, 'migrations', '002_b.sql'));
    await put('003_c.sql', 'select 3;\n');
    const r = await run('lock', '--check');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `  migrations/001_a.sql: changed after it was sealed (sealed ${checksum(A)}, now ${checksum('drop table a;\n')}); restore it and put the change in a new migration\n` +
      '  migrations/003_c.sql: not sealed; run `archon-migrate lock`\n' +
      '  migrations/002_b.sql: sealed but the file is missing; restore it (a sealed migration is never deleted)\n' +
      'error: migrations/archon-migrate.lock does not match the migration files: 3 problems (listed above)\n' +
      '  fix: Sealed migrations are immutable: restore them from git and put changes in new migrations.\n');
    expect(await readLock()).toBe(sealed);
  });

  it('an unsealed file alone: exit 1 with the lock hint', async () => {
    await put('001_a.sql', A);
    await run('lock');
    await put('002_b.sql', B);
    const r = await run('lock', '--check');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('  migrations/002_b.sql: not sealed; run `archon-migrate lock`\n' +
      'error: migrations/archon-migrate.lock does not match the migration files: 1 problem (listed above)\n' +
      '  fix: Run `archon-migrate lock` and commit the lockfile.\n');
  });

  it('uses the configured lockfile path', async () => {
    await writeFile(path.join(dir, 'archon-migrate.config.json'), JSON.stringify({ lockfile: 'seals.lock' }));
    await put('001_a.sql', A);
    expect((await run('lock')).code).toBe(0);
    expect(await readFile(path.join(dir, 'seals.lock'), 'utf8')).toBe(serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }]));
    expect((await run('lock', '--check')).stdout).toBe('seals.lock is up to date: 1 migration sealed.\n');
  });
});
