/**
 * Finding and reading the configuration file with cosmiconfig. The search starts in the working
 * directory and walks up, stopping at the project root: the first folder holding a
 * `package.json` or `.git`. TypeScript files are loaded with jiti (its transform cache makes the
 * second load cheap); a config's `import { defineConfig } from 'archon-migrate'` always resolves,
 * even where the package is not installed (this repository, temporary test folders).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { usageError } from '../core/errors.js';
import type { EnvRecorder } from './config-cache.js';
import { defineConfig } from './define-config.js';

export const MODULE_NAME = 'archon-migrate';

export const SEARCH_PLACES = [
  `${MODULE_NAME}.config.ts`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.cjs`,
  `${MODULE_NAME}.config.json`,
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `.${MODULE_NAME}rc.js`,
  'package.json',
];

export interface FoundConfig {
  /** Absolute path of the config file. */
  filepath: string;
  /** What the file exported (`{}` for an empty file), not yet validated. */
  value: unknown;
  /**
   * For a `.ts`/`.js` config evaluated with an EnvRecorder: the environment variables it read.
   * `complete` is false when it enumerated or changed the environment, or was not recorded.
   */
  evaluation?: Evaluation;
}

export interface Evaluation {
  reads: Record<string, string | undefined>;
  complete: boolean;
}

/** The nearest folder at or above `dir` holding `package.json` or `.git`, if any. */
export function findProjectRoot(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(current, 'package.json')) || existsSync(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Every file the search below would try, in its order: `configPath` alone, or each search place
 * of each folder from `cwd` up to the project root. guard and verify read these at another
 * revision to learn where that revision kept its migrations.
 */
export function configCandidates(cwd: string, configPath?: string): string[] {
  if (configPath !== undefined) return [path.resolve(cwd, configPath)];
  const stop = findProjectRoot(cwd);
  const out: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of SEARCH_PLACES) out.push(path.join(dir, name));
    if (dir === stop || path.dirname(dir) === dir) return out;
  }
}

/**
 * Searches from `cwd` up to the project root; `configPath` loads that file instead. With
 * `recordEnv`, the evaluation of a `.ts`/`.js` config runs under it (see FoundConfig.evaluation).
 */
export async function findConfig(cwd: string, configPath?: string, recordEnv?: EnvRecorder): Promise<FoundConfig | undefined> {
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  let evaluation: Evaluation | undefined;
  /** Evaluates a config module, recording the environment variables it reads. */
  const evaluate: Evaluate = async (run, options) => {
    evaluation ??= { reads: {}, complete: true };
    if (recordEnv === undefined || options?.notReevaluated === true) {
      evaluation.complete = false;
      return run();
    }
    const recorded = await recordEnv(run);
    for (const [name, value] of Object.entries(recorded.reads)) if (!Object.hasOwn(evaluation.reads, name)) evaluation.reads[name] = value;
    evaluation.complete &&= recorded.complete;
    return recorded.value;
  };
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    loaders: {
      '.ts': (filepath) => importTypeScript(filepath, evaluate),
      '.js': (filepath) => importJavaScript(filepath, evaluate),
      '.mjs': (filepath) => importJavaScript(filepath, evaluate),
      '.cjs': (filepath) => importJavaScript(filepath, evaluate),
      '.json': defaultLoaders['.json'],
      '.yaml': defaultLoaders['.yaml'],
      '.yml': defaultLoaders['.yml'],
      noExt: defaultLoaders.noExt,
    },
  });
  const withEvaluation = (found: FoundConfig): FoundConfig => (evaluation === undefined ? found : { ...found, evaluation });

  if (configPath !== undefined) {
    const filepath = path.resolve(cwd, configPath);
    if (!existsSync(filepath)) {
      throw usageError(`config file not found: ${configPath}`, 'Check the --config path, or omit it to search for archon-migrate.config.ts.');
    }
    const result = await readWith(() => explorer.load(filepath), filepath, cwd);
    return withEvaluation({ filepath, value: result?.config ?? {} });
  }

  const stop = findProjectRoot(cwd);
  let dir = path.resolve(cwd);
  for (;;) {
    const result = await readWith(() => explorer.search(dir), undefined, cwd);
    if (result) return withEvaluation({ filepath: result.filepath, value: result.isEmpty ? {} : result.config });
    if (dir === stop) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * What a config file with `content` at `filepath` exports, evaluated without writing it anywhere:
 * a module is evaluated by jiti as if it were that file (its imports resolve from there), data
 * formats are parsed by cosmiconfig's own loaders. Throws what the evaluation throws.
 */
export async function evaluateConfigSource(filepath: string, content: string): Promise<unknown> {
  const name = path.basename(filepath);
  if (name === 'package.json') return (JSON.parse(content) as Record<string, unknown>)[MODULE_NAME];
  if (/\.[cm]?[jt]s$/.test(name)) {
    const { createJiti } = await import('jiti');
    const jiti = createJiti(filepath, { fsCache: false, moduleCache: false, interopDefault: true, virtualModules: { [MODULE_NAME]: virtualPackage } });
    const mod = (await jiti.evalModule(content, { filename: filepath, async: true })) as Record<string, unknown> | null;
    return mod !== null && typeof mod === 'object' && Object.hasOwn(mod, 'default') ? mod.default : mod;
  }
  const { defaultLoaders } = await import('cosmiconfig');
  const ext = path.extname(name);
  const load = ext === '.json' ? defaultLoaders['.json'] : ext === '.yaml' || ext === '.yml' ? defaultLoaders['.yaml'] : defaultLoaders.noExt;
  return (await load(filepath, content)) ?? {};
}

/** Runs a cosmiconfig read, turning a load failure into one line naming the file (exit 2). */
async function readWith<T>(read: () => Promise<T>, filepath: string | undefined, cwd: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const file = (error as { filepath?: string }).filepath ?? filepath ?? 'config file';
    throw usageError(`${path.relative(cwd, file) || file}: could not be loaded: ${firstLine(error)}`,
      'Fix the syntax error in the config file, or run `archon-migrate init` to write a fresh one.');
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(JSON|YAML) Error in /.test(l));
  return lines[0] ?? 'unknown error';
}

/** The module a config file sees as `archon-migrate`: only `defineConfig` is needed at run time. */
const virtualPackage = { defineConfig, default: { defineConfig } };

/** `notReevaluated`: the module may come from Node's module cache, so its reads cannot be seen. */
type Evaluate = (run: () => Promise<unknown>, options?: { notReevaluated?: boolean }) => Promise<unknown>;

/** URLs of config modules imported natively in this process (Node evaluates a module once). */
const importedNatively = new Set<string>();

async function importTypeScript(filepath: string, evaluate: Evaluate): Promise<unknown> {
  const { createJiti } = await import('jiti');
  // Parent = the config file: jiti then caches transforms in <root>/node_modules/.cache/jiti.
  const jiti = createJiti(filepath, {
    fsCache: true,
    moduleCache: false,
    interopDefault: true,
    virtualModules: { [MODULE_NAME]: virtualPackage },
  });
  return evaluate(() => jiti.import(filepath, { default: true }));
}

/** Native import; when the file imports `archon-migrate` and it is not installed, jiti supplies it. */
async function importJavaScript(filepath: string, evaluate: Evaluate): Promise<unknown> {
  const url = pathToFileURL(filepath).href;
  const again = importedNatively.has(url);
  importedNatively.add(url);
  try {
    const mod = (await evaluate(() => import(url), { notReevaluated: again })) as { default?: unknown };
    return mod.default;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${MODULE_NAME}'`)) {
      return importTypeScript(filepath, evaluate);
    }
    throw error;
  }
}
