// A throwaway project folder for runner tests: migrations/, migrations/rollbacks/, a lockfile,
// and the ResolvedConfig the runner takes (built directly, without a config file).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ResolvedConfig } from '../../src/config/load-config.js';
import { quoteIdent } from '../../src/core/sql-quote.js';
import { openPg } from '../../src/db/pg.js';
import type { Database } from '../../src/db/database.js';
import { readLedger, type LedgerRow } from '../../src/db/ledger.js';
import { defaultServer, randomName, withClient, type TestServer } from '../support/databases.js';

export class Project {
  readonly root: string;
  readonly config: ResolvedConfig;

  constructor(overrides: Partial<ResolvedConfig> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'archon-runner-'));
    mkdirSync(join(this.root, 'migrations', 'rollbacks'), { recursive: true });
    this.config = {
      root: this.root,
      migrationsDir: join(this.root, 'migrations'),
      rollbacksDir: join(this.root, 'migrations', 'rollbacks'),
      lockfile: join(this.root, 'migrations', 'archon-migrate.lock'),
      table: { name: 'archon_migrations' },
      baseBranch: 'main',
      allowOutOfOrder: false,
      pgliteDir: join(this.root, '.archon', 'pglite'),
      ...overrides,
    };
  }

  /** Writes `migrations/<file>` (use "rollbacks/<file>" for a rollback). */
  write(file: string, content: string): this {
    const path = join(this.config.migrationsDir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return this;
  }

  files(files: Record<string, string>): this {
    for (const [file, content] of Object.entries(files)) this.write(file, content);
    return this;
  }

  lockfile(): string | null {
    return existsSync(this.config.lockfile) ? readFileSync(this.config.lockfile, 'utf8') : null;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function ledger(db: Database): Promise<LedgerRow[]> {
  return readLedger(db, { name: 'archon_migrations' });
}

/** Tables of the current schema (the test's own schema on PGlite, public elsewhere). */
export async function tables(db: Database): Promise<string[]> {
  const schema = db.kind === 'pg-mem' ? "'public'" : 'current_schema()';
  const rows = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name`);
  return rows.map((r) => r.table_name).sort();
}

const fileDatabases = new Map<string, Promise<string>>();

/**
 * A PostgreSQL database of its own for the test, cheaply: one database per test file and server
 * (CREATE DATABASE costs ~0.5 s), a fresh schema per call, and a connection whose search_path is
 * that schema (set in the startup packet, so no session state is involved).
 */
export async function pgSchemaDatabase(server: TestServer = defaultServer()): Promise<Database> {
  let database = fileDatabases.get(server.name);
  if (database === undefined) {
    database = server.createDatabase();
    fileDatabases.set(server.name, database);
  }
  const name = await database;
  const schema = randomName('s');
  await withClient(server.url(name), (c) => c.query(`CREATE SCHEMA ${quoteIdent(schema)}`));
  const url = new URL(server.url(name));
  url.searchParams.set('options', `-c search_path=${schema}`);
  return openPg(url.toString());
}
