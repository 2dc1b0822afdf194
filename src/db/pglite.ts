/**
 * PGlite adapter: the embedded default (DESIGN §6), persisted in a directory. PGlite is one
 * process's database: `openPglite` takes an exclusive lock (`<dataDir>.lock`) first, so a second
 * process waits, then fails with a message naming the owner, and never corrupts the directory.
 * `memory://` opens a throwaway in-memory database without a lock.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { failedError } from '../core/errors.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { Mutex, toDatabaseError, type ActiveRunner, type Capabilities, type Database, type Queryable, type Release } from './database.js';

export interface PgliteOptions {
  /** How long to wait for another process that holds the data dir; default 30 s. */
  lockTimeoutMs?: number;
  /** Shown in messages instead of the absolute path (e.g. ".archon/pglite"). */
  displayPath?: string;
}

export const PGLITE_MEMORY = 'memory://';

export async function openPglite(dataDir: string, opts: PgliteOptions = {}): Promise<Database> {
  const inMemory = dataDir.startsWith(PGLITE_MEMORY);
  const display = opts.displayPath ?? dataDir;
  let lock: DirLock | undefined;
  let dir = dataDir;
  if (!inMemory) {
    dir = resolve(dataDir);
    try {
      mkdirSync(dirname(dir), { recursive: true });
    } catch (error) {
      throw failedError(`cannot create the directory for the embedded database ${display}: ${(error as Error).message}`);
    }
    lock = await acquireDirLock(dir, {
      timeoutMs: opts.lockTimeoutMs ?? 30_000,
      what: `the embedded database (PGlite) in ${display}`,
    });
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dir);
  } catch (error) {
    lock?.release();
    throw failedError(`cannot open the embedded database (PGlite) in ${display}: ${(error as Error).message}`,
      inMemory ? undefined : `If the directory is damaged, move it away (it is recreated empty) or set DATABASE_URL to use a server.`);
  }
  return new PgliteDatabase(pglite, inMemory ? 'embedded PostgreSQL (PGlite) in memory' : `embedded PostgreSQL (PGlite) in ${display}`, lock);
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly supportsTransactionalDdl = true as const;
  readonly capabilities: Capabilities = { transactionalDdl: true, serverTiming: true, sessionSettings: true, exclusive: true };
  readonly #db: PGlite;
  readonly #lock: DirLock | undefined;
  readonly #txMutex = new Mutex();
  #closed = false;

  constructor(db: PGlite, readonly description: string, lock: DirLock | undefined) {
    this.#db = db;
    this.#lock = lock;
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return runQuery<T>(this.#db, sql, params);
  }

  async exec(script: string): Promise<void> {
    return runExec(this.#db, script);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#txMutex.run(() => this.#db.transaction((tx) => fn({
      query: <R>(sql: string, params?: readonly unknown[]) => runQuery<R>(tx, sql, params ?? []),
      exec: (script: string) => runExec(tx, script),
    })));
  }

  async lock(): Promise<Release> {
    return async () => {}; // the data dir lock is held since open
  }

  async activeRunners(): Promise<ActiveRunner[]> {
    return []; // one process owns the data dir
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#db.close();
    } finally {
      this.#lock?.release();
    }
  }
}

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

async function runQuery<T>(db: PgliteLike, sql: string, params: readonly unknown[]): Promise<T[]> {
  try {
    return (await db.query<T>(sql, [...params])).rows;
  } catch (error) {
    throw toDatabaseError(error, sql);
  }
}

async function runExec(db: PgliteLike, script: string): Promise<void> {
  try {
    await db.exec(script);
  } catch (error) {
    throw toDatabaseError(error, script);
  }
}
