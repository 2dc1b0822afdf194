/**
 * The config cache (src/config/config-cache.ts). A hit is told from a full load by planting a
 * different value in the cache file: only a load that trusted the cache returns it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordEnvReads } from '../../src/cli/env-recorder.js';
import { CACHE_FILE, selfContained } from '../../src/config/config-cache.js';
import { loadConfig } from '../../src/config/load-config.js';

const VAR = 'ARCHON_CACHE_TEST_DIR';
const OTHER = 'ARCHON_CACHE_TEST_OTHER';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'archon-config-cache-'));
  await writeFile(path.join(dir, 'package.json'), '{ "name": "fixture" }\n');
  await mkdir(path.join(dir, 'node_modules'));
});

afterEach(async () => {
  delete process.env[VAR];
  delete process.env[OTHER];
  await rm(dir, { recursive: true, force: true });
});

async function write(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
}

/** What the CLI does: the real environment, the recorder, a package version. */
function load(version = '1.0.0') {
  return loadConfig({ cwd: dir, env: process.env, cache: { version, recordEnv: recordEnvReads } });
}

const cacheFile = () => path.join(dir, CACHE_FILE);

interface CacheDoc { entries: Record<string, { config: Record<string, unknown>; env: Record<string, string | null> }> }
const readCache = (): CacheDoc => JSON.parse(readFileSync(cacheFile(), 'utf8')) as CacheDoc;

/** Replaces the cached migrationsDir of every entry: a load that returns it did not evaluate the file. */
function plant(migrationsDir: string): void {
  const doc = readCache();
  for (const entry of Object.values(doc.entries)) entry.config.migrationsDir = migrationsDir;
  writeFileSync(cacheFile(), JSON.stringify(doc));
}

const dirOf = async (version?: string) => path.relative(dir, (await load(version)).migrationsDir);

/**
 * The first load of a changed `.ts` config transforms it, and the transform library enumerates
 * the environment when it starts up, so that load is not cached; the next one is.
 */
async function prime(): Promise<string> {
  await dirOf();
  return dirOf();
}

const tsConfig = (body: string) => `import { defineConfig } from 'archon-migrate';\n\nexport default defineConfig(${body});\n`;

describe('config cache', () => {
  it('stores the validated config file and uses it on the next run', async () => {
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: 'db/migrations', lockTimeout: '5s' }"));
    expect(await prime()).toBe(path.join('db', 'migrations'));
    const doc = readCache();
    expect(Object.keys(doc.entries)).toEqual([path.join(dir, 'archon-migrate.config.ts')]);
    expect(Object.values(doc.entries)[0]!.config).toEqual({ migrationsDir: 'db/migrations', lockTimeout: '5s' });
    plant('from-cache');
    expect(await dirOf()).toBe('from-cache');
  });

  it('loads in full when the file content changes, and caches the new content', async () => {
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: 'one' }"));
    await prime();
    plant('from-cache');
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: 'two' }"));
    expect(await dirOf()).toBe('two');
    await prime();
    plant('from-cache');
    expect(await dirOf()).toBe('from-cache');
  });

  it('loads in full when the package version changes', async () => {
    await write('archon-migrate.config.json', '{ "migrationsDir": "json-dir" }\n');
    await dirOf('1.0.0');
    plant('from-cache');
    expect(await dirOf('1.0.1')).toBe('json-dir');
  });

  it('loads in full when an environment variable the config read changes, not when another one does', async () => {
    await write('archon-migrate.config.ts', tsConfig(`{ migrationsDir: process.env.${VAR} ?? 'unset' }`));
    process.env[VAR] = 'a';
    expect(await prime()).toBe('a');
    const recorded = Object.keys(Object.values(readCache().entries)[0]!.env);
    expect(recorded).toContain(VAR);
    expect(recorded).not.toContain(OTHER);
    expect(Object.values(readCache().entries)[0]!.env[VAR]).toMatch(/^[0-9a-f]{64}$/); // a digest, not the value
    plant('from-cache');

    process.env[OTHER] = 'changed';
    expect(await dirOf()).toBe('from-cache');

    process.env[VAR] = 'b';
    expect(await dirOf()).toBe('b');
    delete process.env[VAR];
    expect(await dirOf()).toBe('unset');
  });

  it('never caches a .js config that Node served from its module cache (its reads went unseen)', async () => {
    await write('archon-migrate.config.mjs', `export default { migrationsDir: process.env.${VAR} ?? 'unset' };\n`);
    process.env[VAR] = 'a';
    expect(await dirOf()).toBe('a');
    const digest = Object.values(readCache().entries)[0]!.env[VAR];
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    process.env[VAR] = 'b';
    await dirOf(); // a second import in this process: Node does not evaluate the module again
    expect(Object.values(readCache().entries)[0]!.env[VAR]).toBe(digest);
  });

  it('puts process.env back after evaluating the config', async () => {
    const before = process.env;
    await write('archon-migrate.config.ts', tsConfig(`{ migrationsDir: process.env.${VAR} ?? 'unset' }`));
    await dirOf();
    expect(process.env).toBe(before);
  });

  it('ignores a corrupt cache file and rewrites it', async () => {
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: 'real' }"));
    await dirOf();
    await mkdir(path.dirname(cacheFile()), { recursive: true });
    writeFileSync(cacheFile(), '{"format": "archon-migrate config cache v1", "entries": {"x": ');
    expect(await dirOf()).toBe('real');
    plant('from-cache');
    expect(await dirOf()).toBe('from-cache');

    writeFileSync(cacheFile(), '\u0000not json');
    expect(await dirOf()).toBe('real');
    expect(Object.keys(readCache().entries)).toEqual([path.join(dir, 'archon-migrate.config.ts')]);
  });

  it('loads in full when a higher-priority config file appears', async () => {
    await write('archon-migrate.config.json', '{ "migrationsDir": "from-json" }\n');
    await dirOf();
    plant('from-cache');
    expect(await dirOf()).toBe('from-cache');
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: 'from-ts' }"));
    expect(await dirOf()).toBe('from-ts');
  });

  it('loads in full when a config file appears in a folder between the working directory and the cached one', async () => {
    await write('archon-migrate.config.json', '{ "migrationsDir": "top" }\n');
    await mkdir(path.join(dir, 'sub', 'deeper'), { recursive: true });
    const fromSub = () => loadConfig({ cwd: path.join(dir, 'sub', 'deeper'), env: process.env, cache: { version: '1.0.0', recordEnv: recordEnvReads } });
    expect((await fromSub()).root).toBe(dir);
    plant('from-cache');
    expect(path.relative(dir, (await fromSub()).migrationsDir)).toBe('from-cache');
    await write('sub/.archon-migraterc.json', '{ "migrationsDir": "nearer" }\n');
    const config = await fromSub();
    expect(config.configFile).toBe(path.join(dir, 'sub', '.archon-migraterc.json'));
    expect(config.migrationsDir).toBe(path.join(dir, 'sub', 'nearer'));
  });

  it('caches a package.json config, keyed by the whole file', async () => {
    await write('package.json', '{ "name": "fixture", "archon-migrate": { "migrationsDir": "pkg-dir" } }\n');
    expect(await dirOf()).toBe('pkg-dir');
    plant('from-cache');
    expect(await dirOf()).toBe('from-cache');
    await write('package.json', '{ "name": "fixture", "version": "2.0.0", "archon-migrate": { "migrationsDir": "pkg-dir" } }\n');
    expect(await dirOf()).toBe('pkg-dir');
  });

  it('writes nothing without a node_modules folder', async () => {
    await rm(path.join(dir, 'node_modules'), { recursive: true });
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: 'real' }"));
    expect(await prime()).toBe('real');
    expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
  });

  it('does not cache a config that imports another module, so a change there is seen', async () => {
    await write('settings.ts', "export const folder = 'first';\n");
    await write('archon-migrate.config.ts', "import { defineConfig } from 'archon-migrate';\nimport { folder } from './settings';\n\nexport default defineConfig({ migrationsDir: folder });\n");
    expect(await prime()).toBe('first');
    expect(existsSync(cacheFile())).toBe(false);
    await write('settings.ts', "export const folder = 'second';\n");
    expect(await dirOf()).toBe('second');
  });

  it('does not cache a config that enumerates the environment', async () => {
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: Object.keys(process.env).length > 0 ? 'some' : 'none' }"));
    expect(await prime()).toBe('some');
    expect(existsSync(cacheFile())).toBe(false);
  });

  it('does not cache a database URL with a password taken from the environment', async () => {
    process.env[VAR] = 'postgres://app:s3cret@db.example.com/app';
    await write('archon-migrate.config.ts', tsConfig(`{ databaseUrl: process.env.${VAR} }`));
    await prime();
    expect((await load()).databaseUrl).toBe('postgres://app:s3cret@db.example.com/app');
    expect(existsSync(cacheFile())).toBe(false);
  });

  it('applies environment variables, --env and .env on every run, after the cache', async () => {
    await write('archon-migrate.config.ts', tsConfig("{ migrationsDir: 'file-dir', environments: { ci: { lockTimeout: '2s' } } }"));
    await prime();
    plant('file-dir');
    const env = { ...process.env, ARCHON_MIGRATE_MIGRATIONS_DIR: 'env-dir', ARCHON_MIGRATE_ENV: 'ci' };
    const config = await loadConfig({ cwd: dir, env, cache: { version: '1.0.0', recordEnv: recordEnvReads } });
    expect(config.migrationsDir).toBe(path.join(dir, 'env-dir'));
    expect(config.lockTimeout).toBe('2s');
    await write('.env', 'ARCHON_MIGRATE_TABLE=ops.ledger\n');
    expect((await load()).table).toEqual({ schema: 'ops', name: 'ledger' });
  });
});

describe('selfContained', () => {
  it('accepts a config that imports only archon-migrate and reads only process.env', () => {
    expect(selfContained(tsConfig("{ databaseUrl: process.env.DATABASE_URL, lockTimeout: '5s' }"))).toBe(true);
    expect(selfContained("const { defineConfig } = require('archon-migrate');\nmodule.exports = defineConfig({});\n")).toBe(true);
  });

  it('refuses other imports, other process state and other global inputs', () => {
    for (const source of [
      "import { folder } from './settings';",
      "export { default } from './base.config';",
      "import './side-effect';",
      "const m = await import('./x.js');",
      "const m = require('node:fs');",
      'const r = require;',
      'export default { migrationsDir: process.cwd() };',
      "export default { table: `t_${Date.now()}` };",
      'export default globalThis.settings;',
    ]) expect(selfContained(source), source).toBe(false);
  });
});
