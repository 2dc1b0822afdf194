/**
 * The library: `import { defineConfig } from 'archon-migrate'`, and the building blocks the CLI
 * is made of, for programs that drive migrations themselves.
 */
export { defineConfig } from './config/define-config.js';
export type { ArchonConfig, EnvironmentConfig } from './config/define-config.js';
export { loadConfig } from './config/load-config.js';
export type { LoadConfigOptions, ResolvedConfig } from './config/load-config.js';

export { ArchonError, type ExitCode } from './core/errors.js';
export { checksum, normalizeForChecksum } from './core/checksum.js';
export { compareVersions, orderMigrations, parseMigrationName, type MigrationName, type NameProblem } from './core/migration-name.js';
export { diffSeals, LockfileError, mergeSeals, parseLockfile, serializeLockfile, type Seal } from './core/lockfile.js';
export { redactSecrets, redactUrl } from './core/redact.js';
export type { TableName } from './core/sql-quote.js';

export * from './runner/index.js';
export type { Database, Queryable, Release } from './db/database.js';
export { DatabaseError } from './db/database.js';
export type { PgOptions } from './db/pg.js';
export type { PgliteOptions } from './db/pglite.js';

/**
 * Opens a PostgreSQL server (or pooler) connection. The driver is loaded on first use, so that
 * importing this package — as every config file does — stays cheap.
 */
export async function openPg(url: string, options?: import('./db/pg.js').PgOptions): Promise<import('./db/database.js').Database> {
  return (await import('./db/pg.js')).openPg(url, options);
}

/** Opens the embedded PGlite database persisted in `dataDir` (loaded on first use). */
export async function openPglite(dataDir: string, options?: import('./db/pglite.js').PgliteOptions): Promise<import('./db/database.js').Database> {
  return (await import('./db/pglite.js')).openPglite(dataDir, options);
}
