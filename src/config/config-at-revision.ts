/**
 * Where another revision's config kept the migrations (DESIGN §5). guard and verify judge a change
 * against the base's own migrations directory and lockfile: a commit that re-points `lockfile` or
 * `migrationsDir` must not make the base's sealed history invisible.
 *
 * The base's config is the committed truth of those places, so it is read as the tool would have
 * read it there: the same search places in the same order, evaluated by the same loaders (jiti
 * for modules, cosmiconfig's for data) with the same environment, `.env`, `--env` and flags. A
 * module is evaluated from memory as if it were the file at its path — nothing is written into
 * the working tree — so its imports resolve as the real file's do. Only the three path fields are
 * taken from it, leniently: a base config that an older version accepted (unknown keys, an
 * environment it lacks) still says where its migrations were.
 *
 * Most commits do not touch the config: when the revision's bytes equal the loaded file's (line
 * endings aside), its paths are the loaded ones and nothing is evaluated. Limit: a config module
 * that imports other files is compared by its own bytes only; its imports are read from the
 * working tree.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../core/errors.js';
import type { ArchonConfig, EnvironmentConfig } from './define-config.js';
import { evaluateConfigSource, MODULE_NAME } from './find-config.js';
import { displayPath, resolveConfig, type LoadConfigOptions, type ResolvedConfig } from './load-config.js';
import type { PathField } from './repository-paths.js';

export type ConfigPaths = Pick<ResolvedConfig, PathField>;

/** Candidate file (absolute path) → its content at the revision; undefined when absent there. */
export type ConfigFilesAt = ReadonlyMap<string, Buffer | undefined>;

/** The file the search would pick among `files`, in their order (see find-config.ts). */
function pick(files: ConfigFilesAt): { filepath: string; content: Buffer } | undefined {
  for (const [filepath, content] of files) {
    if (content === undefined || content.toString('utf8').trim() === '') continue;
    if (path.basename(filepath) === 'package.json' && !hasConfigKey(content)) continue;
    return { filepath, content };
  }
  return undefined;
}

function hasConfigKey(content: Buffer): boolean {
  try {
    const pkg = JSON.parse(content.toString('utf8')) as unknown;
    return pkg !== null && typeof pkg === 'object' && (pkg as Record<string, unknown>)[MODULE_NAME] !== undefined;
  } catch {
    return false;
  }
}

const lf = (b: Buffer): string => b.toString('utf8').replace(/\r\n?/g, '\n');

function sameFile(current: ResolvedConfig, picked: { filepath: string; content: Buffer } | undefined): boolean {
  if (picked === undefined || current.configFile === undefined) return picked === undefined && current.configFile === undefined;
  if (picked.filepath !== current.configFile) return false;
  try {
    return lf(readFileSync(current.configFile)) === lf(picked.content);
  } catch {
    return false;
  }
}

const PATH_FIELDS: readonly PathField[] = ['migrationsDir', 'rollbacksDir', 'lockfile'];

/** The path fields of what a config exported, ignoring everything else. */
function pathSettings(value: unknown): EnvironmentConfig {
  const out: EnvironmentConfig = {};
  if (value === null || typeof value !== 'object') return out;
  for (const field of PATH_FIELDS) {
    const v = (value as Record<string, unknown>)[field];
    if (typeof v === 'string' && v.trim() !== '') out[field] = v;
  }
  return out;
}

function lenientConfig(value: unknown): ArchonConfig {
  const config: ArchonConfig = pathSettings(value);
  const environments = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).environments : undefined;
  if (environments !== null && typeof environments === 'object') {
    config.environments = Object.fromEntries(Object.entries(environments).map(([name, env]) => [name, pathSettings(env)]));
  }
  return config;
}

/**
 * The paths the config at a revision sets. `label` names the revision in messages ("HEAD",
 * "origin/main (merge-base 1a2b3c4)"). Throws (exit 2) when that config cannot be evaluated.
 */
export async function configPathsAt(
  files: ConfigFilesAt,
  current: ResolvedConfig,
  options: Pick<LoadConfigOptions, 'cwd' | 'env' | 'envName' | 'flags'>,
  label: string,
): Promise<ConfigPaths> {
  const picked = pick(files);
  if (sameFile(current, picked)) return { migrationsDir: current.migrationsDir, rollbacksDir: current.rollbacksDir, lockfile: current.lockfile };
  const cwd = path.resolve(options.cwd);
  let found: { filepath: string; config: ArchonConfig } | undefined;
  if (picked !== undefined) {
    let value: unknown;
    try {
      value = await evaluateConfigSource(picked.filepath, picked.content.toString('utf8'));
    } catch (error) {
      const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw usageError(`${displayPath(cwd, picked.filepath)} as of ${label} could not be evaluated (${first}), so where ${label} kept its migrations is unknown`,
        'It is evaluated against the working tree: restore the files it imports.');
    }
    found = { filepath: picked.filepath, config: lenientConfig(value) };
  }
  const resolved = await resolveConfig(cwd, found, options, true);
  return { migrationsDir: resolved.migrationsDir, rollbacksDir: resolved.rollbacksDir, lockfile: resolved.lockfile };
}
