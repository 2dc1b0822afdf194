// One behavioural suite for the Database seam, run on pg-mem, PGlite and real PostgreSQL servers
// of every major the suite starts (15 and 17: `servers()`, test/support/databases.ts) (DESIGN §7).
// Where pg-mem cannot do something, the test asserts its documented limitation.
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ArchonError } from '../../src/core/errors.js';
import { parseTableName, type TableName } from '../../src/core/sql-quote.js';
import { DatabaseError, type Database } from '../../src/db/database.js';
import {
  deleteLedgerRowSql, ensureLedger, insertLedgerRowSql, readLedger, updateLedgerRowSql,
} from '../../src/db/ledger.js';
import { openPg, urlConnectTimeoutMs } from '../../src/db/pg.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPgMem } from '../../src/db/pg-mem.js';
import { freePort } from '../support/pg-server.js';
import {
  closeSharedPglite, pgliteSchemaDatabase, randomName, runPgliteChild, servers, sharedPgliteDatabase, sharedPgliteDir, sleep,
  terminateBackends, withClient, PASSWORD_ROLE_PASSWORD,
} from '../support/databases.js';

const SHA = `sha256:${'ab'.repeat(32)}`;

interface Backend {
  /** 'pg-mem', 'PGlite', or a server's name ('PostgreSQL 15', 'PostgreSQL 17'). */
  name: string;
  open(): Promise<Database>;
}

const backends: Backend[] = [
  { name: 'pg-mem', open: () => openPgMem() },
  { name: 'PGlite', open: () => pgliteSchemaDatabase() },
  ...servers().map((server) => ({ name: server.name, open: async () => openPg(await server.freshSchemaUrl()) })),
];

afterAll(closeSharedPglite);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

async function count(db: Database, table: string): Promise<number> {
  const rows = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

describe.each(backends)('$name', ({ name, open }) => {
  let db: Database;
  beforeEach(async () => { db = await open(); });
  afterEach(async () => { await db.close(); });

  test('query with params returns typed rows', async () => {
    const rows = await db.query<{ a: string; b: number }>('SELECT $1::text AS a, $2::int AS b', ["it's; \\ $1", 42]);
    expect(rows).toEqual([{ a: "it's; \\ $1", b: 42 }]);
    expect(db.kind).toBe(name === 'pg-mem' ? 'pg-mem' : name === 'PGlite' ? 'pglite' : 'pg');
    expect(db.supportsTransactionalDdl).toBe(name !== 'pg-mem');
  });

  test('exec runs a multi-statement script, semicolons in strings included', async () => {
    await db.exec(`CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
      INSERT INTO notes VALUES (1, 'a;b');
      -- a comment; with a semicolon
      INSERT INTO notes VALUES (2, 'it''s');`);
    expect(await db.query('SELECT id, body FROM notes ORDER BY id')).toEqual([{ id: 1, body: 'a;b' }, { id: 2, body: "it's" }]);
  });

  test('exec of an empty or comment-only script succeeds', async () => {
    for (const script of ['', '  \n', '-- only a comment\n', '/* block */ ;']) await db.exec(script);
  });

  test('a failing script leaves nothing behind (implicit transaction of one message)', async () => {
    await db.exec('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)');
    const error = await rejection(db.exec('INSERT INTO t VALUES (2); INSERT INTO t VALUES (1)'));
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe('23505');
    expect(await count(db, 't')).toBe(1);
  });

  test('BEGIN … COMMIT and BEGIN … ROLLBACK inside one script', async () => {
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
    await db.exec('BEGIN; INSERT INTO t VALUES (1); COMMIT;');
    await db.exec('BEGIN; INSERT INTO t VALUES (2); ROLLBACK;');
    expect(await db.query('SELECT id FROM t')).toEqual([{ id: 1 }]);
  });

  test('the runner pattern: BEGIN; … failing statement …; COMMIT then ROLLBACK undoes all (pg-mem: DDL stays — documented)', async () => {
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
    const error = await rejection(db.exec('BEGIN; CREATE TABLE u (x int); INSERT INTO t VALUES (7); SELECT * FROM missing_table; COMMIT;'));
    expect((error as DatabaseError).code).toBe('42P01');
    await db.exec('ROLLBACK');
    expect(await count(db, 't')).toBe(0);
    if (name === 'pg-mem') {
      expect(await count(db, 'u')).toBe(0); // pg-mem committed the CREATE TABLE at once
    } else {
      expect((await rejection(db.query('SELECT * FROM u')) as DatabaseError).code).toBe('42P01');
    }
  });

  test('transaction() commits, and rolls back (DDL too) when the callback throws', async () => {
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
    const value = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [1]);
      return 'done';
    });
    expect(value).toBe('done');
    const error = await rejection(db.transaction(async (tx) => {
      await tx.exec('CREATE TABLE u (x int); INSERT INTO t VALUES (2)');
      throw new Error('boom');
    }));
    expect(error.message).toBe('boom');
    await expect(db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [3]);
      throw new Error('data only');
    })).rejects.toThrow('data only');
    if (name === 'pg-mem') {
      // pg-mem cannot roll back once the schema changed: u and row 2 stay (documented); data-only rollback works.
      expect(await db.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
      expect(await count(db, 'u')).toBe(0);
    } else {
      expect(await db.query('SELECT id FROM t')).toEqual([{ id: 1 }]);
      expect((await rejection(db.query('SELECT * FROM u')) as DatabaseError).code).toBe('42P01');
    }
  });

  test('BEGIN and ROLLBACK sent as separate calls (pg-mem: ROLLBACK undoes nothing — documented)', async () => {
    await db.exec('CREATE TABLE t (id int)');
    await db.exec('BEGIN');
    await db.exec('INSERT INTO t VALUES (1)');
    await db.exec('ROLLBACK');
    expect(await count(db, 't')).toBe(name === 'pg-mem' ? 1 : 0);
  });

  test('DatabaseError carries code and 1-based position of a syntax error in a script', async () => {
    const script = 'SELECT 1;\nSELEC 2;';
    const error = await rejection(db.exec(script));
    expect(error).toBeInstanceOf(DatabaseError);
    const e = error as DatabaseError;
    expect(e.code).toBe('42601');
    // pg-mem's parser gives up one token later than PostgreSQL's (documented)
    const token = name === 'pg-mem' ? '2' : 'SELEC';
    const at = script.indexOf('SELEC 2') + (name === 'pg-mem' ? 'SELEC '.length : 0);
    expect(e.position).toBe(at + 1);
    expect(e.message).toBe(`syntax error at or near "${token}"`);
  });

  test('DatabaseError position counts characters, not bytes or UTF-16 units', async () => {
    const script = "SELECT 'é🙂' AS x;\nSELEC 2";
    const e = await rejection(db.exec(script)) as DatabaseError;
    expect(e.code).toBe('42601');
    const at = script.indexOf('SELEC 2') + (name === 'pg-mem' ? 'SELEC '.length : 0);
    expect(e.position).toBe([...script.slice(0, at)].length + 1);
  });

  test('query() is one statement (pg-mem runs several — documented)', async () => {
    if (name === 'pg-mem') {
      expect(await db.query('SELECT 1 AS a; SELECT 2 AS b')).toEqual([{ b: 2 }]);
      return;
    }
    const error = await rejection(db.query('SELECT 1 AS a; SELECT 2 AS b'));
    expect((error as DatabaseError).code).toBe('42601');
    expect(error.message).toBe('cannot insert multiple commands into a prepared statement');
  });

  test('undefined table and undefined column get their SQLSTATE', async () => {
    expect((await rejection(db.query('SELECT * FROM nope')) as DatabaseError).code).toBe('42P01');
    await db.exec('CREATE TABLE t (id int)');
    expect((await rejection(db.query('SELECT nope FROM t')) as DatabaseError).code).toBe('42703');
  });

  describe('ledger', () => {
    // Schema names are unique per test: PGlite is shared by the tests of this file.
    const tables: [string, () => TableName][] = [
      ['plain', () => parseTableName('archon_migrations')],
      ['schema.table', () => parseTableName(`${randomName('ops')}.archon_migrations`)],
      ['names with quotes and dots', () => ({ schema: `My "Ops".v2 ${randomName('x')}`, name: 'led"ger' })],
    ];

    test.each(tables)('create, read, idempotent ensure — %s', async (_label, makeTable) => {
      const table = makeTable();
      const first = await ensureLedger(db, table);
      expect(first).toMatchObject({ created: true, adopted: false });
      expect(first.changes).toHaveLength(1);
      const second = await ensureLedger(db, table);
      expect(second).toEqual({ table, created: false, adopted: false, changes: [] });
      expect(await readLedger(db, table)).toEqual([]);

      await db.exec([
        insertLedgerRowSql(table, { version: '001', name: 'create_users', checksum: SHA, appliedBy: "host'1 42", executionMs: 12 }),
        insertLedgerRowSql(table, { version: '002', name: "add_it's", checksum: null, status: 'running', appliedAt: new Date('2030-01-01T00:00:00Z') }),
      ].join(';\n'));
      await db.exec(updateLedgerRowSql(table, { version: '002', name: "add_it's" }, { status: 'failed', executionMs: 5, checksum: SHA }));
      const rows = await readLedger(db, table);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ version: '001', name: 'create_users', checksum: SHA, executionMs: 12, status: 'applied', appliedBy: "host'1 42" });
      expect(rows[0]!.appliedAt).toBeInstanceOf(Date);
      expect(Math.abs(rows[0]!.appliedAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(rows[1]).toEqual({ version: '002', name: "add_it's", checksum: SHA, appliedAt: new Date('2030-01-01T00:00:00Z'), executionMs: 5, status: 'failed', appliedBy: null });

      const dup = await rejection(db.exec(insertLedgerRowSql(table, { version: '001', name: 'create_users', checksum: SHA })));
      expect((dup as DatabaseError).code).toBe('23505');

      await db.exec(deleteLedgerRowSql(table, { version: '002', name: "add_it's" }));
      expect((await readLedger(db, table)).map((r) => r.name)).toEqual(['create_users']);
    });

    test('execution_ms = elapsed since the transaction started (pg-mem: no timestamptz arithmetic — documented)', async () => {
      const table = parseTableName('archon_migrations');
      await ensureLedger(db, table);
      const script = `BEGIN; ${insertLedgerRowSql(table, { version: '1', name: 'a', checksum: SHA })}; ${updateLedgerRowSql(table, { version: '1', name: 'a' }, { executionMs: 'elapsed' })}; COMMIT;`;
      if (name === 'pg-mem') {
        expect((await rejection(db.exec(script)) as DatabaseError).code).toBe('42883');
        return;
      }
      await db.exec(script);
      const [row] = await readLedger(db, table);
      expect(row!.executionMs).toBeGreaterThanOrEqual(0);
      expect(row!.executionMs).toBeLessThan(60_000);
    });

    test.each(tables)('adopts an Archon table without losing rows — %s', async (_label, makeTable) => {
      const table = makeTable();
      const { qualifiedTable } = await import('../../src/core/sql-quote.js');
      const target = qualifiedTable(table);
      if (table.schema) await db.exec(`CREATE SCHEMA ${qualifiedTable({ name: table.schema })}`);
      await db.exec(`CREATE TABLE ${target} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version varchar(20) NOT NULL,
        migration_name varchar(255) NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        checksum varchar(32),
        UNIQUE (version, migration_name));
        INSERT INTO ${target} (version, migration_name) VALUES ('001', '001_initial_schema');
        INSERT INTO ${target} (version, migration_name, checksum) VALUES ('002', '002_add_sources', 'd41d8cd98f00b204e9800998ecf8427e');`);

      const report = await ensureLedger(db, table);
      expect(report.created).toBe(false);
      expect(report.adopted).toBe(true);
      expect(report.changes).toEqual([
        name === 'pg-mem' ? 'widened column checksum from its type to varchar(80)' : 'widened column checksum from varchar(32) to varchar(80)',
        'added column execution_ms integer',
        "added column status varchar(16) NOT NULL DEFAULT 'applied'",
        'added column applied_by varchar(255)',
      ]);
      const rows = await readLedger(db, table);
      expect(rows.map((r) => [r.version, r.name, r.checksum, r.status, r.executionMs, r.appliedBy])).toEqual([
        ['001', '001_initial_schema', null, 'applied', null, null],
        ['002', '002_add_sources', 'd41d8cd98f00b204e9800998ecf8427e', 'applied', null, null],
      ]);
      // A full sha256 checksum now fits, filling the NULL on first verification.
      await db.exec(updateLedgerRowSql(table, { version: '001', name: '001_initial_schema' }, { checksum: SHA }));
      expect((await readLedger(db, table))[0]!.checksum).toBe(SHA);
      expect(await ensureLedger(db, table)).toEqual({ table, created: false, adopted: false, changes: [] });
    });

    test('refuses a table that is not a ledger', async () => {
      await db.exec('CREATE TABLE archon_migrations (id int, note text)');
      const error = await rejection(ensureLedger(db, parseTableName('archon_migrations')));
      expect(error).toBeInstanceOf(ArchonError);
      expect((error as ArchonError).exitCode).toBe(2);
      expect(error.message).toBe('table "archon_migrations" exists but is not a migration ledger (it has no column version, migration_name)');
    });
  });
});

describe('PostgreSQL, no server needed', () => {
  test('connection refused: one line, no password', async () => {
    const port = await freePort();
    const error = await rejection(openPg(`postgres://someone:hunter2-secret@127.0.0.1:${port}/db`, { connectTimeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(ArchonError);
    expect(error.message).toBe(`cannot connect to 127.0.0.1:${port} (connection refused) — is the server running? check DATABASE_URL`);
    expect((error as ArchonError).exitCode).toBe(1);
    expect(JSON.stringify({ m: error.message, h: (error as ArchonError).hint, s: error.stack })).not.toContain('hunter2');
  });

  test('a server that never answers: connect timeout, one line', async () => {
    const silent = createServer(() => {}); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await rejection(openPg(`postgres://u:pw-zz9@127.0.0.1:${port}/db`, { connectTimeoutMs: 300 }));
      expect(error).toBeInstanceOf(ArchonError);
      expect(error.message).toBe(`cannot connect to 127.0.0.1:${port} (no answer within 300 ms) — check DATABASE_URL and the network`);
    } finally {
      silent.close();
    }
  });
});

describe.each(servers())('$name only', (server) => {
  test('wrong password: message names the user, never the password', async () => {
    const database = await server.createDatabase();
    const wrong = 'not-the-Pa55word';
    const error = await rejection(openPg(server.passwordUrl(database, wrong)));
    expect(error).toBeInstanceOf(ArchonError);
    expect(error.message).toBe('password authentication failed for user "archon_pw"');
    expect((error as ArchonError).hint).toBe('Check the user and password in DATABASE_URL.');
    expect(`${error.message} ${(error as ArchonError).hint} ${error.stack}`).not.toContain(wrong);

    const ok = await openPg(server.passwordUrl(database));
    try {
      expect(await ok.query('SELECT current_user AS u')).toEqual([{ u: 'archon_pw' }]);
      expect(ok.description).toBe(`PostgreSQL at 127.0.0.1:${new URL(server.url(database)).port}/${database} as archon_pw`);
      expect(ok.description).not.toContain(PASSWORD_ROLE_PASSWORD);
    } finally {
      await ok.close();
    }
  });

  test("the URL's connect_timeout is honoured (libpq's seconds), and a bad one is refused", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const error = await rejection(openPg(`postgres://u:pw-zz9@127.0.0.1:${port}/db?connect_timeout=2`));
      expect(error.message).toBe(`cannot connect to 127.0.0.1:${port} (no answer within 2 s) — check DATABASE_URL and the network`);
      expect(Date.now() - started).toBeLessThan(12_000); // not the 15 s default
      const bad = await rejection(openPg(`postgres://u@127.0.0.1:${port}/db?connect_timeout=soon`));
      expect(bad).toMatchObject({ exitCode: 2, message: 'invalid connect_timeout "soon" in the database URL; expected whole seconds' });
    } finally {
      silent.close();
    }
    expect(urlConnectTimeoutMs('postgres://h/db?connect_timeout=1')).toBe(2000);
    expect(urlConnectTimeoutMs('postgres://h/db?sslmode=require&connect_timeout=30')).toBe(30_000);
    expect(urlConnectTimeoutMs('postgres://h/db?connect_timeout=0')).toBeNull();
    expect(urlConnectTimeoutMs('postgres://h/db')).toBeUndefined();
  });

  test('runners creating the ledger at the same moment all succeed; exactly one creates it', async () => {
    const url = await server.freshSchemaUrl();
    const table = parseTableName(`${randomName('ops')}.archon_migrations`);
    const dbs = await Promise.all(Array.from({ length: 8 }, () => openPg(url)));
    try {
      const reports = await Promise.all(dbs.map((db) => ensureLedger(db, table)));
      expect(reports.filter((r) => r.created)).toHaveLength(1);
      expect(reports.every((r) => !r.adopted)).toBe(true);
      expect(await readLedger(dbs[0]!, table)).toEqual([]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  test('a database that does not exist', async () => {
    const error = await rejection(openPg(server.url('no_such_db_x')));
    expect(error.message).toBe(`database "no_such_db_x" does not exist on 127.0.0.1:${new URL(server.url('x')).port}`);
  });

  test('application_name is archon-migrate; one connection per Database', async () => {
    const database = await server.createDatabase();
    const db = await openPg(server.url(database));
    try {
      await withClient(server.url('postgres'), async (admin) => {
        const { rows } = await admin.query('SELECT application_name FROM pg_stat_activity WHERE datname = $1', [database]);
        expect(rows).toEqual([{ application_name: 'archon-migrate' }]);
      });
    } finally {
      await db.close();
    }
  });

  test('a terminated connection: idle → next query rejects clearly; in flight → rejects; no crash', async () => {
    const database = await server.createDatabase();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => { unhandled.push(e); };
    process.on('uncaughtException', onUnhandled);
    process.on('unhandledRejection', onUnhandled);
    try {
      const db = await openPg(server.url(database));
      expect(await db.query('SELECT 1 AS x')).toEqual([{ x: 1 }]);
      expect(await terminateBackends(server.url('postgres'), database, 'archon-migrate')).toBe(1);
      await sleep(200);
      const error = await rejection(db.query('SELECT 1 AS x'));
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).connectionLost).toBe(true);
      expect((error as DatabaseError).code).toBe('57P01');
      expect(error.message).toBe(`the connection to ${db.description} was lost (terminating connection due to administrator command)`);
      expect((await rejection(db.exec('SELECT 1'))).message).toBe(error.message);
      await db.close();

      const busy = await openPg(server.url(database));
      const inFlight = rejection(busy.query('SELECT pg_sleep(10)'));
      await sleep(300);
      expect(await terminateBackends(server.url('postgres'), database, 'archon-migrate')).toBe(1);
      const flightError = await inFlight;
      expect(flightError).toBeInstanceOf(DatabaseError);
      expect((flightError as DatabaseError).connectionLost).toBe(true);
      expect((flightError as DatabaseError).code).toBe('57P01');
      await busy.close();
      await sleep(100);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', onUnhandled);
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('sslmode=disable works; prefer falls back to plain; require on a server without TLS says so', async () => {
    const database = await server.createDatabase();
    for (const mode of ['disable', 'allow', 'prefer']) {
      const db = await openPg(`${server.url(database)}?sslmode=${mode}`);
      expect(await db.query('SELECT 1 AS x')).toEqual([{ x: 1 }]);
      await db.close();
    }
    const error = await rejection(openPg(`${server.url(database)}?sslmode=require`));
    expect(error).toBeInstanceOf(ArchonError);
    expect(error.message).toBe(`cannot connect to 127.0.0.1:${new URL(server.url(database)).port}: the server does not support SSL (sslmode=require)`);
  });

  test('sslmode=bogus is a usage error (exit 2) naming the parameter and the valid values', async () => {
    const error = await rejection(openPg(`${server.url('postgres')}?sslmode=bogus`));
    expect(error).toBeInstanceOf(ArchonError);
    expect((error as ArchonError).exitCode).toBe(2);
    expect(error.message).toBe('invalid sslmode "bogus" in the database URL; expected one of disable, allow, prefer, require, verify-ca, verify-full, no-verify');
  });

  test('through PgBouncer (transaction pooling): simple-protocol scripts, params, transactions, ledger', async () => {
    const db = await openPg(await server.freshBouncerDatabase());
    try {
      await db.exec('CREATE TABLE t (id int PRIMARY KEY); BEGIN; INSERT INTO t VALUES (1); COMMIT;');
      for (let i = 2; i <= 30; i += 1) await db.query('INSERT INTO t VALUES ($1)', [i]);
      expect(await count(db, 't')).toBe(30);
      await db.transaction(async (tx) => { await tx.query('DELETE FROM t WHERE id > $1', [10]); });
      expect(await count(db, 't')).toBe(10);
      const table = parseTableName('ops.archon_migrations');
      expect((await ensureLedger(db, table)).created).toBe(true);
      await db.exec(`BEGIN; ${insertLedgerRowSql(table, { version: '1', name: 'a', checksum: SHA })}; ${updateLedgerRowSql(table, { version: '1', name: 'a' }, { executionMs: 'elapsed' })}; COMMIT;`);
      expect((await readLedger(db, table)).map((r) => r.name)).toEqual(['a']);
      const e = await rejection(db.exec('SELECT 1;\nSELEC 2;'));
      expect((e as DatabaseError).position).toBe(11);
    } finally {
      await db.close();
    }
  });
});

describe('PGlite only', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'archon-pglite-lock-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  test('two processes on one data dir: the second waits, or fails naming the owner; the dir stays sound', async () => {
    const dataDir = join(dir, 'nested', 'pglite');
    const first = runPgliteChild(dataDir, 120_000, 30_000);
    const opened = await first.waitForLine(/^opened /, 90_000);
    const ownerPid = Number(opened.split(' ')[1]);
    expect(ownerPid).toBe(first.pid);
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8'))).toMatchObject({ pid: ownerPid });

    const waiting = runPgliteChild(dataDir, 120_000, 90_000);
    const failed = await runPgliteChild(dataDir, 0, 500).done;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`error: the embedded database (PGlite) in ${dataDir} is in use by process ${ownerPid} (since `);
    expect(failed.stderr).toContain(`fix: Wait for that process to finish or stop it; if it is not running any more, delete ${dataDir}.lock.`);

    first.kill('SIGUSR2'); // let the owner finish
    expect((await first.done).code).toBe(0);
    const second = await waiting.waitForLine(/^opened /, 90_000);
    expect(Number(second.split(' ')[2])).toBeGreaterThan(500); // it waited for the lock
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8'))).toMatchObject({ pid: waiting.pid });

    // Killed while holding the lock: the stale lock is taken over and the data is intact.
    waiting.kill('SIGKILL');
    expect((await waiting.done).signal).toBe('SIGKILL');
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    const db = await openPglite(dataDir, { lockTimeoutMs: 5_000 });
    try {
      expect(await db.query('SELECT pid FROM visits ORDER BY at')).toEqual([{ pid: first.pid }, { pid: waiting.pid }]);
    } finally {
      await db.close();
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 180_000); // three PGlite processes start one after another; each may wait up to 90 s for a line

  test('the same process cannot open one dir twice', async () => {
    const dataDir = await sharedPgliteDir();
    const error = await rejection(openPglite(dataDir, { lockTimeoutMs: 200 }));
    expect(error).toBeInstanceOf(ArchonError);
    expect(error.message).toMatch(new RegExp(`^the embedded database \\(PGlite\\) in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by process ${process.pid} \\(since .*\\); waited 200 ms for it to finish$`));
    expect((await sharedPgliteDatabase()).kind).toBe('pglite');
  });
});
