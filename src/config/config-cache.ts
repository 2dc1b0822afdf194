/**
 * A cache of the validated config file, so that the commands run most often — the pre-commit
 * guard, `status`, a no-op `up` — load neither cosmiconfig, nor jiti, nor the schema library.
 * Evaluating a `.ts` config costs more than everything else those commands do.
 *
 * Stored in `<root>/node_modules/.cache/archon-migrate/config-v1.json` (only where node_modules
 * exists: it is git-ignored everywhere, and other tools keep their caches there). One entry per
 * config file, keyed by its absolute path and valid only while all of these still hold:
 *   - the file's content has the same SHA-256 (content, not mtime: a checkout within the same
 *     second, or an editor that restores the mtime, must not go unnoticed);
 *   - the package version is the same (validation or defaults may differ between versions);
 *   - every environment variable the config read while it was evaluated has the same value
 *     (stored as SHA-256 digests: the cache never holds an environment variable's value);
 *   - the search would still pick this file: `locateConfigFile` repeats the cosmiconfig search
 *     with the same names in the same order, so a higher-priority file that appears since wins.
 * A config is cached only when that key covers everything it depends on: a module that imports
 * anything besides `archon-migrate`, uses `process` for more than `process.env`, enumerates or
 * writes the environment, or pulls in other files with cosmiconfig's `$import`, is loaded in full
 * every time. A database URL with credentials is cached only if it is written in the file itself.
 * Reads are recorded while the module is evaluated, library code included: when jiti has to
 * transform a changed `.ts` config, its transform starts by enumerating the environment, so that
 * run is not cached and the next one (served by jiti's own transform cache) is.
 *
 * The cache can never fail a command: unreadable, corrupt or unwritable means "load in full".
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArchonConfig } from './define-config.js';
import { MODULE_NAME, SEARCH_PLACES } from './find-config.js';

/**
 * Runs `evaluate` while recording the environment variables it reads. The CLI supplies it (only
 * the CLI touches `process.env`); `complete` is false when the evaluation enumerated or changed
 * the environment, which no recorded list of names can describe.
 */
export type EnvRecorder = <T>(evaluate: () => Promise<T>) => Promise<{
  value: T;
  /** Name → value (undefined: read while unset), for each variable read. */
  reads: Record<string, string | undefined>;
  complete: boolean;
}>;

export const CACHE_FILE = path.join('node_modules', '.cache', MODULE_NAME, 'config-v1.json');
const CACHE_FORMAT = 'archon-migrate config cache v1';
/** Entries kept per cache file (one per config file; `--config` may name several). */
const MAX_ENTRIES = 16;

interface CacheEntry {
  sha256: string;
  version: string;
  /** Variable name → SHA-256 of its value, or null when it was unset. */
  env: Record<string, string | null>;
  config: ArchonConfig;
}

interface CacheDocument {
  format: typeof CACHE_FORMAT;
  entries: Record<string, CacheEntry>;
}

/** A config file as the search would pick it, with the bytes read to find it. */
export interface LocatedConfig {
  filepath: string;
  content: Buffer;
}

export function cacheFilePath(configFile: string): string {
  return path.join(path.dirname(configFile), CACHE_FILE);
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * The file the cosmiconfig search in find-config.ts would load, found without loading cosmiconfig:
 * the same folders (from `cwd` up to the project root), the same names in the same order, empty
 * files skipped, `package.json` only with an `"archon-migrate"` key. With `configPath`, that file.
 * Returns null when no candidate exists at all (no config file), undefined when unsure (a file it
 * cannot read or parse: the full load then decides, and reports).
 */
export function locateConfigFile(cwd: string, stop: string | undefined, configPath?: string): LocatedConfig | null | undefined {
  if (configPath !== undefined) {
    const filepath = path.resolve(cwd, configPath);
    const content = readCandidate(filepath);
    return content === null ? undefined : content && { filepath, content };
  }
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of SEARCH_PLACES) {
      const filepath = path.join(dir, name);
      const content = readCandidate(filepath);
      if (content === undefined) return undefined;
      if (content === null || content.toString('utf8').trim() === '') continue;
      if (name === 'package.json') {
        const value = packageProperty(content);
        if (value === undefined) return undefined;
        if (value === null) continue;
      }
      return { filepath, content };
    }
    if (dir === stop) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The file's bytes; null when it does not exist (as cosmiconfig treats it); undefined on other errors. */
function readCandidate(filepath: string): Buffer | null | undefined {
  try {
    return readFileSync(filepath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EACCES' ? null : undefined;
  }
}

/** `package.json`'s `"archon-migrate"` value: null when absent (not a config), undefined when unparseable. */
function packageProperty(content: Buffer): unknown {
  let pkg: unknown;
  try {
    pkg = JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
  if (pkg === null || typeof pkg !== 'object' || Array.isArray(pkg)) return undefined;
  return (pkg as Record<string, unknown>)[MODULE_NAME] ?? null;
}

function readDocument(file: string): CacheDocument | undefined {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheDocument> | null;
    if (doc?.format !== CACHE_FORMAT || doc.entries === null || typeof doc.entries !== 'object') return undefined;
    return doc as CacheDocument;
  } catch {
    return undefined;
  }
}

/** The cached, validated config of `located`, if the entry is still valid for this environment. */
export function readCachedConfig(located: LocatedConfig, version: string, env: Readonly<Record<string, string | undefined>>): ArchonConfig | undefined {
  const doc = readDocument(cacheFilePath(located.filepath));
  const entry = doc && Object.hasOwn(doc.entries, located.filepath) ? doc.entries[located.filepath] : undefined;
  if (entry === undefined || entry.sha256 !== sha256(located.content) || entry.version !== version) return undefined;
  if (entry.env === null || typeof entry.env !== 'object' || entry.config === null || typeof entry.config !== 'object') return undefined;
  for (const [name, digest] of Object.entries(entry.env)) {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if ((value === undefined ? null : sha256(value)) !== digest) return undefined;
  }
  return entry.config;
}

/** Whether a loaded config may be cached under the key above (see the file comment). */
export function cacheable(located: LocatedConfig, config: ArchonConfig, evaluation: { reads: Record<string, string | undefined>; complete: boolean } | undefined): boolean {
  const source = located.content.toString('utf8');
  if (source.includes('$import')) return false;
  if (/\.(ts|js|mjs|cjs)$/.test(located.filepath)) {
    if (evaluation === undefined || !evaluation.complete || !selfContained(source)) return false;
  }
  return databaseUrls(config).every((url) => !/@|password=/i.test(url) || source.includes(url));
}

/**
 * Whether a config module's result can depend only on its own text and the environment variables
 * it reads: it imports nothing but `archon-migrate`, and reaches no other process state or global
 * input. A conservative scan of the text — a mention in a comment also counts — so a false answer
 * only costs a full load.
 */
export function selfContained(source: string): boolean {
  const ok = (specifier: string): boolean => specifier === MODULE_NAME;
  for (const m of source.matchAll(/\bfrom\s*(['"])(.*?)\1/g)) if (!ok(m[2]!)) return false;
  for (const m of source.matchAll(/\bimport\s*(['"])(.*?)\1/g)) if (!ok(m[2]!)) return false;
  for (const m of source.matchAll(/\b(?:import|require)\s*\(([^)]*)\)?/g)) if (!/^\s*(['"])archon-migrate\1\s*$/.test(m[1]!)) return false;
  if (/\brequire\b(?!\s*\()/.test(source)) return false;
  if (/\bprocess\b(?!\s*\.\s*env\b)/.test(source)) return false;
  return !/\b(?:globalThis|global|eval|Function|Date|Reflect|Deno|Bun|fetch)\b|Math\s*\.\s*random/.test(source);
}

function databaseUrls(config: ArchonConfig): string[] {
  const all = [config.databaseUrl, ...Object.values(config.environments ?? {}).map((e) => e.databaseUrl)];
  return all.filter((u): u is string => typeof u === 'string');
}

/**
 * Stores `config` for `located`. Does nothing without `<root>/node_modules`; never throws. The
 * file is replaced atomically (write, then rename), so a concurrent reader sees old or new.
 */
export function writeCachedConfig(located: LocatedConfig, config: ArchonConfig, version: string, reads: Record<string, string | undefined>): void {
  const root = path.dirname(located.filepath);
  if (!existsSync(path.join(root, 'node_modules'))) return;
  const file = cacheFilePath(located.filepath);
  const env: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(reads)) env[name] = value === undefined ? null : sha256(value);
  const entries = { ...readDocument(file)?.entries };
  delete entries[located.filepath];
  entries[located.filepath] = { sha256: sha256(located.content), version, env, config };
  const kept = Object.entries(entries).slice(-MAX_ENTRIES);
  const doc: CacheDocument = { format: CACHE_FORMAT, entries: Object.fromEntries(kept) };
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify(doc) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the cache is optional: a folder we cannot write to is fine
    }
  }
}
