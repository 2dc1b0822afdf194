/**
 * The resolved configuration (DESIGN §6). Precedence, highest first:
 * flag > environment variable > selected environment (`--env`) > config file > defaults.
 * `.env` in the project root fills in environment variables that are not already set.
 * The caller passes the environment in: this module never reads `process.env`.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../core/errors.js';
import { parseTableName } from '../core/sql-quote.js';
import type { LedgerTable } from '../db/supabase-history.js';
import { cacheable, locateConfigFile, readCachedConfig, writeCachedConfig, type EnvRecorder } from './config-cache.js';
import type { ArchonConfig, EnvironmentConfig } from './define-config.js';
import { validateField, type FieldName } from './fields.js';
import { findConfig, findProjectRoot } from './find-config.js';
import { requireInsideRepository, type PathField } from './repository-paths.js';

export interface ResolvedConfig {
  /** Project root: the config file's folder, else the nearest folder with package.json or .git, else cwd. */
  root: string;
  /** Absolute path of the config file, when one was found. */
  configFile?: string;
  /** Absolute paths. */
  migrationsDir: string;
  rollbacksDir: string;
  lockfile: string;
  /** with `supabaseHistory: true` in the config, the ledger's writes also keep Supabase's history current */
  table: LedgerTable;
  databaseUrl?: string;
  baseBranch: string;
  allowOutOfOrder: boolean;
  lockTimeout?: string;
  statementTimeout?: string;
  /** How `create` numbers migrations; undefined: detected from the folder. */
  versioning?: 'sequential' | 'timestamp';
  /** The selected environment, when `--env` or `ARCHON_MIGRATE_ENV` chose one. */
  envName?: string;
  /** `<root>/.archon/pglite`: the embedded database used when no URL is configured. */
  pgliteDir: string;
}

export interface LoadConfigOptions {
  cwd: string;
  /** `--config PATH`, relative to cwd. */
  configPath?: string;
  /** `--env NAME`. */
  envName?: string;
  /** The process environment, passed in by the CLI. */
  env: Readonly<Record<string, string | undefined>>;
  flags?: { databaseUrl?: string };
  /**
   * Reuse the validated config file between runs (config-cache.ts); the CLI turns this on.
   * `version` is the package version; `recordEnv` lets a `.ts`/`.js` config be cached.
   */
  cache?: { version: string; recordEnv?: EnvRecorder };
}

export const DEFAULTS = {
  migrationsDir: 'migrations',
  rollbacksDirName: 'rollbacks',
  lockfileName: 'archon-migrate.lock',
  table: 'archon_migrations',
  baseBranch: 'main',
  allowOutOfOrder: false,
  pgliteDir: path.join('.archon', 'pglite'),
} as const;

/** Environment variables and the field each one sets. DATABASE_URL is read first, so the specific one wins. */
export const ENV_VARS: readonly (readonly [string, FieldName])[] = [
  ['DATABASE_URL', 'databaseUrl'],
  ['ARCHON_MIGRATE_DATABASE_URL', 'databaseUrl'],
  ['ARCHON_MIGRATE_MIGRATIONS_DIR', 'migrationsDir'],
  ['ARCHON_MIGRATE_ROLLBACKS_DIR', 'rollbacksDir'],
  ['ARCHON_MIGRATE_LOCKFILE', 'lockfile'],
  ['ARCHON_MIGRATE_TABLE', 'table'],
  ['ARCHON_MIGRATE_LOCK_TIMEOUT', 'lockTimeout'],
  ['ARCHON_MIGRATE_STATEMENT_TIMEOUT', 'statementTimeout'],
];
export const ENV_VAR_ENV = 'ARCHON_MIGRATE_ENV';

export async function loadConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const cwd = path.resolve(options.cwd);
  const found = await readConfigFile(cwd, options);
  return resolveConfig(cwd, found, options);
}

/**
 * The settings of a config file (`found`, already read; undefined: none) merged with `.env`,
 * environment variables, the selected environment and flags. `lenient` is for a config read at
 * another revision (config-at-revision.ts): an environment it does not define is not an error.
 * Paths outside the repository are refused (repository-paths.ts).
 */
export async function resolveConfig(
  cwd: string,
  found: { filepath: string; config: ArchonConfig } | undefined,
  options: Pick<LoadConfigOptions, 'env' | 'envName' | 'flags'>,
  lenient = false,
): Promise<ResolvedConfig> {
  const root = found ? path.dirname(found.filepath) : (findProjectRoot(cwd) ?? cwd);
  const label = found ? displayPath(cwd, found.filepath) : undefined;
  const file: ArchonConfig = found?.config ?? {};

  const env = { ...(await readDotEnv(root)), ...setOnly(options.env) };

  const envName = options.envName ?? env[ENV_VAR_ENV];
  const selected = envName === undefined || (lenient && !Object.hasOwn(file.environments ?? {}, envName))
    ? {}
    : selectEnvironment(file, envName, label, options.envName === undefined);

  const fromEnv: EnvironmentConfig = {};
  const sources = new Map<FieldName, string>();
  for (const [name, field] of ENV_VARS) {
    const value = env[name];
    if (value === undefined) continue;
    assign(fromEnv, field, validateField(field, value, name));
    sources.set(field, name);
  }
  const fromFlags: EnvironmentConfig = {};
  if (options.flags?.databaseUrl !== undefined) {
    fromFlags.databaseUrl = validateField('databaseUrl', options.flags.databaseUrl, '--database-url');
  }

  const { environments: _environments, ...fileSettings } = file;
  const merged: EnvironmentConfig = { ...defined(fileSettings), ...defined(selected), ...defined(fromEnv), ...defined(fromFlags) };

  const migrationsDir = path.resolve(root, merged.migrationsDir ?? DEFAULTS.migrationsDir);
  const resolved: ResolvedConfig = {
    root,
    migrationsDir,
    rollbacksDir: merged.rollbacksDir === undefined ? path.join(migrationsDir, DEFAULTS.rollbacksDirName) : path.resolve(root, merged.rollbacksDir),
    lockfile: merged.lockfile === undefined ? path.join(migrationsDir, DEFAULTS.lockfileName) : path.resolve(root, merged.lockfile),
    table: { ...parseTableName(merged.table ?? DEFAULTS.table), ...(merged.supabaseHistory === true ? { supabaseHistory: true } : {}) },
    baseBranch: merged.baseBranch ?? DEFAULTS.baseBranch,
    allowOutOfOrder: merged.allowOutOfOrder ?? DEFAULTS.allowOutOfOrder,
    pgliteDir: path.join(root, DEFAULTS.pgliteDir),
  };
  if (found) resolved.configFile = found.filepath;
  if (merged.databaseUrl !== undefined) resolved.databaseUrl = merged.databaseUrl;
  if (merged.lockTimeout !== undefined) resolved.lockTimeout = merged.lockTimeout.trim();
  if (merged.statementTimeout !== undefined) resolved.statementTimeout = merged.statementTimeout.trim();
  if (merged.versioning !== undefined) resolved.versioning = merged.versioning;
  if (envName !== undefined) resolved.envName = envName;

  const sourceOf = (field: PathField): string | undefined =>
    sources.get(field) ?? (selected[field] !== undefined ? `${label} (environments.${envName})` : file[field] !== undefined ? label : undefined);
  requireInsideRepository(resolved, merged, sourceOf);
  return resolved;
}

/**
 * The config file and what it exports, validated: from the cache when its entry is still valid
 * (then neither cosmiconfig, jiti nor zod is loaded), else through cosmiconfig and the schema.
 */
async function readConfigFile(cwd: string, options: LoadConfigOptions): Promise<{ filepath: string; config: ArchonConfig } | undefined> {
  const { cache } = options;
  const located = cache && locateConfigFile(cwd, findProjectRoot(cwd), options.configPath);
  if (located === null) return undefined; // no candidate file anywhere: nothing to search
  if (located && cache) {
    const config = readCachedConfig(located, cache.version, options.env);
    if (config) return { filepath: located.filepath, config };
  }

  const recordEnv = located ? cache?.recordEnv : undefined;
  const found = await findConfig(cwd, options.configPath, recordEnv);
  if (!found) return undefined;
  const { validateConfigFile } = await import('./schema.js');
  const validate = async () => validateConfigFile(found.value, displayPath(cwd, found.filepath));
  // A config's getters run while it is validated: record those reads too.
  const validated = recordEnv && found.evaluation ? await recordEnv(validate) : undefined;
  const config = validated ? validated.value : await validate();
  // Cached only if the search loaded the file located above, and it did not change meanwhile.
  if (located && cache && found.filepath === located.filepath && sameContent(located.filepath, located.content)) {
    const evaluation = found.evaluation && validated && {
      reads: { ...validated.reads, ...found.evaluation.reads },
      complete: found.evaluation.complete && validated.complete,
    };
    if (cacheable(located, config, evaluation)) writeCachedConfig(located, config, cache.version, evaluation?.reads ?? {});
  }
  return { filepath: found.filepath, config };
}

function sameContent(file: string, content: Buffer): boolean {
  try {
    return readFileSync(file).equals(content);
  } catch {
    return false;
  }
}

function selectEnvironment(file: ArchonConfig, name: string, label: string | undefined, fromEnvVar: boolean): EnvironmentConfig {
  const environments = file.environments ?? {};
  if (Object.hasOwn(environments, name)) return environments[name]!;
  const origin = fromEnvVar ? ` (from ${ENV_VAR_ENV})` : '';
  const defined = Object.keys(environments);
  if (label === undefined) {
    throw usageError(`unknown environment "${name}"${origin}: no config file was found`,
      'Create archon-migrate.config.ts with an `environments` entry, or drop --env.');
  }
  if (defined.length === 0) {
    throw usageError(`unknown environment "${name}"${origin}: ${label} defines no environments`,
      `Add environments: { ${name}: { ... } } to ${label}, or drop --env.`);
  }
  throw usageError(`unknown environment "${name}"${origin}: ${label} defines ${defined.join(', ')}`,
    `Use one of: ${defined.map((d) => `--env ${d}`).join(', ')}.`);
}

/** `.env` in the project root, parsed without touching process.env and without logging. */
async function readDotEnv(root: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path.join(root, '.env'), 'utf8');
  } catch {
    return {};
  }
  const { parse } = await import('dotenv');
  return setOnly(parse(text));
}

/** Drops unset and empty values: `DATABASE_URL=` means "not set". */
function setOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function assign<K extends FieldName>(target: EnvironmentConfig, field: K, value: EnvironmentConfig[K]): void {
  target[field] = value;
}

/** A path for messages: relative to the working directory. */
export function displayPath(cwd: string, file: string): string {
  return path.relative(cwd, file) || '.';
}
