/**
 * pg-mem adapter: an in-memory database for fast unit tests (DESIGN §7). pg-mem is not
 * PostgreSQL; what this adapter supplies and what callers must know:
 *
 * - Supplied: `gen_random_uuid()` and `clock_timestamp()`; `transaction()` rolls data back by
 *   restoring a snapshot (`db.backup()`), since pg-mem's SQL `BEGIN` / `ROLLBACK` sent in
 *   separate calls do not undo anything.
 * - DDL is NOT transactional (`supportsTransactionalDdl: false`): CREATE / ALTER / DROP commit at
 *   once, even inside `BEGIN; …` of a failing script; after a schema change a failing
 *   `transaction()` cannot restore its snapshot and leaves data changes behind too.
 * - Data changes of one `exec()` call are atomic: a failing statement undoes the script's
 *   INSERT/UPDATE/DELETE, like PostgreSQL's implicit transaction for a multi-statement simple
 *   query; `BEGIN; …; COMMIT;` / `BEGIN; …; ROLLBACK;` inside ONE script work. A `ROLLBACK` sent
 *   in a later call is a no-op.
 * - No isolation: there is one connection; `lock()` is an in-process mutex for the Database object.
 * - Missing: advisory locks, plpgsql (`DO`, functions), `SET LOCAL lock_timeout` has no effect,
 *   most of the catalog (information_schema.columns ignores `table_schema` for non-public
 *   schemas and reports varchar as text), timestamptz arithmetic (`now() - applied_at`),
 *   `CREATE TABLE IF NOT EXISTS` for a table that exists with another definition.
 * - Errors: syntax errors get code 42601 and a 1-based `position`, but pg-mem's parser stops at
 *   another token than PostgreSQL's (`SELEC 2` fails at `2`, not at `SELEC`); a few execution
 *   errors have no SQLSTATE in pg-mem and are mapped by class or message (42P01, 42703, 3F000…).
 */
import { randomUUID } from 'node:crypto';
import { DataType, newDb, type IMemoryDb } from 'pg-mem';
import { isEmptySql } from '../core/sql-lexer.js';
import { Mutex, toDatabaseError, type ActiveRunner, type Capabilities, type Database, type Queryable, type Release } from './database.js';

export function createPgMem(): IMemoryDb {
  const mem = newDb({ autoCreateForeignKeyIndices: true });
  mem.public.registerFunction({ name: 'gen_random_uuid', returns: DataType.uuid, implementation: () => randomUUID(), impure: true });
  mem.public.registerFunction({ name: 'clock_timestamp', returns: DataType.timestamptz, implementation: () => new Date(), impure: true });
  return mem;
}

export async function openPgMem(mem: IMemoryDb = createPgMem()): Promise<Database> {
  return new PgMemDatabase(mem);
}

class PgMemDatabase implements Database {
  readonly kind = 'pg-mem' as const;
  readonly description = 'in-memory database (pg-mem)';
  readonly supportsTransactionalDdl = false;
  readonly capabilities: Capabilities = { transactionalDdl: false, serverTiming: false, sessionSettings: false, exclusive: true };
  /** The pg-mem instance, for tests that need to inspect it. */
  readonly mem: IMemoryDb;
  readonly #txMutex = new Mutex();
  readonly #lockMutex = new Mutex();
  #closed = false;

  constructor(mem: IMemoryDb) {
    this.mem = mem;
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#check();
    try {
      if (params.length === 0) return this.mem.public.query(sql).rows as T[];
      return this.mem.public.prepare(sql).bind([...params]).executeAll().rows as T[];
    } catch (error) {
      throw toDatabaseError(error, sql);
    }
  }

  async exec(script: string): Promise<void> {
    this.#check();
    if (isEmptySql(script)) return; // PostgreSQL accepts an empty query; pg-mem's parser does not
    try {
      this.mem.public.query(script);
    } catch (error) {
      throw toDatabaseError(error, script);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#txMutex.run(async () => {
      const snapshot = this.mem.backup();
      try {
        return await fn({ query: (sql, params) => this.query(sql, params), exec: (script) => this.exec(script) });
      } catch (error) {
        try {
          snapshot.restore();
        } catch {
          // the schema changed meanwhile: pg-mem cannot roll back (documented above)
        }
        throw error;
      }
    });
  }

  lock(): Promise<Release> {
    return this.#lockMutex.acquire();
  }

  async activeRunners(): Promise<ActiveRunner[]> {
    return []; // one session, serialised by lock()
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #check(): void {
    if (this.#closed) throw toDatabaseError(new Error('the in-memory database (pg-mem) is closed'));
  }
}
