/**
 * What a command receives: the working directory, the environment, the global options, an
 * Output, and lazy access to the configuration and the database. Commands never read
 * process.env or print by themselves.
 */
import path from 'node:path';
import type { ResolvedConfig } from '../config/load-config.js';
import type { Database } from '../db/database.js';
import { recordEnvReads } from './env-recorder.js';
import { urlSecrets, type CliOutput, type Output } from './output.js';
import { packageVersion } from './version.js';

export type { Output } from './output.js';

export interface GlobalOptions {
  config?: string;
  env?: string;
  databaseUrl?: string;
  cwd?: string;
  quiet?: boolean;
  color?: boolean;
  verbose?: boolean;
}

export interface CommandContext {
  /** The resolved --cwd. */
  cwd: string;
  /** process.env (only the CLI reads it). */
  env: Readonly<Record<string, string | undefined>>;
  global: GlobalOptions;
  out: Output;
  /** Memoised. */
  loadConfig(): Promise<ResolvedConfig>;
  /**
   * pg when a URL is configured, else PGlite in config.pgliteDir (saying so first);
   * ARCHON_MIGRATE_DRIVER=pg-mem (tests only) selects pg-mem.
   */
  openDatabase(config: ResolvedConfig): Promise<Database>;
}

export function embeddedDatabaseLine(config: ResolvedConfig, cwd: string): string {
  const dir = path.relative(cwd, config.pgliteDir) || '.';
  return `Using the embedded PostgreSQL (PGlite) in ${dir} — set DATABASE_URL to use a server.`;
}

export function createContext(options: {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  global: GlobalOptions;
  out: CliOutput;
}): CommandContext {
  const { cwd, env, global, out } = options;
  let config: Promise<ResolvedConfig> | undefined;

  return {
    cwd,
    env,
    global,
    out,
    loadConfig() {
      config ??= (async () => {
        const { loadConfig } = await import('../config/load-config.js');
        const resolved = await loadConfig({
          cwd,
          env,
          cache: { version: packageVersion(), recordEnv: recordEnvReads },
          ...(global.config === undefined ? {} : { configPath: global.config }),
          ...(global.env === undefined ? {} : { envName: global.env }),
          ...(global.databaseUrl === undefined ? {} : { flags: { databaseUrl: global.databaseUrl } }),
        });
        // The URL may come from the config file or .env: its password is unknown until now.
        out.addSecrets(urlSecrets(resolved.databaseUrl));
        return resolved;
      })();
      return config;
    },
    async openDatabase(resolved) {
      if (env.ARCHON_MIGRATE_DRIVER === 'pg-mem') {
        const { openPgMem } = await import('../db/pg-mem.js');
        return openPgMem();
      }
      if (resolved.databaseUrl !== undefined) {
        const { openPg } = await import('../db/pg.js');
        return openPg(resolved.databaseUrl, { applicationName: 'archon-migrate' });
      }
      const line = embeddedDatabaseLine(resolved, cwd);
      if (out.jsonMode) {
        if (!out.quiet) out.warn(line);
      } else {
        out.info(line);
      }
      const { openPglite } = await import('../db/pglite.js');
      return openPglite(resolved.pgliteDir, { displayPath: path.relative(cwd, resolved.pgliteDir) || '.' });
    },
  };
}
