import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchonError } from '../../src/core/errors.js';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'archon-config-'));
  // The project root: the config search stops here.
  await writeFile(path.join(dir, 'package.json'), '{ "name": "fixture" }\n');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
}

function load(options: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ cwd: dir, env: {}, ...options });
}

async function loadError(options: Partial<LoadConfigOptions> = {}): Promise<ArchonError> {
  try {
    await load(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ArchonError);
    return error as ArchonError;
  }
  throw new Error('expected loadConfig to fail');
}

const tsConfig = (body: string) => `import { defineConfig } from 'archon-migrate';\n\nexport default defineConfig(${body});\n`;

describe('defaults', () => {
  it('resolves everything relative to the project root when there is no config file', async () => {
    const config = await load();
    expect(config).toEqual({
      root: dir,
      migrationsDir: path.join(dir, 'migrations'),
      rollbacksDir: path.join(dir, 'migrations', 'rollbacks'),
      lockfile: path.join(dir, 'migrations', 'archon-migrate.lock'),
      table: { name: 'archon_migrations' },
      baseBranch: 'main',
      allowOutOfOrder: false,
      pgliteDir: path.join(dir, '.archon', 'pglite'),
    });
  });

  it('uses the project root (nearest package.json) when started in a subfolder', async () => {
    await mkdir(path.join(dir, 'a', 'b'), { recursive: true });
    const config = await load({ cwd: path.join(dir, 'a', 'b') });
    expect(config.root).toBe(dir);
    expect(config.migrationsDir).toBe(path.join(dir, 'migrations'));
  });
});

describe('discovery', () => {
  const body = `{ migrationsDir: 'db/m' }`;
  const cases: [string, string][] = [
    ['archon-migrate.config.ts', tsConfig(`{ migrationsDir: 'db/m' as string }`)],
    ['archon-migrate.config.mjs', `export default ${body};\n`],
    ['archon-migrate.config.js', `export default ${body};\n`],
    ['archon-migrate.config.cjs', `module.exports = ${body};\n`],
    ['archon-migrate.config.json', `{ "migrationsDir": "db/m" }\n`],
    ['.archon-migraterc', `migrationsDir: db/m\n`],
    ['.archon-migraterc.json', `{ "migrationsDir": "db/m" }\n`],
    ['.archon-migraterc.yaml', `migrationsDir: db/m\n`],
    ['.archon-migraterc.yml', `migrationsDir: db/m\n`],
    ['.archon-migraterc.js', `export default ${body};\n`],
  ];
  for (const [file, content] of cases) {
    it(`finds ${file}`, async () => {
      // package.json has "type": "module" so that .js files are ES modules.
      await write('package.json', '{ "name": "fixture", "type": "module" }\n');
      await write(file, content);
      const config = await load();
      expect(config.configFile).toBe(path.join(dir, file));
      expect(config.migrationsDir).toBe(path.join(dir, 'db', 'm'));
    });
  }

  it('finds the "archon-migrate" key of package.json', async () => {
    await write('package.json', JSON.stringify({ name: 'fixture', 'archon-migrate': { migrationsDir: 'db/m' } }));
    const config = await load();
    expect(config.configFile).toBe(path.join(dir, 'package.json'));
    expect(config.migrationsDir).toBe(path.join(dir, 'db', 'm'));
  });

  it('resolves `import { defineConfig } from "archon-migrate"` in a .mjs file without the package installed', async () => {
    await write('archon-migrate.config.mjs', `import { defineConfig } from 'archon-migrate';\nexport default defineConfig({ table: 'ops.ledger' });\n`);
    const config = await load();
    expect(config.table).toEqual({ schema: 'ops', name: 'ledger' });
  });

  it('a .ts config may import its own TypeScript modules', async () => {
    await write('config/dirs.ts', `export const dirs: { m: string } = { m: 'from-module' };\n`);
    await write('archon-migrate.config.ts', `import { defineConfig } from 'archon-migrate';\nimport { dirs } from './config/dirs';\nexport default defineConfig({ migrationsDir: dirs.m });\n`);
    expect((await load()).migrationsDir).toBe(path.join(dir, 'from-module'));
  });

  it('a .cjs config may require("archon-migrate") without the package installed', async () => {
    await write('archon-migrate.config.cjs', `const { defineConfig } = require('archon-migrate');\nmodule.exports = defineConfig({ baseBranch: 'trunk' });\n`);
    expect((await load()).baseBranch).toBe('trunk');
  });

  it('a config that throws is a usage error naming the file', async () => {
    await write('archon-migrate.config.ts', `throw new Error('boom');\n`);
    const error = await loadError();
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('archon-migrate.config.ts: could not be loaded: boom');
  });

  it('searches upward from a subfolder and resolves paths against the config file folder', async () => {
    await write('archon-migrate.config.ts', tsConfig(`{ migrationsDir: 'sql', lockfile: 'sql.lock' }`));
    await mkdir(path.join(dir, 'src', 'deep'), { recursive: true });
    const config = await load({ cwd: path.join(dir, 'src', 'deep') });
    expect(config.root).toBe(dir);
    expect(config.migrationsDir).toBe(path.join(dir, 'sql'));
    expect(config.lockfile).toBe(path.join(dir, 'sql.lock'));
  });

  it('does not search above the project root', async () => {
    await write('archon-migrate.config.json', '{ "migrationsDir": "outer" }');
    await write('inner/package.json', '{ "name": "inner" }');
    const config = await load({ cwd: path.join(dir, 'inner') });
    expect(config.configFile).toBeUndefined();
    expect(config.migrationsDir).toBe(path.join(dir, 'inner', 'migrations'));
  });

  it('stops at a .git folder too', async () => {
    await write('archon-migrate.config.json', '{ "migrationsDir": "outer" }');
    await mkdir(path.join(dir, 'repo', '.git'), { recursive: true });
    const config = await load({ cwd: path.join(dir, 'repo') });
    expect(config.configFile).toBeUndefined();
    expect(config.root).toBe(path.join(dir, 'repo'));
  });

  it('--config loads the given file, relative to cwd', async () => {
    await write('conf/custom.json', '{ "migrationsDir": "m2" }');
    const config = await load({ configPath: 'conf/custom.json' });
    expect(config.configFile).toBe(path.join(dir, 'conf', 'custom.json'));
    expect(config.root).toBe(path.join(dir, 'conf'));
    expect(config.migrationsDir).toBe(path.join(dir, 'conf', 'm2'));
  });

  it('--config with a missing file is a usage error', async () => {
    const error = await loadError({ configPath: 'nope.ts' });
    expect(error.message).toBe('config file not found: nope.ts');
    expect(error.exitCode).toBe(2);
  });

  it('an empty config file means defaults', async () => {
    await write('.archon-migraterc.json', '');
    const config = await load();
    expect(config.migrationsDir).toBe(path.join(dir, 'migrations'));
  });

  it('a config file with a syntax error is a one-line usage error naming the file', async () => {
    await write('archon-migrate.config.json', '{ "migrationsDir": ');
    const error = await loadError();
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^archon-migrate\.config\.json: could not be loaded: /);
    expect(error.message).not.toContain('\n');
  });
});

describe('validation', () => {
  async function invalid(body: string): Promise<string> {
    await write('archon-migrate.config.ts', tsConfig(body));
    const error = await loadError();
    expect(error.exitCode).toBe(2);
    return error.message;
  }

  it('names the field, the bad value and the expected form', async () => {
    expect(await invalid(`{ lockTimeout: '12 parsecs' }`)).toBe(
      'archon-migrate.config.ts: "lockTimeout" must be a duration like 5s, 500ms or 2min (got 12 parsecs)');
  });

  it('rejects unknown keys and lists the valid ones', async () => {
    expect(await invalid(`{ migrationDir: 'x' } as never`)).toBe(
      'archon-migrate.config.ts: unknown key "migrationDir" (valid keys: migrationsDir, rollbacksDir, lockfile, table, databaseUrl, baseBranch, allowOutOfOrder, lockTimeout, statementTimeout, versioning, supabaseHistory, environments)');
  });

  it('rejects unknown keys inside an environment', async () => {
    expect(await invalid(`{ environments: { prod: { databaseURL: 'x' } } } as never`)).toBe(
      'archon-migrate.config.ts: environments.prod: unknown key "databaseURL" (valid keys: migrationsDir, rollbacksDir, lockfile, table, databaseUrl, baseBranch, allowOutOfOrder, lockTimeout, statementTimeout, versioning, supabaseHistory)');
  });

  it('wrong types', async () => {
    expect(await invalid(`{ allowOutOfOrder: 'yes' } as never`)).toBe(
      'archon-migrate.config.ts: "allowOutOfOrder" must be true or false (got yes)');
    expect(await invalid(`{ migrationsDir: 42 } as never`)).toBe(
      'archon-migrate.config.ts: "migrationsDir" must be a non-empty string (a path relative to the config file) (got 42)');
    expect(await invalid(`{ migrationsDir: '' }`)).toBe(
      'archon-migrate.config.ts: "migrationsDir" must be a non-empty string (a path relative to the config file) (got "")');
    expect(await invalid(`{ environments: ['prod'] } as never`)).toBe(
      'archon-migrate.config.ts: "environments" must be an object mapping environment names to settings (got an array)');
    expect(await invalid(`{ statementTimeout: 60 } as never`)).toBe(
      'archon-migrate.config.ts: "statementTimeout" must be a duration like 5s, 500ms or 2min (got 60)');
    expect(await invalid(`{ table: 'a.b.c' }`)).toBe(
      'archon-migrate.config.ts: "table" must be a table name like archon_migrations or ops.archon_migrations (got a.b.c)');
  });

  it('a field inside an environment is named with its path', async () => {
    expect(await invalid(`{ environments: { prod: { lockTimeout: 'soon' } } }`)).toBe(
      'archon-migrate.config.ts: "environments.prod.lockTimeout" must be a duration like 5s, 500ms or 2min (got soon)');
  });

  it('a non-object export', async () => {
    await write('archon-migrate.config.json', '[1, 2]');
    expect((await loadError()).message).toBe(
      'archon-migrate.config.json: must export an object (e.g. `export default defineConfig({ migrationsDir: "migrations" })`) (got an array)');
  });

  it('a database URL that is not postgres:// is refused without showing its password', async () => {
    const message = await invalid(`{ databaseUrl: 'mysql://admin:hunter2@db.example.com/app' }`);
    expect(message).toBe('archon-migrate.config.ts: "databaseUrl" must be a postgres:// or postgresql:// URL (got mysql://admin:****@db.example.com/app)');
    expect(message).not.toContain('hunter2');
  });

  it('accepts durations as PostgreSQL writes them', async () => {
    for (const d of ['5s', '500ms', '2min', '1h', '1d', '250', '1.5s', '10 s']) {
      await write('archon-migrate.config.json', JSON.stringify({ lockTimeout: d }));
      expect((await load()).lockTimeout).toBe(d);
    }
  });

  it('accepts postgresql:// and postgres:// URLs', async () => {
    for (const url of ['postgres://u:p@h:5432/db', 'postgresql://h/db?sslmode=require']) {
      await write('archon-migrate.config.json', JSON.stringify({ databaseUrl: url }));
      expect((await load()).databaseUrl).toBe(url);
    }
  });
});

describe('precedence: flag > environment variable > selected environment > file > defaults', () => {
  beforeEach(async () => {
    await write('archon-migrate.config.ts', tsConfig(`{
      migrationsDir: 'file-migrations',
      databaseUrl: 'postgres://file@h/db',
      lockTimeout: '1s',
      table: 'file_table',
      environments: {
        prod: { databaseUrl: 'postgres://prod@h/db', lockTimeout: '2s', allowOutOfOrder: true },
        ci: { migrationsDir: 'ci-migrations' },
      },
    }`));
  });

  it('file over defaults', async () => {
    const config = await load();
    expect(config.migrationsDir).toBe(path.join(dir, 'file-migrations'));
    expect(config.databaseUrl).toBe('postgres://file@h/db');
    expect(config.lockTimeout).toBe('1s');
    expect(config.table).toEqual({ name: 'file_table' });
    expect(config.baseBranch).toBe('main');
    expect(config.envName).toBeUndefined();
  });

  it('selected environment over file', async () => {
    const config = await load({ envName: 'prod' });
    expect(config.envName).toBe('prod');
    expect(config.databaseUrl).toBe('postgres://prod@h/db');
    expect(config.lockTimeout).toBe('2s');
    expect(config.allowOutOfOrder).toBe(true);
    expect(config.migrationsDir).toBe(path.join(dir, 'file-migrations'));
  });

  it('derived defaults follow the final migrationsDir', async () => {
    const config = await load({ envName: 'ci' });
    expect(config.rollbacksDir).toBe(path.join(dir, 'ci-migrations', 'rollbacks'));
    expect(config.lockfile).toBe(path.join(dir, 'ci-migrations', 'archon-migrate.lock'));
  });

  it('ARCHON_MIGRATE_ENV selects the environment; --env wins over it', async () => {
    expect((await load({ env: { ARCHON_MIGRATE_ENV: 'prod' } })).lockTimeout).toBe('2s');
    const config = await load({ env: { ARCHON_MIGRATE_ENV: 'prod' }, envName: 'ci' });
    expect(config.envName).toBe('ci');
    expect(config.lockTimeout).toBe('1s');
  });

  it('environment variables over the selected environment', async () => {
    const config = await load({
      envName: 'prod',
      env: {
        DATABASE_URL: 'postgres://envvar@h/db',
        ARCHON_MIGRATE_LOCK_TIMEOUT: '3s',
        ARCHON_MIGRATE_STATEMENT_TIMEOUT: '30s',
        ARCHON_MIGRATE_MIGRATIONS_DIR: 'env-m',
        ARCHON_MIGRATE_ROLLBACKS_DIR: 'env-r',
        ARCHON_MIGRATE_LOCKFILE: 'env.lock',
        ARCHON_MIGRATE_TABLE: 'ops.env_table',
      },
    });
    expect(config.databaseUrl).toBe('postgres://envvar@h/db');
    expect(config.lockTimeout).toBe('3s');
    expect(config.statementTimeout).toBe('30s');
    expect(config.migrationsDir).toBe(path.join(dir, 'env-m'));
    expect(config.rollbacksDir).toBe(path.join(dir, 'env-r'));
    expect(config.lockfile).toBe(path.join(dir, 'env.lock'));
    expect(config.table).toEqual({ schema: 'ops', name: 'env_table' });
  });

  it('ARCHON_MIGRATE_DATABASE_URL wins over DATABASE_URL', async () => {
    const config = await load({ env: { DATABASE_URL: 'postgres://generic@h/db', ARCHON_MIGRATE_DATABASE_URL: 'postgres://specific@h/db' } });
    expect(config.databaseUrl).toBe('postgres://specific@h/db');
  });

  it('an empty environment variable counts as unset', async () => {
    expect((await load({ env: { DATABASE_URL: '' } })).databaseUrl).toBe('postgres://file@h/db');
  });

  it('--database-url wins over everything', async () => {
    const config = await load({
      envName: 'prod',
      env: { DATABASE_URL: 'postgres://a@h/db', ARCHON_MIGRATE_DATABASE_URL: 'postgres://b@h/db' },
      flags: { databaseUrl: 'postgres://flag@h/db' },
    });
    expect(config.databaseUrl).toBe('postgres://flag@h/db');
  });

  it('bad values from environment variables and flags name their source', async () => {
    expect((await loadError({ env: { ARCHON_MIGRATE_LOCK_TIMEOUT: '12 parsecs' } })).message).toBe(
      'ARCHON_MIGRATE_LOCK_TIMEOUT must be a duration like 5s, 500ms or 2min (got 12 parsecs)');
    expect((await loadError({ env: { DATABASE_URL: 'mysql://root:s3cret@h/db' } })).message).toBe(
      'DATABASE_URL must be a postgres:// or postgresql:// URL (got mysql://root:****@h/db)');
    expect((await loadError({ flags: { databaseUrl: 'localhost:5432' } })).message).toBe(
      '--database-url must be a postgres:// or postgresql:// URL (got localhost:5432)');
  });

  it('an unknown environment lists the defined ones (exit 2)', async () => {
    const error = await loadError({ envName: 'staging' });
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('unknown environment "staging": archon-migrate.config.ts defines prod, ci');
    expect(error.hint).toBe('Use one of: --env prod, --env ci.');
    expect((await loadError({ env: { ARCHON_MIGRATE_ENV: 'qa' } })).message).toBe(
      'unknown environment "qa" (from ARCHON_MIGRATE_ENV): archon-migrate.config.ts defines prod, ci');
  });
});

describe('unknown environment without environments', () => {
  it('says the config defines none', async () => {
    await write('archon-migrate.config.json', '{}');
    expect((await loadError({ envName: 'prod' })).message).toBe('unknown environment "prod": archon-migrate.config.json defines no environments');
  });

  it('says there is no config file', async () => {
    expect((await loadError({ envName: 'prod' })).message).toBe('unknown environment "prod": no config file was found');
  });
});

describe('.env', () => {
  it('is read from the project root and fills unset variables', async () => {
    await write('.env', '# local\nDATABASE_URL=postgres://dotenv:pw@localhost/dev\nARCHON_MIGRATE_TABLE="dot_table"\n');
    await mkdir(path.join(dir, 'sub'));
    const config = await load({ cwd: path.join(dir, 'sub') });
    expect(config.databaseUrl).toBe('postgres://dotenv:pw@localhost/dev');
    expect(config.table).toEqual({ name: 'dot_table' });
  });

  it('the real environment wins over .env', async () => {
    await write('.env', 'DATABASE_URL=postgres://dotenv@localhost/dev\n');
    const config = await load({ env: { DATABASE_URL: 'postgres://real@localhost/dev' } });
    expect(config.databaseUrl).toBe('postgres://real@localhost/dev');
  });

  it('.env may select the environment', async () => {
    await write('archon-migrate.config.json', JSON.stringify({ environments: { dev: { lockTimeout: '9s' } } }));
    await write('.env', 'ARCHON_MIGRATE_ENV=dev\n');
    expect((await load()).lockTimeout).toBe('9s');
  });

  it('.env does not override the config file for keys it does not set, and is below environment variables only', async () => {
    await write('archon-migrate.config.json', JSON.stringify({ databaseUrl: 'postgres://file@h/db' }));
    await write('.env', 'DATABASE_URL=postgres://dotenv@h/db\n');
    // .env feeds environment variables, which rank above the file.
    expect((await load()).databaseUrl).toBe('postgres://dotenv@h/db');
  });
});

describe('paths stay inside the repository (exit 2 otherwise)', () => {
  const gitInit = async (at = dir) => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['init', '-q', at], { stdio: 'ignore', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  };
  const hint = 'Keep migrations, rollbacks and the lockfile inside the repository: git must see them for the lockfile, guard and verify to protect them.';

  it('refuses a migrationsDir, a rollbacksDir and a lockfile that lead out of it, naming where each was set', async () => {
    await gitInit();
    await write('archon-migrate.config.ts', tsConfig(`{ migrationsDir: '../shared-migrations' }`));
    const error = await loadError();
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`archon-migrate.config.ts: migrationsDir "../shared-migrations" is outside the repository ${dir}`);
    expect(error.hint).toBe(hint);

    await write('archon-migrate.config.ts', tsConfig(`{ rollbacksDir: '/tmp' }`));
    expect((await loadError()).message).toBe(`archon-migrate.config.ts: rollbacksDir "/tmp" is outside the repository ${dir}`);

    await write('archon-migrate.config.ts', tsConfig(`{ environments: { ci: { lockfile: '../x.lock' } } }`));
    expect((await load()).lockfile).toBe(path.join(dir, 'migrations', 'archon-migrate.lock'));
    expect((await loadError({ envName: 'ci' })).message).toBe(`archon-migrate.config.ts (environments.ci): lockfile "../x.lock" is outside the repository ${dir}`);
    expect((await loadError({ env: { ARCHON_MIGRATE_LOCKFILE: '/etc/archon.lock' } })).message)
      .toBe(`ARCHON_MIGRATE_LOCKFILE: lockfile "/etc/archon.lock" is outside the repository ${dir}`);
  });

  it('refuses a folder inside that is a symbolic link to one outside', async () => {
    await gitInit();
    const outside = await mkdtemp(path.join(tmpdir(), 'archon-outside-'));
    try {
      const { symlink } = await import('node:fs/promises');
      await symlink(outside, path.join(dir, 'migrations'));
      const error = await loadError();
      expect(error.message).toBe(`migrationsDir (by default ${path.join(dir, 'migrations')}) is outside the repository ${dir} (through a symbolic link, it leads to ${outside})`);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('accepts paths anywhere inside, also above the config file in a monorepo, and any path without git', async () => {
    await gitInit();
    await write('packages/db/package.json', '{ "name": "db" }\n');
    await write('packages/db/archon-migrate.config.ts', tsConfig(`{ migrationsDir: '../../sql', lockfile: '../../sql/seals.lock' }`));
    const config = await load({ cwd: path.join(dir, 'packages', 'db') });
    expect(config.migrationsDir).toBe(path.join(dir, 'sql'));

    await rm(path.join(dir, '.git'), { recursive: true, force: true });
    await write('archon-migrate.config.ts', tsConfig(`{ migrationsDir: '/srv/migrations' }`));
    expect((await load()).migrationsDir).toBe('/srv/migrations');
  });
});
