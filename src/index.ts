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
