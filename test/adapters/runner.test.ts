// One behavioural suite for the runner, run on pg-mem, PGlite and real PostgreSQL servers of every
// major the suite starts (15 and 17: `servers()`, test/support/databases.ts) (DESIGN §7).
// pg-mem cannot roll back DDL and has no PL/pgSQL: where it differs, the test says so.
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { checksum } from '../../src/core/checksum.js';
import { ArchonError } from '../../src/core/errors.js';
import { serializeLockfile } from '../../src/core/lockfile.js';
import type { Database } from '../../src/db/database.js';
import { openPgMem } from '../../src/db/pg-mem.js';
import { baseline, down, repair, status, up, type RunnerEvent } from '../../src/runner/index.js';
import { closeSharedPglite, pgliteSchemaDatabase, servers } from '../support/databases.js';
import { ledger, pgSchemaDatabase, Project, tables } from './runner-project.js';

interface Backend {
  /** 'pg-mem', 'PGlite', or a server's name ('PostgreSQL 15', 'PostgreSQL 17'). */
  name: string;
  open(): Promise<Database>;
  /** rolls back DDL and runs PL/pgSQL */
  real: boolean;
}

const backends: Backend[] = [
  { name: 'pg-mem', open: () => openPgMem(), real: false },
  { name: 'PGlite', open: () => pgliteSchemaDatabase(), real: true },
  ...servers().map((server) => ({ name: server.name, open: () => pgSchemaDatabase(server), real: true })),
];

afterAll(closeSharedPglite);

const A = 'CREATE TABLE a (id int PRIMARY KEY);\n';
const B = 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n';
const C = '-- the third one\nCREATE TABLE c (id int);\n';

async function thrown(promise: Promise<unknown>): Promise<ArchonError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ArchonError) return error;
    throw error;
  }
  throw new Error('expected an ArchonError');
}

describe.each(backends)('runner on $name', ({ name, open, real }) => {
  let db: Database;
  let project: Project;
  let events: RunnerEvent[];
  const run = () => ({ config: project.config, db, appliedBy: 'test-host 42', waitTimeoutMs: 2_000, onEvent: (e: RunnerEvent) => { events.push(e); } });

  beforeEach(async () => {
    db = await open();
    project = new Project();
    events = [];
  });
  afterEach(async () => {
    await db.close();
    project.remove();
  });

  test('up applies pending migrations in numeric order, records and seals them; a second up applies nothing', async () => {
    project.files({ '10_c.sql': C, '2_b.sql': B, '1_a.sql': A });
    const result = await up(run());
    expect(result.ok).toBe(true);
    expect(result.applied.map((a) => a.migration)).toEqual(['1_a', '2_b', '10_c']);
    expect(result.ledger).toMatchObject({ created: true, exists: true });
    const rows = await ledger(db);
    expect(rows.map((r) => [r.version, r.name, r.status, r.checksum, r.appliedBy])).toEqual([
      ['1', '1_a', 'applied', checksum(A), 'test-host 42'],
      ['2', '2_b', 'applied', checksum(B), 'test-host 42'],
      ['10', '10_c', 'applied', checksum(C), 'test-host 42'],
    ]);
    for (const r of rows) expect(r.executionMs).toBeGreaterThanOrEqual(0);
    expect(project.lockfile()).toBe(serializeLockfile([
      { file: '1_a.sql', checksum: checksum(A) }, { file: '2_b.sql', checksum: checksum(B) }, { file: '10_c.sql', checksum: checksum(C) },
    ]));
    expect(result.sealed).toEqual(['1_a.sql', '2_b.sql', '10_c.sql']);
    expect(events.filter((e) => e.type === 'migration-applied').map((e) => e.type === 'migration-applied' && e.file))
      .toEqual(['migrations/1_a.sql', 'migrations/2_b.sql', 'migrations/10_c.sql']);
    expect(await tables(db)).toEqual(['a', 'archon_migrations', 'b', 'c']);

    const again = await up(run());
    expect(again).toMatchObject({ ok: true, applied: [], pending: [], sealed: [] });
    expect(await ledger(db)).toHaveLength(3);
  });

  test('status lists applied (with time), pending and counts, and creates nothing', async () => {
    project.files({ '001_a.sql': A, '002_b.sql': B });
    const before = await status(run());
    expect(before.ledger.exists).toBe(false);
    expect(before.rows.map((r) => [r.migration, r.state, r.seal])).toEqual([['001_a', 'pending', 'unsealed'], ['002_b', 'pending', 'unsealed']]);
    expect(await tables(db)).toEqual([]);

    await up({ ...run(), to: '1' });
    const after = await status(run());
    expect(after.rows.map((r) => [r.migration, r.state, r.seal])).toEqual([['001_a', 'applied', 'sealed'], ['002_b', 'pending', 'unsealed']]);
    expect(after.rows[0]!.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(after.summary).toMatchObject({ total: 2, applied: 1, pending: 1, unsealed: 1 });
  });

  test('--dry-run shows name, checksum, mode and SQL and changes nothing: no ledger table, no lockfile', async () => {
    project.files({ '001_a.sql': A, '002_b.sql': '-- archon-migrate: no-transaction\nCREATE TABLE b (id int);\n' });
    const result = await up({ ...run(), dryRun: true });
    expect(result.ok).toBe(true);
    expect(result.pending).toEqual([
      { migration: '001_a', file: 'migrations/001_a.sql', version: '001', checksum: checksum(A), transaction: true, detectedNoTransaction: false, ownTransactionControl: null, sql: A },
      { migration: '002_b', file: 'migrations/002_b.sql', version: '002', checksum: checksum('-- archon-migrate: no-transaction\nCREATE TABLE b (id int);\n'), transaction: false, detectedNoTransaction: false, ownTransactionControl: null, sql: '-- archon-migrate: no-transaction\nCREATE TABLE b (id int);\n' },
    ]);
    expect(result.ledger).toMatchObject({ exists: false, created: false, changes: ['would create table "archon_migrations"'] });
    expect(await tables(db)).toEqual([]);
    expect(project.lockfile()).toBeNull();

    // With a ledger and a lockfile in place: both stay byte-identical.
    await up({ ...run(), to: '001' });
    project.write('003_c.sql', C);
    const lockBefore = project.lockfile();
    const ledgerBefore = await ledger(db);
    const tablesBefore = await tables(db);
    const dry = await up({ ...run(), dryRun: true });
    expect(dry.pending.map((p) => p.migration)).toEqual(['002_b', '003_c']);
    expect(project.lockfile()).toBe(lockBefore);
    expect(await ledger(db)).toEqual(ledgerBefore);
    expect(await tables(db)).toEqual(tablesBefore);
  });

  test('a failure in the middle of a batch: earlier ones stay, the failed one leaves nothing, later ones do not run', async () => {
    const failing = 'CREATE TABLE made_by_two (id int);\nINSERT INTO made_by_two VALUES (1);\nSELECT * FROM no_such_table;\n';
    project.files({ '001_a.sql': A, '002_two.sql': failing, '003_c.sql': C });
    const result = await up(run());
    expect(result.ok).toBe(false);
    expect(result.applied.map((a) => a.migration)).toEqual(['001_a']);
    expect(result.pending.map((p) => p.migration)).toEqual(['002_two', '003_c']);
    expect(result.failure).toMatchObject({
      migration: '002_two', file: 'migrations/002_two.sql', line: name === 'pg-mem' ? null : 3, column: name === 'pg-mem' ? null : 15,
      message: 'relation "no_such_table" does not exist', code: '42P01', transaction: true,
    });
    expect(result.error!.exitCode).toBe(1);
    // pg-mem gives no position and keeps the DDL of the failed attempt, so replaying cannot locate it.
    expect(result.error!.message).toBe(`migrations/002_two.sql${name === 'pg-mem' ? '' : ':3:15'}: relation "no_such_table" does not exist (SQLSTATE 42P01)`);
    expect(result.error!.hint).toMatch(/^Nothing of 002_two was applied/);
    expect((await ledger(db)).map((r) => r.name)).toEqual(['001_a']);
    const left = await tables(db);
    expect(left).not.toContain('c');
    // pg-mem cannot roll back DDL; PostgreSQL and PGlite leave nothing of the failed migration.
    if (real) expect(left).toEqual(['a', 'archon_migrations']);
    expect(project.lockfile()).toBe(serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }]));
  });

  test('a run killed between applying and sealing: status shows it, --frozen and --dry-run write nothing, the next up seals what matches', async () => {
    project.files({ '001_a.sql': A, '002_b.sql': B, '003_c.sql': C });
    expect((await up({ ...run(), to: '1' })).ok).toBe(true);
    const beforeRun = project.lockfile()!;
    expect((await up(run())).applied.map((a) => a.migration)).toEqual(['002_b', '003_c']);
    // up writes the lockfile once, when its batch ends: killed before that, 002 and 003 are
    // applied but the lockfile is as it was before the run.
    writeFileSync(project.config.lockfile, beforeRun);
    const seen = await status(run());
    expect(seen.rows.map((r) => [r.migration, r.state, r.seal])).toEqual([['001_a', 'applied', 'sealed'], ['002_b', 'applied', 'unsealed'], ['003_c', 'applied', 'unsealed']]);
    expect(seen.summary).toMatchObject({ applied: 3, pending: 0, unsealed: 2 });

    expect(await up({ ...run(), frozen: true })).toMatchObject({ ok: false, sealed: [] });
    expect(await up({ ...run(), dryRun: true })).toMatchObject({ ok: true, sealed: [] });
    expect(project.lockfile()).toBe(beforeRun);

    // An applied file edited since is drift: refused, never sealed with its new content.
    project.write('003_c.sql', `${C}-- edited\n`);
    expect(await up(run())).toMatchObject({ ok: false, sealed: [], blockers: [{ kind: 'drift', migration: '003_c' }] });
    expect(project.lockfile()).toBe(beforeRun);

    project.write('003_c.sql', C);
    const healed = await up(run());
    expect(healed).toMatchObject({ ok: true, applied: [], sealed: ['002_b.sql', '003_c.sql'] });
    expect(events.filter((e) => e.type === 'sealed').map((e) => e.type === 'sealed' && e.file)).toEqual(['001_a.sql', '002_b.sql', '003_c.sql', '002_b.sql', '003_c.sql']);
    expect(project.lockfile()).toBe(serializeLockfile([
      { file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }, { file: '003_c.sql', checksum: checksum(C) },
    ]));
    expect((await status(run())).summary).toMatchObject({ applied: 3, unsealed: 0 });
    expect(await up(run())).toMatchObject({ ok: true, applied: [], sealed: [] });
  });

  test('an error without a position is located by replaying the statements (rolled back)', async () => {
    project.write('001_nulls.sql', 'CREATE TABLE t2 (id int NOT NULL);\nINSERT INTO t2 VALUES (1);\n  INSERT INTO t2 VALUES (NULL);\n');
    const result = await up(run());
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject(real ? { migration: '001_nulls', line: 3, column: 3 } : { migration: '001_nulls', line: null });
    expect(await ledger(db)).toEqual([]);
    if (real) {
      expect(result.failure).toMatchObject({ code: '23502' });
      expect(await tables(db)).toEqual(['archon_migrations']);
    }
  });

  test('a trailing comment without newline or a missing final semicolon cannot swallow the COMMIT', async () => {
    project.files({ '001_a.sql': 'CREATE TABLE a (id int) -- no semicolon, no newline', '002_b.sql': 'CREATE TABLE b (id int); -- trailing' });
    const result = await up(run());
    expect(result.ok).toBe(true);
    expect((await ledger(db)).map((r) => [r.name, r.status])).toEqual([['001_a', 'applied'], ['002_b', 'applied']]);
  });

  test('drift: an edited applied migration stops up before anything runs, naming the file and both checksums', async () => {
    project.files({ '001_a.sql': A, '002_b.sql': B });
    await up(run());
    const edited = A.replace('a (', 'a (extra int, ');
    project.files({ '001_a.sql': edited, '003_c.sql': C });
    const result = await up(run());
    expect(result.ok).toBe(false);
    expect(result.blockers).toEqual([
      expect.objectContaining({ kind: 'drift', migration: '001_a', recorded: checksum(A), current: checksum(edited) }),
      // the lockfile seal does not match either (warned, not a second blocker for an applied file)
    ]);
    expect(result.error!.message).toBe(`nothing applied: 001_a.sql was changed after it was applied: the database recorded ${checksum(A)} but the file is now ${checksum(edited)}`);
    expect(result.applied).toEqual([]);
    expect(result.pending.map((m) => m.migration)).toEqual(['003_c']);
    expect(await tables(db)).not.toContain('c');
    const s = await status(run());
    expect(s.rows.find((r) => r.migration === '001_a')).toMatchObject({ state: 'modified', seal: 'mismatch' });

    // repair accepts the edit; up then applies 003.
    const repaired = await repair({ ...run(), name: '001_a' });
    expect(repaired.repaired.map((r) => r.description)).toEqual([`001_a: recorded checksum changed from ${checksum(A)} to ${checksum(edited)} (the file was edited after it was applied)`]);
    expect((await up(run())).applied.map((a) => a.migration)).toEqual(['003_c']);
  });

  test("a file's own leading BEGIN and trailing COMMIT run inside archon-migrate's transaction", async () => {
    project.write('001_own.sql', '-- hand-written\nBEGIN;\nCREATE TABLE own (id int);\nINSERT INTO own VALUES (1);\nCOMMIT;\n-- done\n');
    const result = await up(run());
    expect(result.ok).toBe(true);
    expect(events).toContainEqual({ type: 'transaction-control-stripped', migration: '001_own', file: 'migrations/001_own.sql', beginLine: 2, commitLine: 5 });
    expect((await ledger(db)).map((r) => r.name)).toEqual(['001_own']);
    expect(await db.query('SELECT id FROM own')).toEqual([{ id: 1 }]);
  });

  test('a file with two transactions is refused before anything runs (exit 2, with the line)', async () => {
    project.files({ '001_a.sql': A, '002_split.sql': 'BEGIN;\nCREATE TABLE x (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE y (id int);\nCOMMIT;\n' });
    const error = await thrown(up(run()));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('migrations/002_split.sql:4: the file opens 2 transactions (BEGIN on lines 1, 4) and commits 2 (lines 3, 6); archon-migrate runs a migration as exactly one transaction');
    expect(error.hint).toMatch(/no-transaction/);
    expect(await tables(db)).toEqual([]); // not even the ledger table
  });

  test('one BEGIN … COMMIT pair with statements around it runs as one transaction, ours, with its ledger row', async () => {
    const sql = "SET statement_timeout = 0;\nBEGIN;\nCREATE TABLE own (id int);\nINSERT INTO own VALUES (1);\nCOMMIT;\nSELECT 'done';\n";
    project.files({ '001_own.sql': sql });
    const result = await up(run());
    expect(result.applied.map((a) => a.migration)).toEqual(['001_own']);
    expect(events).toContainEqual({ type: 'transaction-control-stripped', migration: '001_own', file: 'migrations/001_own.sql', beginLine: 2, commitLine: 5 });
    expect(await db.query('SELECT id FROM own')).toEqual([{ id: 1 }]);
    if (!db.capabilities.transactionalDdl) return; // pg-mem commits DDL at once: atomicity needs a real backend
    // The statement after the file's COMMIT fails: nothing of the file stays, not even what its own COMMIT would have committed.
    project.write('002_bad.sql', "SET lock_timeout = '1s';\nBEGIN;\nCREATE TABLE half (id int);\nCOMMIT;\nSELECT 1/0;\n");
    const failed = await up(run());
    expect(failed.failure).toMatchObject({ migration: '002_bad', line: 5, code: '22012' });
    expect(await tables(db)).toEqual(['archon_migrations', 'own']);
    expect((await ledger(db)).map((r) => r.name)).toEqual(['001_own']);
  });

  test('bad names and bad directives are refused before connecting (exit 2)', async () => {
    project.files({ '001_a.sql': A, 'oops.sql': 'SELECT 1;', '002_b.sql': '-- archon-migrate: no-transactoin\nSELECT 1;\n' });
    const names = await thrown(up(run()));
    expect(names.exitCode).toBe(2);
    expect(names.message).toMatch(/^migrations\/oops\.sql: invalid migration file name/);
    project.remove();
    project = new Project().files({ '001_a.sql': A, '002_b.sql': '-- archon-migrate: no-transactoin\nSELECT 1;\n' });
    const directive = await thrown(up(run()));
    expect(directive.exitCode).toBe(2);
    expect(directive.message).toMatch(/^migrations\/002_b\.sql:1: unknown directive "no-transactoin"/);
    expect(await tables(db)).toEqual([]);
  });

  test('refused inputs leave the database untouched, not even a ledger table', async () => {
    const { mkdirSync, symlinkSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const cases: [string, (p: Project) => void, RegExp, (p: Project) => Promise<unknown>][] = [
      ['empty', (p) => p.write('002_todo.sql', '-- TODO\n/* later */\n'), /^migrations\/002_todo\.sql is empty \(only whitespace and comments\); nothing was run$/, (p) => up({ ...run(), config: p.config })],
      ['not UTF-8', (p) => writeFileSync(join(p.config.migrationsDir, '002_latin1.sql'), Buffer.from("SELECT 'caf\xe9';\n", 'latin1')), /^migrations\/002_latin1\.sql is not valid UTF-8 text$/, (p) => up({ ...run(), config: p.config })],
      ['symlink', (p) => { writeFileSync(join(p.root, 'shared.sql'), 'SELECT 1;\n'); symlinkSync(join('..', 'shared.sql'), join(p.config.migrationsDir, '002_shared.sql')); },
        /^migrations\/002_shared\.sql: a symbolic link, not a migration file/, (p) => up({ ...run(), config: p.config })],
      ['directory', (p) => mkdirSync(join(p.config.migrationsDir, '002_dir.sql')), /^migrations\/002_dir\.sql: a directory, not a migration file/, (p) => status({ ...run(), config: p.config })],
      ['migrationsDir is a file', (p) => { p.config.migrationsDir = join(p.root, 'file.txt'); writeFileSync(p.config.migrationsDir, ''); }, /^migrations folder file\.txt is not a directory$/, (p) => up({ ...run(), config: p.config })],
      ['baseline --to unknown', () => {}, /^--to 9: no migration file has version 9$/, (p) => baseline({ ...run(), config: p.config, to: '9' })],
    ];
    for (const [label, prepare, message, act] of cases) {
      const p = new Project().files({ '001_a.sql': A });
      try {
        prepare(p);
        const error = await thrown(act(p));
        expect([label, error.exitCode, error.message]).toEqual([label, 2, expect.stringMatching(message)]);
      } finally {
        p.remove();
      }
    }
    // --frozen refuses (exit 1) before creating the ledger table
    project.write('001_a.sql', A);
    expect((await up({ ...run(), frozen: true })).ok).toBe(false);
    expect(await tables(db)).toEqual([]);
  });

  test('an unparseable lockfile is refused before any database work (exit 2)', async () => {
    project.files({ '001_a.sql': A, 'archon-migrate.lock': 'archon-migrate lock v1 sha256:00\n' });
    const error = await thrown(up(run()));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^migrations\/archon-migrate\.lock: line 1: bad header hash/);
    expect(await tables(db)).toEqual([]);
  });

  test('out-of-order pending migrations are refused unless allowOutOfOrder', async () => {
    project.files({ '001_a.sql': A, '003_c.sql': C });
    await up(run());
    project.write('002_b.sql', B);
    const refused = await up(run());
    expect(refused.ok).toBe(false);
    expect(refused.blockers).toMatchObject([{ kind: 'out-of-order', migration: '002_b', highestApplied: '003' }]);
    const allowed = await up({ ...run(), config: { ...project.config, allowOutOfOrder: true } });
    expect(allowed.applied.map((a) => a.migration)).toEqual(['002_b']);
  });

  test('--frozen refuses unsealed files and writes nothing; with every file sealed it applies without touching the lockfile', async () => {
    project.files({ '001_a.sql': A, '002_b.sql': B });
    const refused = await up({ ...run(), frozen: true });
    expect(refused.ok).toBe(false);
    expect(refused.blockers.map((b) => [b.kind, b.migration])).toEqual([['unsealed', '001_a'], ['unsealed', '002_b']]);
    expect(project.lockfile()).toBeNull();
    expect(await tables(db)).toEqual([]); // refused before even the ledger table is created

    const sealed = serializeLockfile([{ file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }]);
    project.write('archon-migrate.lock', sealed);
    const applied = await up({ ...run(), frozen: true });
    expect(applied.applied.map((a) => a.migration)).toEqual(['001_a', '002_b']);
    expect(project.lockfile()).toBe(sealed);
  });

  test('no-transaction: a failure is recorded as failed, up refuses until repair, then retries', async () => {
    project.files({
      '001_a.sql': A,
      '002_nt.sql': '-- archon-migrate: no-transaction\nCREATE TABLE nt (id int);\nSELECT * FROM missing_table;\n',
      '003_c.sql': C,
    });
    const first = await up(run());
    expect(first.ok).toBe(false);
    expect(first.failure).toMatchObject({ migration: '002_nt', line: 3, transaction: false, recordedAsFailed: true });
    expect(first.error!.hint).toMatch(/repair 002_nt/);
    expect((await ledger(db)).map((r) => [r.name, r.status, r.appliedBy])).toEqual([['001_a', 'applied', 'test-host 42'], ['002_nt', 'failed', 'test-host 42']]);
    expect(await tables(db)).toContain('nt'); // no transaction: the first statement stays

    const blocked = await up(run());
    expect(blocked.ok).toBe(false);
    expect(blocked.blockers).toMatchObject([{ kind: 'failed', migration: '002_nt' }]);
    expect(blocked.error!.hint).toMatch(/archon-migrate repair/);

    project.write('002_nt.sql', '-- archon-migrate: no-transaction\nCREATE TABLE IF NOT EXISTS nt (id int);\n');
    const repaired = await repair(run());
    expect(repaired.repaired.map((r) => r.action.kind)).toEqual(['delete-failed']);
    expect(repaired.repaired[0]!.description).toMatch(/^002_nt: deleted its failed record \(runner test-host 42, since .*\); `up` will run it again$/);
    const retried = await up(run());
    expect(retried.applied.map((a) => a.migration)).toEqual(['002_nt', '003_c']);
    expect((await repair(run())).repaired).toEqual([]);
  });

  test('repair --applied marks a failed migration applied and seals it', async () => {
    project.write('001_nt.sql', '-- archon-migrate: no-transaction\nSELECT * FROM missing_table;\n');
    await up(run());
    const result = await repair({ ...run(), name: '1', applied: true });
    expect(result.repaired.map((r) => r.action.kind)).toEqual(['mark-applied']);
    expect(result.sealed).toEqual(['001_nt.sql']);
    expect((await ledger(db)).map((r) => [r.name, r.status])).toEqual([['001_nt', 'applied']]);
    expect((await status(run())).summary).toMatchObject({ applied: 1, failed: 0 });
  });

  test('down rolls back newest first; a seal committed in HEAD stays, an uncommitted one is removed', async () => {
    project.files({
      '001_a.sql': A, '002_b.sql': B, '003_c.sql': C,
      'rollbacks/002_b.sql': 'DROP TABLE b;\n', 'rollbacks/003_c.sql': 'DROP TABLE c;\n',
    });
    await up(run());
    const head = [{ file: '001_a.sql', checksum: checksum(A) }, { file: '002_b.sql', checksum: checksum(B) }];
    const result = await down({ ...run(), target: '002', headSeals: head });
    expect(result.ok).toBe(true);
    expect(result.rolledBack.map((r) => [r.migration, r.file, r.seal])).toEqual([
      ['003_c', 'migrations/rollbacks/003_c.sql', 'removed'],
      ['002_b', 'migrations/rollbacks/002_b.sql', 'kept'],
    ]);
    expect((await ledger(db)).map((r) => r.name)).toEqual(['001_a']);
    expect(await tables(db)).toEqual(['a', 'archon_migrations']);
    expect(project.lockfile()).toBe(serializeLockfile(head));
    expect(events).toContainEqual(expect.objectContaining({ type: 'seal-kept', file: '002_b.sql' }));
  });

  test('down: a missing rollback file is an error before anything runs; unknown targets exit 2', async () => {
    project.files({ '001_a.sql': A, '002_b.sql': B, 'rollbacks/002_b.sql': 'DROP TABLE b;\n' });
    await up(run());
    const missing = await thrown(down({ ...run(), steps: 2, headSeals: [] }));
    expect(missing.exitCode).toBe(1);
    expect(missing.message).toBe('no rollback file, nothing rolled back: 001_a: expected migrations/rollbacks/001_a.sql');
    expect((await ledger(db)).map((r) => r.name)).toEqual(['001_a', '002_b']);
    expect(await tables(db)).toContain('b');
    expect((await thrown(down({ ...run(), target: '9', headSeals: [] }))).exitCode).toBe(2);

    const dry = await down({ ...run(), dryRun: true, headSeals: [] });
    expect(dry.planned).toEqual([{ migration: '002_b', file: 'migrations/rollbacks/002_b.sql', checksum: checksum('DROP TABLE b;\n'), transaction: true, sql: 'DROP TABLE b;\n' }]);
    expect((await ledger(db)).map((r) => r.name)).toEqual(['001_a', '002_b']);
  });

  test('a failing rollback leaves the migration applied and names the rollback file and line', async () => {
    project.files({ '001_a.sql': A, 'rollbacks/001_a.sql': 'DROP TABLE a;\nDROP TABLE not_there;\n' });
    await up(run());
    const result = await down({ ...run(), headSeals: [] });
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({ file: 'migrations/rollbacks/001_a.sql', line: real ? 2 : null });
    expect((await ledger(db)).map((r) => r.name)).toEqual(['001_a']);
    if (real) expect(await tables(db)).toContain('a');
  });

  test('baseline records migrations up to VERSION without running them and seals them; refuses another checksum', async () => {
    project.files({ '001_a.sql': A, '002_b.sql': B, '003_c.sql': C });
    const result = await baseline({ ...run(), to: '002' });
    expect(result).toMatchObject({ recorded: ['001_a', '002_b'], alreadyApplied: [], sealed: ['001_a.sql', '002_b.sql'] });
    expect((await ledger(db)).map((r) => [r.name, r.status, r.appliedBy, r.checksum])).toEqual([
      ['001_a', 'applied', 'baseline', checksum(A)], ['002_b', 'applied', 'baseline', checksum(B)],
    ]);
    expect(await tables(db)).toEqual(['archon_migrations']);
    expect((await up(run())).applied.map((a) => a.migration)).toEqual(['003_c']);

    project.write('002_b.sql', 'CREATE TABLE b2 (id int);\n');
    const refused = await thrown(baseline({ ...run(), to: '003' }));
    expect(refused.exitCode).toBe(1);
    expect(refused.message).toMatch(/^baseline refused, nothing recorded: 002_b\.sql is already applied with checksum/);
    expect((await thrown(baseline({ ...run(), to: '7' }))).exitCode).toBe(2);
  });

  test('adopts an existing Archon table: rows kept, NULL checksums filled, pending ones applied', async () => {
    await db.exec(`CREATE TABLE archon_migrations (
      id uuid DEFAULT gen_random_uuid() PRIMARY KEY,
      version varchar(20) NOT NULL,
      migration_name varchar(255) NOT NULL,
      applied_at timestamptz DEFAULT now(),
      checksum varchar(32),
      UNIQUE (version, migration_name)
    )`);
    await db.exec(`INSERT INTO archon_migrations (version, migration_name) VALUES ('0.1.0', '001_a'), ('0.1.0', '002_b');
      INSERT INTO archon_migrations (version, migration_name, checksum) VALUES ('0.3.0', '000_from_elsewhere', 'corrective-fix')`);
    await db.exec(A + B);
    project.files({ '001_a.sql': A, '002_b.sql': B, '003_c.sql': C });

    const before = await status(run());
    expect(before.rows.map((r) => [r.migration, r.state, r.unverified])).toEqual([
      ['000_from_elsewhere', 'missing-file', false], ['001_a', 'applied', true], ['002_b', 'applied', true], ['003_c', 'pending', false],
    ]);
    const result = await up(run());
    expect(result.ok).toBe(true);
    expect(result.ledger.adopted).toBe(true);
    expect(result.ledger.changes).toContain('added column status varchar(16) NOT NULL DEFAULT \'applied\'');
    expect(result.checksumsFilled).toEqual([{ migration: '001_a', checksum: checksum(A) }, { migration: '002_b', checksum: checksum(B) }]);
    expect(result.applied.map((a) => a.migration)).toEqual(['003_c']);
    expect(result.warnings).toEqual(['000_from_elsewhere is recorded as applied but its file 000_from_elsewhere.sql is missing']);
    const rows = await ledger(db);
    expect(rows.map((r) => [r.version, r.name, r.checksum]).sort()).toEqual([
      ['0.1.0', '001_a', checksum(A)], ['0.1.0', '002_b', checksum(B)], ['0.3.0', '000_from_elsewhere', 'corrective-fix'], ['003', '003_c', checksum(C)],
    ].sort());
    expect(events).toContainEqual(expect.objectContaining({ type: 'ledger', adopted: true }));
  });

  if (real) {
    test('an error inside a DO block is located at its PL/pgSQL line', async () => {
      project.write('001_do.sql', "CREATE TABLE d (id int);\nDO $$\nBEGIN\n  INSERT INTO d VALUES (1);\n  RAISE EXCEPTION 'stop here';\nEND\n$$;\n");
      const result = await up(run());
      expect(result.failure).toMatchObject({ line: 5, column: 3, message: 'stop here', code: 'P0001' });
      expect(result.error!.message).toMatch(/^migrations\/001_do\.sql:5:3: stop here \(SQLSTATE P0001\)\n {2}context: PL\/pgSQL function inline_code_block line 4 at RAISE$/);
      expect(await tables(db)).toEqual(['archon_migrations']);
    });

    test('CREATE INDEX CONCURRENTLY mixed with other statements is refused before anything runs, with the line and the fix', async () => {
      project.files({ '001_a.sql': A, '002_cic.sql': 'CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_idx ON t (id);\n' });
      const error = await thrown(up(run()));
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe('migrations/002_cic.sql:2: CREATE INDEX CONCURRENTLY cannot run inside a transaction, and this file also holds statements that run in one (line 1); nothing of it would apply');
      expect(error.hint).toMatch(/own.*-- archon-migrate: no-transaction/);
      expect(await tables(db)).toEqual([]); // 001_a did not run either
    });

    test('a file of only CREATE INDEX CONCURRENTLY runs without a transaction, detected, with no directive', async () => {
      project.files({ '001_t.sql': 'CREATE TABLE t (id int);\n', '002_idx.sql': "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY t_idx ON t (id);\n" });
      const dry = await up({ ...run(), dryRun: true });
      expect(dry.pending.map((p) => [p.migration, p.transaction, p.detectedNoTransaction])).toEqual([['001_t', true, false], ['002_idx', false, true]]);
      const result = await up(run());
      expect(result.applied.map((a) => [a.migration, a.transaction])).toEqual([['001_t', true], ['002_idx', false]]);
      expect(await db.query("SELECT indexrelid::regclass::text AS name, indisvalid AS valid FROM pg_index WHERE indrelid = 't'::regclass")).toEqual([{ name: 't_idx', valid: true }]);
      expect((await status(run())).rows.map((r) => [r.migration, r.detectedNoTransaction])).toEqual([['001_t', false], ['002_idx', true]]);
    });

    test('no-transaction CREATE INDEX CONCURRENTLY: works; a failure leaves an invalid index, up refuses until repair', async () => {
      project.files({
        '001_t.sql': 'CREATE TABLE t (id int, email text);\nINSERT INTO t VALUES (1, \'x\'), (2, \'x\');\n',
        '002_idx.sql': '-- archon-migrate: no-transaction\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\nCREATE UNIQUE INDEX CONCURRENTLY t_email_key ON t (email);\n',
        '003_c.sql': C,
      });
      const first = await up(run());
      expect(first.applied.map((a) => a.migration)).toEqual(['001_t']);
      expect(first.failure).toMatchObject({ migration: '002_idx', line: 3, column: 1, code: '23505', recordedAsFailed: true });
      expect(await db.query("SELECT indexrelid::regclass::text AS name, indisvalid AS valid FROM pg_index WHERE indrelid = 't'::regclass ORDER BY 1"))
        .toEqual([{ name: 't_email_key', valid: false }, { name: 't_id_idx', valid: true }]);
      expect((await up(run())).blockers).toMatchObject([{ kind: 'failed', migration: '002_idx' }]);

      await db.exec("DROP INDEX t_email_key; UPDATE t SET email = 'y' WHERE id = 2");
      await repair({ ...run(), name: '002_idx' });
      project.write('002_idx.sql', '-- archon-migrate: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id_idx ON t (id);\nCREATE UNIQUE INDEX CONCURRENTLY t_email_key ON t (email);\n');
      const second = await up(run());
      expect(second.applied.map((a) => [a.migration, a.transaction])).toEqual([['002_idx', false], ['003_c', true]]);
      expect((await ledger(db)).map((r) => [r.name, r.status])).toEqual([['001_t', 'applied'], ['002_idx', 'applied'], ['003_c', 'applied']]);
    });
  }
});

test.each(backends.filter((b) => b.real))('this repository\'s own migrations apply on $name and roll back', async ({ open }) => {
  const db = await open();
  const { cpSync } = await import('node:fs');
  const project = new Project();
  try {
    cpSync(new URL('../../migrations', import.meta.url), project.config.migrationsDir, { recursive: true });
    const options = { config: project.config, db };
    const result = await up(options);
    expect(result.ok).toBe(true);
    expect(result.applied).toHaveLength(10);
    expect(result.sealed).toEqual([]); // already sealed in the committed lockfile
    expect((await up(options)).applied).toEqual([]);
    const rolledBack = await down({ ...options, steps: 5, headSeals: [] });
    expect(rolledBack.rolledBack.map((r) => r.migration)).toEqual(['010_add_task_search', '009_index_pages_concurrently', '008_create_settings', '007_create_tasks', '006_create_projects']);
    expect((await up(options)).applied).toHaveLength(5);
  } finally {
    await db.close();
    project.remove();
  }
});
