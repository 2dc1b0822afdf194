/**
 * Validation of the config file (strict — unknown keys are refused) with zod, built from the field
 * checks in fields.ts (which also validate single values from environment variables and flags,
 * without zod). Every message names the field, the bad value and what was expected, on one line;
 * a database URL is shown with its password redacted. Loaded only when a config file is read in
 * full, not when its validated form comes from the cache.
 */
import { z } from 'zod';
import { usageError } from '../core/errors.js';
import type { ArchonConfig } from './define-config.js';
import { describeValue, EXPECTED, FIELD_CHECKS, type FieldCheck, type FieldName } from './fields.js';

export { describeValue, EXPECTED, isDuration, isPostgresUrl, validateField, type FieldName } from './fields.js';

/** The zod form of a field check: the same type, test and message. */
function fieldSchema(check: FieldCheck): z.ZodType {
  if (check.type === 'boolean') return z.boolean({ error: check.expected });
  const string = z.string({ error: check.expected });
  return check.test === undefined ? string : string.refine(check.test, { error: check.expected });
}

const FIELDS = Object.fromEntries(Object.entries(FIELD_CHECKS).map(([field, check]) => [field, fieldSchema(check)])) as unknown as Record<FieldName, z.ZodType>;

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

function fail(message: string): never {
  throw usageError(message);
}
