import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { checksum } from '../../src/core/checksum.js';
import { serializeLockfile } from '../../src/core/lockfile.js';
import { runGuard } from '../../src/git/guard.js';
import { gitEnv, tempRepo, type TempRepo } from './git-fixture.js';

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

const A = 'CREATE TABLE a (id int);\n';
const B = 'CREATE TABLE b (id int);\n';

/** A repository whose HEAD seals 001 and 002 in "db migrations/" (a space on purpose). */
function sealedRepo(): TempRepo {
  const r = tempRepo();
  repos.push(r);
  r.write('db migrations/001_a.sql', A);
  r.write('db migrations/002_b.sql', B);
  r.write('db migrations/archon-migrate.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }]));
  r.write('README.md', 'hello\n');
  r.commit('seal 001 and 002');
  return r;
}

const guard = (r: TempRepo, cwd = r.dir) => runGuard({
  cwd, env: gitEnv,
  migrationsDir: join(r.dir, 'db migrations'),
  lockfile: join(r.dir, 'db migrations', 'archon-migrate.lock'),
  allowOutOfOrder: false,
});
const kinds = async (r: TempRepo) => (await guard(r)).violations.map((v) => `${v.kind} ${v.file}`);

describe('runGuard on a real index', () => {
  it('judges nothing when the commit does not touch migrations', async () => {
    const r = sealedRepo();
    r.write('README.md', 'changed\n');
    r.git('add', '.');
    const result = await guard(r);
    expect(result.checked).toBe(false);
    expect(result.violations).toEqual([]);
  });

  it('passes a new migration above the highest seal, also from a subdirectory', async () => {
    const r = sealedRepo();
    r.write('db migrations/003_c.sql', 'SELECT 3;\n');
    r.git('add', '.');
    const result = await guard(r, join(r.dir, 'db migrations'));
    expect(result.checked).toBe(true);
    expect(result.violations).toEqual([]);
  });

  it('blocks a staged edit of a sealed migration but not an unstaged one', async () => {
    const r = sealedRepo();
    r.write('db migrations/001_a.sql', 'CREATE TABLE a (id bigint);\n');
    expect(await kinds(r)).toEqual([]);
    r.git('add', '.');
    expect(await kinds(r)).toEqual(['sealed-modified db migrations/001_a.sql']);
  });

  it('passes a CRLF-only change', async () => {
    const r = sealedRepo();
    r.write('db migrations/001_a.sql', A.replace(/\n/g, '\r\n'));
    r.git('add', '.');
    const result = await guard(r);
    expect(result.checked).toBe(true);
    expect(result.violations).toEqual([]);
  });

  it('blocks deletion, rename and renumbering, which lint-staged never passes as files', async () => {
    const r = sealedRepo();
    r.git('rm', '-q', 'db migrations/001_a.sql');
    r.git('mv', 'db migrations/002_b.sql', 'db migrations/005_b.sql');
    expect(await kinds(r)).toEqual(['sealed-deleted db migrations/001_a.sql', 'sealed-renamed db migrations/002_b.sql']);
  });

  it('blocks a hand-edited lockfile line', async () => {
    const r = sealedRepo();
    const lock = r.read('db migrations/archon-migrate.lock');
    r.write('db migrations/archon-migrate.lock', lock.replace(checksum(B), checksum('x')));
    r.git('add', '.');
    expect(await kinds(r)).toEqual(['lockfile-invalid db migrations/archon-migrate.lock']);
  });

  it('reads a seal the commit adds for an already committed file, and checks it', async () => {
    const r = sealedRepo();
    r.write('db migrations/003_c.sql', 'SELECT 3;\n');
    r.commit('unsealed 003');
    r.write('db migrations/archon-migrate.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }, { file: '003_c.sql', checksum: checksum('SELECT 33;\n') }]));
    r.git('add', '.');
    expect(await kinds(r)).toEqual(['seal-mismatch db migrations/003_c.sql']);
  });

  it('works in a fresh repository with no HEAD', async () => {
    const r = tempRepo();
    repos.push(r);
    r.write('db migrations/001_a.sql', A);
    r.write('db migrations/Bad.sql', A);
    r.git('add', '.');
    expect(await kinds(r)).toEqual(['invalid-name db migrations/Bad.sql']);
  });
});
