/**
 * Moving the goalposts (issue 9, item 1): a commit or branch that re-points the config's
 * `lockfile` or `migrationsDir` is judged against the places the base's config named. Real
 * temporary repositories, the config evaluated as the CLI does (a `.ts` module through jiti, or a
 * `package.json` key), guard on the index and verify on a branch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checksum } from '../../src/core/checksum.js';
import { ArchonError } from '../../src/core/errors.js';
import { serializeLockfile } from '../../src/core/lockfile.js';
import { configPathsAt } from '../../src/config/config-at-revision.js';
import { configCandidates } from '../../src/config/find-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { runGuard } from '../../src/git/guard.js';
import { formatVerifyText, runVerify } from '../../src/git/verify.js';
import { gitEnv, tempRepo, type TempRepo } from './git-fixture.js';

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

const A = 'CREATE TABLE a (id int);\n';
const B = 'CREATE TABLE b (id int);\n';
const A2 = 'CREATE TABLE a (id bigint);\n';
const LOCK = serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }]);

const config = (fields: Record<string, string>): string =>
  `import { defineConfig } from 'archon-migrate';\n\nexport default defineConfig(${JSON.stringify(fields, null, 2)});\n`;

/** HEAD seals 001 and 002 in migrations/, with an archon-migrate.config.ts naming the defaults. */
function sealedRepo(): TempRepo {
  const r = tempRepo();
  repos.push(r);
  r.write('archon-migrate.config.ts', config({ migrationsDir: 'migrations', lockfile: 'migrations/archon-migrate.lock' }));
  r.write('migrations/001_a.sql', A);
  r.write('migrations/002_b.sql', B);
  r.write('migrations/archon-migrate.lock', LOCK);
  r.commit('seal 001 and 002');
  return r;
}

/** What the CLI does: the working tree's config, and the means to read it at other revisions. */
async function configured(r: TempRepo) {
  const env = {};
  const current = await loadConfig({ cwd: r.dir, env });
  const at = { candidates: configCandidates(r.dir), paths: (files: ReadonlyMap<string, Buffer | undefined>, label: string) => configPathsAt(files, current, { cwd: r.dir, env }, label) };
  return { current, at };
}

async function guard(r: TempRepo) {
  const { current, at } = await configured(r);
  return runGuard({ cwd: r.dir, env: gitEnv, migrationsDir: current.migrationsDir, lockfile: current.lockfile, allowOutOfOrder: false, config: at });
}

async function verify(r: TempRepo) {
  const { current, at } = await configured(r);
  return runVerify({
    cwd: r.dir, env: gitEnv, migrationsDir: current.migrationsDir, rollbacksDir: current.rollbacksDir, lockfile: current.lockfile,
    allowOutOfOrder: false, baseBranch: 'main', base: 'main', config: at,
  });
}

const kinds = (report: { violations: { kind: string; file: string }[] }) => report.violations.map((v) => `${v.kind} ${v.file}`);

/** The attack: point the lockfile elsewhere, edit 001, seal everything again there. */
function repointLockfileAndEdit(r: TempRepo): void {
  r.write('archon-migrate.config.ts', config({ migrationsDir: 'migrations', lockfile: 'seals.lock' }));
  r.write('migrations/001_a.sql', A2);
  r.write('seals.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A2) }, { file: '002_b.sql', checksum: checksum(B) }]));
  r.git('add', '-A');
}

describe('guard judges HEAD where HEAD kept its migrations', () => {
  it('blocks a re-pointed lockfile with an edited sealed migration', async () => {
    const r = sealedRepo();
    repointLockfileAndEdit(r);
    const result = await guard(r);
    expect(kinds(result)).toEqual(['seal-changed seals.lock', 'sealed-modified migrations/001_a.sql']);
    expect(result.violations[0]!.message).toBe(`seals.lock: the seal of 001_a.sql was changed (HEAD (migrations/archon-migrate.lock): ${checksum(A)}, staged (seals.lock): ${checksum(A2)})`);
    expect(result.violations[0]!.hint).toContain('`git show HEAD:migrations/archon-migrate.lock > seals.lock`');
    expect(result.moved).toEqual([{ what: 'lockfile', from: 'migrations/archon-migrate.lock', to: 'seals.lock', seals: 2 }]);
  });

  it('blocks a lockfile re-pointed at nothing: the seals are gone from where the config looks', async () => {
    const r = sealedRepo();
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'migrations', lockfile: 'nowhere.lock' }));
    r.git('add', '-A');
    const result = await guard(r);
    expect(result.checked).toBe(true);
    expect(kinds(result)).toEqual(['lockfile-deleted nowhere.lock']);
    expect(result.violations[0]!.message).toBe('nowhere.lock: no lockfile (staged), but HEAD seals 2 migrations in migrations/archon-migrate.lock, the lockfile the config named there');
  });

  it('blocks a moved folder with an edited sealed migration', async () => {
    const r = sealedRepo();
    r.git('mv', 'migrations', 'db');
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'db' }));
    r.write('db/001_a.sql', A2);
    r.git('add', '-A');
    const result = await guard(r);
    expect(kinds(result)).toEqual(['sealed-modified db/001_a.sql']);
    expect(result.violations[0]!.message).toBe(`db/001_a.sql: sealed migration changed (sealed in HEAD (migrations/001_a.sql) as ${checksum(A)}, staged content is ${checksum(A2)})`);
    expect(result.violations[0]!.hint).toContain('`git show HEAD:migrations/001_a.sql > db/001_a.sql`');
  });

  it('allows and reports a folder moved intact, lockfile included', async () => {
    const r = sealedRepo();
    r.git('mv', 'migrations', 'db');
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'db' }));
    r.git('add', '-A');
    const result = await guard(r);
    expect(result.checked).toBe(true);
    expect(result.violations).toEqual([]);
    expect(result.moved).toEqual([
      { what: 'migrationsDir', from: 'migrations', to: 'db', seals: 2 },
      { what: 'lockfile', from: 'migrations/archon-migrate.lock', to: 'db/archon-migrate.lock', seals: 2 },
    ]);
  });

  it('blocks a move that leaves a sealed migration behind, and one that renumbers on the way', async () => {
    const r = sealedRepo();
    r.git('mv', 'migrations', 'db');
    r.git('mv', 'db/002_b.sql', 'old-002_b.sql');
    r.git('mv', 'db/001_a.sql', 'db/005_a.sql');
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'db' }));
    r.git('add', '-A');
    const result = await guard(r);
    expect(kinds(result)).toEqual(['sealed-renamed migrations/001_a.sql', 'sealed-renamed migrations/002_b.sql']);
    expect(result.violations[1]!.message).toContain('migrations/002_b.sql: sealed migration renamed to old-002_b.sql');
  });

  it('blocks a config re-pointed at an empty folder: the sealed migrations stay behind', async () => {
    const r = sealedRepo();
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'db' }));
    r.write('db/003_c.sql', 'SELECT 3;\n');
    r.git('add', '-A');
    const result = await guard(r);
    expect(kinds(result)).toEqual(['lockfile-deleted db/archon-migrate.lock', 'sealed-deleted migrations/001_a.sql', 'sealed-deleted migrations/002_b.sql']);
    expect(result.violations[1]!.message).toBe(`migrations/001_a.sql: sealed migration left behind: the config now keeps migrations in db, which has no 001_a.sql (sealed in HEAD as ${checksum(A)}, staged: missing)`);
  });

  it('judges the config the commit records, not the working tree\'s', async () => {
    const r = sealedRepo();
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'elsewhere' }));
    r.git('add', '-A');
    // Only in the working tree: the config is back as HEAD has it.
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'migrations', lockfile: 'migrations/archon-migrate.lock' }));
    const result = await guard(r);
    expect(kinds(result)).toEqual(['lockfile-deleted elsewhere/archon-migrate.lock', 'sealed-deleted migrations/001_a.sql', 'sealed-deleted migrations/002_b.sql']);
  });

  it('reads a config held in package.json the same way', async () => {
    const r = tempRepo();
    repos.push(r);
    r.write('package.json', JSON.stringify({ name: 'x', 'archon-migrate': { migrationsDir: 'sql' } }));
    r.write('sql/001_a.sql', A);
    r.write('sql/archon-migrate.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }]));
    r.commit('seal');
    r.write('package.json', JSON.stringify({ name: 'x', 'archon-migrate': { migrationsDir: 'sql2' } }));
    r.write('sql2/001_a.sql', A2);
    r.write('sql2/archon-migrate.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A2) }]));
    r.git('add', '-A');
    expect(kinds(await guard(r))).toEqual(['seal-changed sql2/archon-migrate.lock', 'sealed-modified sql2/001_a.sql']);
  });

  it('judges a commit that adds the first config file against the defaults HEAD used', async () => {
    const r = tempRepo();
    repos.push(r);
    r.write('migrations/001_a.sql', A);
    r.write('migrations/archon-migrate.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }]));
    r.commit('seal with the defaults');
    r.write('.archon-migraterc.json', JSON.stringify({ migrationsDir: 'db' }));
    r.write('db/001_a.sql', A2);
    r.write('db/archon-migrate.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A2) }]));
    r.git('add', '-A');
    expect(kinds(await guard(r))).toEqual(['seal-changed db/archon-migrate.lock', 'sealed-modified db/001_a.sql']);
  });

  it('refuses (exit 2) when the config of HEAD cannot be evaluated any more', async () => {
    const r = sealedRepo();
    r.write('paths.ts', "export const dir = 'migrations';\n");
    r.write('archon-migrate.config.ts', "import { defineConfig } from 'archon-migrate';\nimport { dir } from './paths';\n\nexport default defineConfig({ migrationsDir: dir });\n");
    r.commit('config imports its paths');
    r.git('rm', '-q', 'paths.ts');
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'migrations' }));
    r.git('add', '-A');
    const error = await guard(r).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ArchonError);
    expect((error as ArchonError).exitCode).toBe(2);
    expect((error as ArchonError).message).toMatch(/^archon-migrate\.config\.ts as of HEAD could not be evaluated \(.*paths.*\), so where HEAD kept its migrations is unknown$/);
  });
});

describe('verify judges the merge-base where the base kept its migrations', () => {
  function branch(): TempRepo {
    const r = sealedRepo();
    r.git('checkout', '-q', '-b', 'feature');
    return r;
  }

  it('fails a branch that re-pointed the lockfile and edited a sealed migration (committed with --no-verify)', async () => {
    const r = branch();
    repointLockfileAndEdit(r);
    r.git('commit', '-q', '--no-verify', '-m', 'goalposts');
    const report = await verify(r);
    expect(report.ok).toBe(false);
    expect(kinds(report)).toEqual(['seal-changed seals.lock', 'sealed-modified migrations/001_a.sql']);
    const text = formatVerifyText(report);
    expect(text).toContain('No new migrations on this branch.');
    expect(text).toContain('note: the config moves lockfile from migrations/archon-migrate.lock to seals.lock: the base\'s sealed history must reappear unchanged at the new place');
  });

  it('fails a branch that moved the folder and edited a sealed migration', async () => {
    const r = branch();
    r.git('mv', 'migrations', 'db');
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'db' }));
    r.write('db/001_a.sql', A2);
    r.write('db/archon-migrate.lock', serializeLockfile([{ file: '001_a.sql', checksum: checksum(A2) }, { file: '002_b.sql', checksum: checksum(B) }]));
    r.commit('move and edit');
    expect(kinds(await verify(r))).toEqual(['seal-changed db/archon-migrate.lock', 'sealed-modified db/001_a.sql']);
  });

  it('passes and reports a folder moved intact, and reviews what the branch adds there', async () => {
    const r = branch();
    r.git('mv', 'migrations', 'db');
    r.write('archon-migrate.config.ts', config({ migrationsDir: 'db' }));
    r.write('db/003_c.sql', 'CREATE TABLE c (id int);\n');
    r.commit('move');
    const report = await verify(r);
    expect(report.ok).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.moved.map((m) => `${m.what} ${m.from} → ${m.to}`)).toEqual(['migrationsDir migrations → db', 'lockfile migrations/archon-migrate.lock → db/archon-migrate.lock']);
    expect(report.added.map((m) => m.path)).toEqual(['db/003_c.sql']);
    expect(formatVerifyText(report)).toContain('note: migrationsDir moved from migrations to db, with all 2 sealed migrations and their seals unchanged');
  });
});
