/**
 * The configuration file's shape (DESIGN §6). `archon-migrate.config.ts` default-exports
 * `defineConfig({...})`; the function only gives the file its types.
 */

/** Settings an environment (`--env NAME`) may override. */
export interface EnvironmentConfig {
  /** Folder of the migration files, relative to the config file. Default `migrations`. */
  migrationsDir?: string;
  /** Folder of the rollback files. Default `<migrationsDir>/rollbacks`. */
  rollbacksDir?: string;
  /** The lockfile. Default `<migrationsDir>/archon-migrate.lock`. */
  lockfile?: string;
  /** Ledger table, `name` or `schema.name`. Default `archon_migrations`. */
  table?: string;
  /** `postgres://` or `postgresql://` URL. Without one, the embedded PGlite database is used. */
  databaseUrl?: string;
  /** Branch `verify` compares with. Default `main`. */
  baseBranch?: string;
  /** Accept new migrations numbered below an applied or sealed one. Default false. */
  allowOutOfOrder?: boolean;
  /** Default `lock_timeout` for migrations, e.g. `5s`. */
  lockTimeout?: string;
  /** Default `statement_timeout` for migrations, e.g. `60s`. */
  statementTimeout?: string;
  /**
   * How `create` numbers migrations: `sequential` (highest + 1, same width) or `timestamp` (the
   * current UTC time, YYYYMMDDHHMMSS, as the Supabase CLI does). Default: detected from the folder.
   */
  versioning?: 'sequential' | 'timestamp';
  /** Also keep Supabase's `supabase_migrations.schema_migrations` current on up/down/repair. Default false. */
  supabaseHistory?: boolean;
}

export interface ArchonConfig extends EnvironmentConfig {
  /** Named overrides, chosen with `--env NAME` or `ARCHON_MIGRATE_ENV`. */
  environments?: Record<string, EnvironmentConfig>;
}

export function defineConfig(config: ArchonConfig): ArchonConfig {
  return config;
}
