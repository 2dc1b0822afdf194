/** Every tool `import --from` knows. */
import type { ImportTool } from '../../core/import/converted-migration.js';
import { dbmateSource } from './dbmate.js';
import { flywaySource } from './flyway.js';
import { golangMigrateSource } from './golang-migrate.js';
import type { ImportSource } from './import-source.js';
import { nodePgMigrateSource } from './node-pg-migrate.js';
import { postgresMigrationsSource } from './postgres-migrations.js';
import { supabaseSource } from './supabase.js';

export const IMPORT_SOURCES: Record<ImportTool, ImportSource> = {
  'supabase': supabaseSource,
  'golang-migrate': golangMigrateSource,
  'dbmate': dbmateSource,
  'node-pg-migrate': nodePgMigrateSource,
  'postgres-migrations': postgresMigrationsSource,
  'flyway': flywaySource,
};
