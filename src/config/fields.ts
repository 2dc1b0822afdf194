/**
 * The settings one at a time: what each field accepts and the message when it does not. This
 * module has no dependencies, so single values from environment variables and flags are checked
 * on every run without loading the schema library; schema.ts builds the config file's schema from
 * the same checks, so a value is judged the same way wherever it comes from.
 */
import { usageError } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { parseTableName } from '../core/sql-quote.js';
import type { EnvironmentConfig } from './define-config.js';

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

export function isTableName(value: string): boolean {
  try {
    parseTableName(value);
    return true;
  } catch {
    return false;
  }
}

const isNonBlank = (value: string): boolean => value.trim() !== '';

export const EXPECTED = {
  path: 'must be a non-empty string (a path relative to the config file)',
  table: 'must be a table name like archon_migrations or ops.archon_migrations',
  databaseUrl: 'must be a postgres:// or postgresql:// URL',
  baseBranch: 'must be a non-empty string (a branch name)',
  boolean: 'must be true or false',
  duration: 'must be a duration like 5s, 500ms or 2min',
  versioning: 'must be "sequential" or "timestamp"',
  environments: 'must be an object mapping environment names to settings',
  config: 'must export an object (e.g. `export default defineConfig({ migrationsDir: "migrations" })`)',
} as const;

export type FieldName = keyof EnvironmentConfig;

/** A field's type, the extra test a string must pass, and what the message says is expected. */
export interface FieldCheck {
  type: 'string' | 'boolean';
  test?: (value: string) => boolean;
  expected: string;
}

export const FIELD_CHECKS: Record<FieldName, FieldCheck> = {
  migrationsDir: { type: 'string', test: isNonBlank, expected: EXPECTED.path },
  rollbacksDir: { type: 'string', test: isNonBlank, expected: EXPECTED.path },
  lockfile: { type: 'string', test: isNonBlank, expected: EXPECTED.path },
  table: { type: 'string', test: isTableName, expected: EXPECTED.table },
  databaseUrl: { type: 'string', test: isPostgresUrl, expected: EXPECTED.databaseUrl },
  baseBranch: { type: 'string', test: isNonBlank, expected: EXPECTED.baseBranch },
  allowOutOfOrder: { type: 'boolean', expected: EXPECTED.boolean },
  lockTimeout: { type: 'string', test: isDuration, expected: EXPECTED.duration },
  statementTimeout: { type: 'string', test: isDuration, expected: EXPECTED.duration },
  versioning: { type: 'string', test: (v) => v === 'sequential' || v === 'timestamp', expected: EXPECTED.versioning },
  supabaseHistory: { type: 'boolean', expected: EXPECTED.boolean },
};

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

/** Whether `value` is acceptable for `field`. */
export function fieldAccepts(field: FieldName, value: unknown): boolean {
  const check = FIELD_CHECKS[field];
  if (typeof value !== check.type) return false;
  return check.test === undefined || check.test(value as string);
}

/**
 * Validates one value from an environment variable or a flag; `source` names it
 * (`ARCHON_MIGRATE_LOCK_TIMEOUT`, `--database-url`).
 */
export function validateField<K extends FieldName>(field: K, value: unknown, source: string): EnvironmentConfig[K] {
  if (fieldAccepts(field, value)) return value as EnvironmentConfig[K];
  return fail(`${source} ${FIELD_CHECKS[field].expected} (got ${describeValue(value)})`);
}

function fail(message: string): never {
  throw usageError(message);
}
