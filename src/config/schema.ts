/**
 * Validation of the configuration: the file (strict — unknown keys are refused), and single
 * values coming from environment variables or flags. Every message names the field, the bad
 * value and what was expected, on one line; a database URL is shown with its password redacted.
 */
import { z } from 'zod';
import { usageError } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { parseTableName } from '../core/sql-quote.js';
import type { ArchonConfig, EnvironmentConfig } from './define-config.js';

/** PostgreSQL time units; a bare number means milliseconds, as in PostgreSQL. */
const DURATION_RE = /^[0-9]+(\.[0-9]+)?\s*(us|ms|s|min|h|d)?$/;

export function isDuration(value: string): boolean {
  return DURATION_RE.test(value.trim());
}

export function isPostgresUrl(value: string): boolean {
  if (!/^postgres(ql)?:\/\//i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function isTableName(value: string): boolean {
  try {
    parseTableName(value);
    return true;
  } catch {
    return false;
  }
}

export const EXPECTED = {
  path: 'must be a non-empty string (a path relative to the config file)',
  table: 'must be a table name like archon_migrations or ops.archon_migrations',
  databaseUrl: 'must be a postgres:// or postgresql:// URL',
  baseBranch: 'must be a non-empty string (a branch name)',
  boolean: 'must be true or false',
  duration: 'must be a duration like 5s, 500ms or 2min',
  environments: 'must be an object mapping environment names to settings',
  config: 'must export an object (e.g. `export default defineConfig({ migrationsDir: "migrations" })`)',
} as const;

const nonEmpty = (expected: string) =>
  z.string({ error: expected }).refine((s) => s.trim() !== '', { error: expected });

const FIELDS = {
  migrationsDir: nonEmpty(EXPECTED.path),
  rollbacksDir: nonEmpty(EXPECTED.path),
  lockfile: nonEmpty(EXPECTED.path),
  table: z.string({ error: EXPECTED.table }).refine(isTableName, { error: EXPECTED.table }),
  databaseUrl: z.string({ error: EXPECTED.databaseUrl }).refine(isPostgresUrl, { error: EXPECTED.databaseUrl }),
  baseBranch: nonEmpty(EXPECTED.baseBranch),
  allowOutOfOrder: z.boolean({ error: EXPECTED.boolean }),
  lockTimeout: z.string({ error: EXPECTED.duration }).refine(isDuration, { error: EXPECTED.duration }),
  statementTimeout: z.string({ error: EXPECTED.duration }).refine(isDuration, { error: EXPECTED.duration }),
} satisfies Record<keyof EnvironmentConfig, z.ZodType>;

export type FieldName = keyof typeof FIELDS;

const environmentSchema = z.strictObject(
  Object.fromEntries(Object.entries(FIELDS).map(([k, s]) => [k, s.optional()])) as {
    [K in FieldName]: z.ZodOptional<(typeof FIELDS)[K]>;
  },
  { error: EXPECTED.environments },
);

const configSchema = z.strictObject(
  {
    ...environmentSchema.shape,
    environments: z.record(z.string(), environmentSchema, { error: EXPECTED.environments }).optional(),
  },
  { error: EXPECTED.config },
);

const ENVIRONMENT_KEYS = Object.keys(FIELDS);
const CONFIG_KEYS = [...ENVIRONMENT_KEYS, 'environments'];

/**
 * How a value is shown after "got": strings as written, other types named. A password in any
 * `scheme://user:password@` URL is masked (redactUrl knows only postgres URLs, and a wrong
 * database URL is often a mysql:// or https:// one).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    if (value === '') return '""';
    return redactUrl(value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@\s]*@/i, '$1:****@'));
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Validates what a config file exported. `label` prefixes the message (the file name relative to
 * the working directory). Throws a usage error (exit 2) describing the first problem.
 */
export function validateConfigFile(input: unknown, label: string): ArchonConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data as ArchonConfig;
  const issue = result.error.issues[0]!;
  const path = issue.path;
  const where = path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const valid = path.length === 0 ? CONFIG_KEYS : ENVIRONMENT_KEYS;
    const key = issue.keys[0]!;
    const prefix = where === '' ? '' : `${where}: `;
    return fail(`${label}: ${prefix}unknown key "${key}" (valid keys: ${valid.join(', ')})`);
  }
  const got = describeValue(valueAt(input, path));
  if (where === '') return fail(`${label}: ${issue.message} (got ${got})`);
  return fail(`${label}: "${where}" ${issue.message} (got ${got})`);
}

/**
 * Validates one value from an environment variable or a flag; `source` names it
 * (`ARCHON_MIGRATE_LOCK_TIMEOUT`, `--database-url`).
 */
export function validateField<K extends FieldName>(field: K, value: unknown, source: string): EnvironmentConfig[K] {
  const result = FIELDS[field].safeParse(value);
  if (result.success) return result.data as EnvironmentConfig[K];
  return fail(`${source} ${result.error.issues[0]!.message} (got ${describeValue(value)})`);
}

function fail(message: string): never {
  throw usageError(message);
}
