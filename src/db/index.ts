/**
 * The database seam: pick an adapter with `openDatabase`, talk through `Database`.
 */
import type { Database } from './database.js';
import { openPg } from './pg.js';
import { openPglite } from './pglite.js';
import { openPgMem } from './pg-mem.js';

export * from './database.js';
export * from './ledger.js';
export { openPg, describeTarget, resolveSslMode, SSL_MODES, type PgOptions, type SslMode } from './pg.js';
export { openPglite, PGLITE_MEMORY, type PgliteOptions } from './pglite.js';
export { openPgMem, createPgMem } from './pg-mem.js';
export { acquireDirLock, type DirLock, type LockOwner } from './dir-lock.js';

export interface DatabaseTarget {
  /** A PostgreSQL URL; when absent, the embedded PGlite in `pgliteDir` is used. */
  url?: string;
  pgliteDir: string;
  /** 'pg-mem' selects the in-memory database (tests only). */
  driver?: 'pg' | 'pglite' | 'pg-mem';
  applicationName?: string;
  connectTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** How to show pgliteDir in messages (e.g. relative to the project root). */
  pgliteDisplayPath?: string;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.driver === 'pg-mem') return openPgMem();
  if (target.url !== undefined && target.url !== '' && target.driver !== 'pglite') {
    return openPg(target.url, {
      ...(target.applicationName === undefined ? {} : { applicationName: target.applicationName }),
      ...(target.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: target.connectTimeoutMs }),
    });
  }
  return openPglite(target.pgliteDir, {
    ...(target.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: target.lockTimeoutMs }),
    ...(target.pgliteDisplayPath === undefined ? {} : { displayPath: target.pgliteDisplayPath }),
  });
}
