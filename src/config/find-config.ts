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
import type { Loader } from 'cosmiconfig';
import { usageError } from '../core/errors.js';
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

/** Searches from `cwd` up to the project root; `configPath` loads that file instead. */
export async function findConfig(cwd: string, configPath?: string): Promise<FoundConfig | undefined> {
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    loaders: {
      '.ts': importTypeScript,
      '.js': importJavaScript,
      '.mjs': importJavaScript,
      '.cjs': importJavaScript,
      '.json': defaultLoaders['.json'],
      '.yaml': defaultLoaders['.yaml'],
      '.yml': defaultLoaders['.yml'],
      noExt: defaultLoaders.noExt,
    },
  });

  if (configPath !== undefined) {
    const filepath = path.resolve(cwd, configPath);
    if (!existsSync(filepath)) {
      throw usageError(`config file not found: ${configPath}`, 'Check the --config path, or omit it to search for archon-migrate.config.ts.');
    }
    const result = await readWith(() => explorer.load(filepath), filepath, cwd);
    return { filepath, value: result?.config ?? {} };
  }

  const stop = findProjectRoot(cwd);
  let dir = path.resolve(cwd);
  for (;;) {
    const result = await readWith(() => explorer.search(dir), undefined, cwd);
    if (result) return { filepath: result.filepath, value: result.isEmpty ? {} : result.config };
    if (dir === stop) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
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

const importTypeScript: Loader = async (filepath) => {
  const { createJiti } = await import('jiti');
  // Parent = the config file: jiti then caches transforms in <root>/node_modules/.cache/jiti.
  const jiti = createJiti(filepath, {
    fsCache: true,
    moduleCache: false,
    interopDefault: true,
    virtualModules: { [MODULE_NAME]: virtualPackage },
  });
  return jiti.import(filepath, { default: true });
};

/** Native import; when the file imports `archon-migrate` and it is not installed, jiti supplies it. */
const importJavaScript: Loader = async (filepath) => {
  try {
    const mod = (await import(pathToFileURL(filepath).href)) as { default?: unknown };
    return mod.default;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${MODULE_NAME}'`)) {
      return importTypeScript(filepath, '');
    }
    throw error;
  }
};
