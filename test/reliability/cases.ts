/**
 * The catalogue of bad inputs. Each case builds a project, optionally brings the database into a
 * state, runs one command and states what a user must see: the exit code (2 = bad usage, config
 * or input; 1 = failed or blocked) and the words that name the problem (and the file or field).
 * bad-inputs.test.ts adds the checks common to all of them: no stack trace and nothing written,
 * neither in the project folder nor in the database.
 *
 * The README quotes `cases.length`; test/docs checks that the figure there is this one.
 */
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checksum } from '../../src/core/checksum.js';
import { serializeLockfile } from '../../src/core/lockfile.js';
import { baseEnv, type CliRun, type Env } from './harness.js';

const TWO_TRANSACTIONS = 'BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;\n';
const MIXED_CONCURRENTLY = 'ALTER TABLE widgets ADD COLUMN email text;\nCREATE INDEX CONCURRENTLY widgets_email ON widgets (email);\n';

/** Runs git in the case's project (identity and environment from the harness). */
function git(dir: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: dir, env: baseEnv() }, (error, _stdout, stderr) => (error ? reject(new Error(`git ${args.join(' ')}: ${stderr}`)) : resolve()));
  });
}

/**
 * A git repository whose main branch has the first migration sealed and committed, on a branch
 * `feature` that adds `file` (content `sql`), sealed with `lock` unless `seal` is false; staged,
 * and committed when `commit` is true.
 */
async function featureBranch(c: CaseContext, file: string, sql: string, options: { commit: boolean }): Promise<void> {
  await git(c.dir, 'init', '-q', '-b', 'main');
  await git(c.dir, 'add', '-A');
  await git(c.dir, 'commit', '-q', '-m', 'base');
  await git(c.dir, 'checkout', '-q', '-b', 'feature');
  await writeFile(path.join(c.dir, 'migrations', file), sql);
  // What `lock` would write today, bypassing its checks: the seal of the new file.
  await writeFile(path.join(c.dir, 'migrations', 'archon-migrate.lock'), lockFor({ [F1]: W1, [file]: sql }));
  await git(c.dir, 'add', '-A');
  if (options.commit) await git(c.dir, 'commit', '-q', '-m', 'feature');
}

export interface CaseContext {
  /** Project folder (absolute). */
  dir: string;
  /** Admin URL of this case's own fresh database on the test server. */
  url: string;
  /** Name of that database. */
  database: string;
  /** URL of the password role for that database, with a given password. */
  passwordUrl(password?: string): string;
  /** A port on 127.0.0.1 where nothing listens. */
  closedPort: number;
  /** Runs the CLI (in-process) as part of the preparation; throws unless it exits 0. */
  cli(argv: string[]): Promise<void>;
  /** Runs SQL on this case's database as the admin. */
  sql(text: string): Promise<void>;
}

export interface BadInputCase {
  /** Unique, kebab-case. */
  id: string;
  category: 'file names' | 'lockfile' | 'configuration' | 'connection' | 'create' | 'migration content' | 'commands';
  /** Project files written before anything runs (paths relative to the project). */
  files?: Record<string, string | Uint8Array>;
  /** Brings the project or database into the state to test, before the snapshots are taken. */
  prepare?: (ctx: CaseContext) => Promise<void>;
  argv: (ctx: CaseContext) => string[];
  /**
   * Environment variables on top of the base environment. By default DATABASE_URL is this
   * case's fresh database, so no case falls back to the embedded database by accident.
   */
  env?: (ctx: CaseContext) => Env;
  /** Run through the built binary instead of in-process. */
  binary?: boolean;
  exit: 1 | 2;
  /** Every fragment must appear in the output (stderr, or stdout for --json). */
  says: (string | RegExp)[];
  /** Extra checks after the run (e.g. a table that must still exist). */
  check?: (ctx: CaseContext, run: CliRun) => Promise<void>;
  /**
   * The product does not behave as the case expects yet: what goes wrong, in one sentence. The
   * test is then marked `it.fails`, so it fails loudly the day the bug is fixed — delete the
   * field then. Reported to the owner of the code, never silently accepted.
   */
  knownBug?: string;
}

const W1 = 'CREATE TABLE widgets (id bigint PRIMARY KEY);\n';
const W2 = 'ALTER TABLE widgets ADD COLUMN name text;\n';
const F1 = '001_create_widgets.sql';
const F2 = '002_add_widget_name.sql';
const M = 'migrations';
const LOCK = `${M}/archon-migrate.lock`;

/** The lockfile the tool would write for these migration files. */
function lockFor(files: Record<string, string>): string {
  return serializeLockfile(Object.entries(files).map(([file, text]) => ({ file, checksum: checksum(text) })));
}

const goodLock = lockFor({ [F1]: W1, [F2]: W2 });
const [goodHeader, goodEntry1, goodEntry2] = goodLock.split('\n') as [string, string, string];
const twoMigrations = { [`${M}/${F1}`]: W1, [`${M}/${F2}`]: W2 };

/** A migrations folder holding these files besides a valid first migration. */
function withFiles(extra: Record<string, string>): Record<string, string> {
  return { [`${M}/${F1}`]: W1, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${M}/${k}`, v])) };
}

function jsonConfig(value: unknown): Record<string, string> {
  return { 'archon-migrate.config.json': JSON.stringify(value, null, 2) + '\n' };
}

const INVALID_NAME = 'invalid migration file name';

export const cases: BadInputCase[] = [
  // ── file names ────────────────────────────────────────────────────────────────────────────────
  { id: 'name-uppercase', category: 'file names', files: withFiles({ '002_AddName.sql': W2 }), argv: () => ['up'], exit: 2,
    says: [`${M}/002_AddName.sql`, INVALID_NAME, '<digits>_<lower-case letters, digits, _>.sql'] },
  { id: 'name-space', category: 'file names', files: withFiles({ '002_add name.sql': W2 }), argv: () => ['status'], exit: 2,
    says: [`${M}/002_add name.sql`, INVALID_NAME] },
  { id: 'name-upper-extension', category: 'file names', files: withFiles({ '002_add_name.SQL': W2 }), argv: () => ['lock'], exit: 2,
    says: [`${M}/002_add_name.SQL`, INVALID_NAME] },
  { id: 'name-no-underscore', category: 'file names', files: withFiles({ '002addname.sql': W2 }), argv: () => ['up', '--dry-run'], exit: 2,
    says: [`${M}/002addname.sql`, INVALID_NAME] },
  { id: 'name-no-digits', category: 'file names', files: withFiles({ 'add_name.sql': W2 }), argv: () => ['lock', '--check'], exit: 2,
    says: [`${M}/add_name.sql`, INVALID_NAME] },
  { id: 'name-empty-after-version', category: 'file names', files: withFiles({ '1_.sql': W2 }), argv: () => ['up'], exit: 2,
    says: [`${M}/1_.sql`, INVALID_NAME] },
  { id: 'name-hyphens', category: 'file names', files: withFiles({ '002-add-name.sql': W2 }), argv: () => ['create', 'third'], exit: 2,
    says: [`${M}/002-add-name.sql`, INVALID_NAME] },
  { id: 'name-version-too-long', category: 'file names', files: withFiles({ [`${'9'.repeat(21)}_huge.sql`]: W2 }), argv: () => ['up'], exit: 2,
    says: [`${'9'.repeat(21)}_huge.sql`, 'at most 20'] },
  { id: 'name-duplicate-version', category: 'file names', files: { [`${M}/1_a.sql`]: W1, [`${M}/001_b.sql`]: W2 }, argv: () => ['up'], exit: 2,
    says: ['duplicate migration version 1', '001_b.sql', '1_a.sql', 'fix: Renumber the one that is not applied anywhere yet'] },
  { id: 'name-duplicate-version-lock', category: 'file names', files: { [`${M}/1_a.sql`]: W1, [`${M}/001_b.sql`]: W2 }, argv: () => ['lock'], exit: 2,
    says: ['duplicate migration version 1', '001_b.sql', '1_a.sql'] },
  { id: 'name-several-problems', category: 'file names', files: withFiles({ 'X.sql': W2, '003_Bad.sql': W2 }), argv: () => ['status'], exit: 2,
    says: [`${M}/X.sql`, `${M}/003_Bad.sql`] },

  { id: 'name-symlink-skipped', category: 'file names', files: { [`${M}/${F1}`]: W1, 'shared/notes.sql': W2 },
    prepare: (c) => symlink(path.join('..', 'shared', 'notes.sql'), path.join(c.dir, M, '002_shared_notes.sql')),
    argv: () => ['up'], exit: 2, says: ['002_shared_notes.sql'] },
  { id: 'guard-symlink-migration', category: 'file names', files: { [`${M}/${F1}`]: W1, [LOCK]: lockFor({ [F1]: W1 }), 'shared/notes.sql': W2 },
    prepare: async (c) => {
      await git(c.dir, 'init', '-q', '-b', 'main');
      await git(c.dir, 'add', '-A');
      await git(c.dir, 'commit', '-q', '-m', 'base');
      await symlink(path.join('..', 'shared', 'notes.sql'), path.join(c.dir, M, '002_shared_notes.sql'));
      await git(c.dir, 'add', '-A');
    },
    argv: () => ['guard'], exit: 1, says: ['002_shared_notes.sql', 'symbolic link'] },
  { id: 'lock-symlink-skipped', category: 'file names', files: { [`${M}/${F1}`]: W1, 'shared/notes.sql': W2 },
    prepare: (c) => symlink(path.join('..', 'shared', 'notes.sql'), path.join(c.dir, M, '002_shared_notes.sql')),
    argv: () => ['lock'], exit: 2, says: ['002_shared_notes.sql', 'symbolic link'] },
  // Everything that looks like a migration, in any case, is a migration or an error: never skipped.
  ...(['up', 'lock', 'status'] as const).map((command): BadInputCase => ({
    id: `name-fifo-${command}`, category: 'file names', files: { [`${M}/${F1}`]: W1 },
    prepare: (c) => new Promise<void>((resolve, reject) => {
      execFile('mkfifo', [path.join(c.dir, M, '002_x.sql')], (error) => (error ? reject(error) : resolve()));
    }),
    argv: () => [command], exit: 2, says: [`${M}/002_x.sql`, 'a named pipe (FIFO), not a migration file'],
  })),
  { id: 'name-symlink-mixed-case', category: 'file names', files: { [`${M}/${F1}`]: W1, 'shared/notes.sql': W2 },
    prepare: (c) => symlink(path.join('..', 'shared', 'notes.sql'), path.join(c.dir, M, '003_y.Sql')),
    argv: () => ['lock'], exit: 2, says: [`${M}/003_y.Sql`, 'a symbolic link'] },
  { id: 'name-directory-skipped', category: 'file names', files: { [`${M}/${F1}`]: W1 },
    prepare: async (c) => {
      await mkdir(path.join(c.dir, M, '002_not_a_file.sql'));
      await writeFile(path.join(c.dir, M, '002_not_a_file.sql', 'x'), W2);
    },
    argv: () => ['lock'], exit: 2, says: ['002_not_a_file.sql'] },
  { id: 'json-bad-input', category: 'file names', files: withFiles({ 'X.sql': W2 }), argv: () => ['status', '--json'], exit: 2,
    says: [`${M}/X.sql`, INVALID_NAME],
    check: async (_c, run) => {
      if (run.stdout.trim() !== '') throw new Error(`status --json printed a document on bad input:\n${run.stdout}`);
    } },

  // ── lockfile ──────────────────────────────────────────────────────────────────────────────────
  { id: 'lock-garbage', category: 'lockfile', files: { ...twoMigrations, [LOCK]: 'hello, I am not a lockfile\n' }, argv: () => ['up'], exit: 2,
    says: [`${LOCK}: line 1`, 'missing or bad header'] },
  { id: 'lock-garbage-lock', category: 'lockfile', files: { ...twoMigrations, [LOCK]: 'hello, I am not a lockfile\n' }, argv: () => ['lock'], exit: 2,
    says: [`${LOCK}: line 1`, 'missing or bad header'] },
  { id: 'lock-truncated', category: 'lockfile', files: { ...twoMigrations, [LOCK]: goodLock.slice(0, goodLock.length - 20) }, argv: () => ['up'], exit: 2,
    says: [`${LOCK}: line 3`, 'missing newline at the end of the file'] },
  { id: 'lock-truncated-checksum', category: 'lockfile', files: { ...twoMigrations, [LOCK]: `${goodHeader}\n${goodEntry1.slice(0, 40)}\n` }, argv: () => ['lock', '--check'], exit: 2,
    says: [`${LOCK}: line 2`, 'bad checksum', F1] },
  { id: 'lock-conflict-markers', category: 'lockfile',
    files: { ...twoMigrations, [LOCK]: `<<<<<<< HEAD\n${goodHeader}\n${goodEntry1}\n=======\n${goodHeader}\n${goodEntry2}\n>>>>>>> feature\n` },
    argv: () => ['up'], exit: 2, says: [`${LOCK}: line 1`, 'git merge conflict marker'] },
  { id: 'lock-conflict-markers-lock', category: 'lockfile',
    files: { ...twoMigrations, [LOCK]: `${goodHeader}\n<<<<<<< HEAD\n${goodEntry1}\n=======\n${goodEntry2}\n>>>>>>> feature\n` },
    argv: () => ['lock'], exit: 2, says: [`${LOCK}: line 2`, 'git merge conflict marker'] },
  { id: 'lock-wrong-header-hash', category: 'lockfile',
    files: { ...twoMigrations, [LOCK]: `archon-migrate lock v1 ${checksum('something else')}\n${goodEntry1}\n${goodEntry2}\n` },
    argv: () => ['up'], exit: 2, says: [`${LOCK}: line 1`, 'header hash does not match the entries'] },
  { id: 'lock-hand-edited-entry', category: 'lockfile',
    files: { ...twoMigrations, [LOCK]: `${goodHeader}\n${F1} ${checksum('edited')}\n${goodEntry2}\n` },
    argv: () => ['status'], exit: 2, says: [`${LOCK}: line 1`, 'header hash does not match the entries'] },
  { id: 'lock-crlf', category: 'lockfile', files: { ...twoMigrations, [LOCK]: goodLock.replace(/\n/g, '\r\n') }, argv: () => ['up'], exit: 2,
    says: [`${LOCK}: line 1`, 'CRLF line ending'] },
  { id: 'lock-empty', category: 'lockfile', files: { ...twoMigrations, [LOCK]: '' }, argv: () => ['lock'], exit: 2,
    says: [`${LOCK}: line 1`, 'the lockfile is empty'] },
  { id: 'lock-bom', category: 'lockfile', files: { ...twoMigrations, [LOCK]: '\uFEFF' + goodLock }, argv: () => ['up'], exit: 2,
    says: [`${LOCK}: line 1`, 'byte order mark'] },
  { id: 'lock-out-of-order', category: 'lockfile', files: { ...twoMigrations, [LOCK]: `${goodHeader}\n${goodEntry2}\n${goodEntry1}\n` }, argv: () => ['up', '--frozen'], exit: 2,
    says: [`${LOCK}: line 3`, 'out of version order'] },
  { id: 'lock-duplicate-entry', category: 'lockfile', files: { ...twoMigrations, [LOCK]: `${goodHeader}\n${goodEntry1}\n${goodEntry1}\n` }, argv: () => ['up'], exit: 2,
    says: [`${LOCK}: line 3`, `duplicate entry for ${F1}`] },
  { id: 'lock-blank-line', category: 'lockfile', files: { ...twoMigrations, [LOCK]: `${goodHeader}\n${goodEntry1}\n\n${goodEntry2}\n` }, argv: () => ['lock'], exit: 2,
    says: [`${LOCK}: line 3`, 'unexpected blank line'] },
  { id: 'lock-sealed-file-edited', category: 'lockfile', files: { ...twoMigrations, [LOCK]: lockFor({ [F1]: '-- the reviewed version\n' + W1, [F2]: W2 }) },
    argv: () => ['lock'], exit: 1, says: [`${M}/${F1} changed after it was sealed`, 'sealed lines are never rewritten'] },
  { id: 'embedded-lock-garbage', category: 'lockfile', files: { ...twoMigrations, [LOCK]: 'hello, I am not a lockfile\n' }, argv: () => ['up'], env: () => ({}), exit: 2,
    says: [`${LOCK}: line 1`, 'missing or bad header'], },
  { id: 'lock-bad-entry-name', category: 'lockfile', files: { ...twoMigrations, [LOCK]: `${goodHeader}\n../../etc/passwd.sql ${checksum(W1)}\n` }, argv: () => ['up'], exit: 2,
    says: [`${LOCK}: line 2`, INVALID_NAME] },

  // ── configuration: every field, wrong type or value ───────────────────────────────────────────
  { id: 'config-migrationsDir-number', category: 'configuration', files: jsonConfig({ migrationsDir: 42 }), argv: () => ['status'], exit: 2,
    says: ['archon-migrate.config.json', '"migrationsDir"', 'non-empty string', 'got 42'] },
  { id: 'config-migrationsDir-empty', category: 'configuration', files: jsonConfig({ migrationsDir: '' }), argv: () => ['up'], exit: 2,
    says: ['"migrationsDir"', 'non-empty string', 'got ""'] },
  { id: 'config-rollbacksDir-array', category: 'configuration', files: jsonConfig({ rollbacksDir: ['a'] }), argv: () => ['status'], exit: 2,
    says: ['"rollbacksDir"', 'non-empty string', 'got an array'] },
  { id: 'config-lockfile-null', category: 'configuration', files: jsonConfig({ lockfile: null }), argv: () => ['lock'], exit: 2,
    says: ['"lockfile"', 'non-empty string', 'got null'] },
  { id: 'config-table-three-parts', category: 'configuration', files: jsonConfig({ table: 'a.b.c' }), argv: () => ['status'], exit: 2,
    says: ['"table"', 'table name', 'got a.b.c'] },
  { id: 'config-table-number', category: 'configuration', files: jsonConfig({ table: 7 }), argv: () => ['status'], exit: 2,
    says: ['"table"', 'got 7'] },
  { id: 'config-databaseUrl-mysql', category: 'configuration', files: jsonConfig({ databaseUrl: 'mysql://root:hunter2@localhost/app' }), argv: () => ['status'],
    env: () => ({}), exit: 2, says: ['"databaseUrl"', 'postgres:// or postgresql:// URL', 'mysql://root:****@localhost/app'] },
  { id: 'config-baseBranch-boolean', category: 'configuration', files: jsonConfig({ baseBranch: false }), argv: () => ['status'], exit: 2,
    says: ['"baseBranch"', 'got false'] },
  { id: 'config-allowOutOfOrder-string', category: 'configuration', files: jsonConfig({ allowOutOfOrder: 'yes' }), argv: () => ['up'], exit: 2,
    says: ['"allowOutOfOrder"', 'must be true or false', 'got yes'] },
  { id: 'config-lockTimeout-words', category: 'configuration', files: jsonConfig({ lockTimeout: '5 parsecs' }), argv: () => ['up'], exit: 2,
    says: ['"lockTimeout"', 'duration', 'got 5 parsecs'] },
  { id: 'config-statementTimeout-number', category: 'configuration', files: jsonConfig({ statementTimeout: 60 }), argv: () => ['up'], exit: 2,
    says: ['"statementTimeout"', 'duration', 'got 60'] },
  { id: 'config-environments-string', category: 'configuration', files: jsonConfig({ environments: 'production' }), argv: () => ['status'], exit: 2,
    says: ['"environments"', 'must be an object'] },
  { id: 'config-environment-field', category: 'configuration', files: jsonConfig({ environments: { ci: { lockTimeout: 'soon' } } }), argv: () => ['status', '--env', 'ci'], exit: 2,
    says: ['"environments.ci.lockTimeout"', 'duration', 'got soon'] },
  { id: 'config-unknown-key', category: 'configuration', files: jsonConfig({ migrationDir: 'db' }), argv: () => ['status'], exit: 2,
    says: ['unknown key "migrationDir"', 'migrationsDir'] },
  { id: 'config-unknown-key-in-environment', category: 'configuration', files: jsonConfig({ environments: { prod: { url: 'x' } } }), argv: () => ['status'], exit: 2,
    says: ['environments.prod', 'unknown key "url"'] },
  { id: 'config-not-an-object', category: 'configuration', files: jsonConfig(['migrations']), argv: () => ['status'], exit: 2,
    says: ['archon-migrate.config.json', 'must export an object'] },
  { id: 'config-json-syntax-error', category: 'configuration', files: { 'archon-migrate.config.json': '{ "migrationsDir": "migrations", }\n' }, argv: () => ['status'], exit: 2,
    says: ['archon-migrate.config.json: could not be loaded'] },
  { id: 'config-ts-syntax-error', category: 'configuration', binary: true,
    files: { 'archon-migrate.config.ts': "import { defineConfig } from 'archon-migrate';\nexport default defineConfig({ migrationsDir: 'migrations' ;\n" },
    argv: () => ['status'], exit: 2, says: ['archon-migrate.config.ts: could not be loaded'] },
  { id: 'config-path-missing', category: 'configuration', argv: () => ['status', '--config', 'nowhere.config.ts'], exit: 2,
    says: ['config file not found: nowhere.config.ts'] },
  { id: 'env-unknown', category: 'configuration', files: jsonConfig({ environments: { ci: {}, prod: {} } }), argv: () => ['up', '--env', 'staging'], exit: 2,
    says: ['unknown environment "staging"', 'ci, prod'] },
  { id: 'env-unknown-no-config', category: 'configuration', argv: () => ['status', '--env', 'staging'], exit: 2,
    says: ['unknown environment "staging"', 'no config file'] },
  { id: 'env-unknown-from-variable', category: 'configuration', files: jsonConfig({ environments: { ci: {} } }), argv: () => ['status'],
    env: (c) => ({ DATABASE_URL: c.url, ARCHON_MIGRATE_ENV: 'qa' }), exit: 2, says: ['unknown environment "qa"', 'ARCHON_MIGRATE_ENV'] },
  { id: 'env-var-lock-timeout', category: 'configuration', argv: () => ['up'], env: (c) => ({ DATABASE_URL: c.url, ARCHON_MIGRATE_LOCK_TIMEOUT: 'forever' }), exit: 2,
    says: ['ARCHON_MIGRATE_LOCK_TIMEOUT', 'duration', 'got forever'] },
  { id: 'env-var-wait-timeout', category: 'configuration', files: twoMigrations, argv: () => ['up'], env: (c) => ({ DATABASE_URL: c.url, ARCHON_MIGRATE_WAIT_TIMEOUT: 'a while' }), exit: 2,
    says: ['ARCHON_MIGRATE_WAIT_TIMEOUT', 'a while'] },
  { id: 'table-injection-config', category: 'configuration', files: { ...twoMigrations, ...jsonConfig({ table: 'x"; DROP TABLE y; --' }) },
    prepare: (c) => c.sql('CREATE TABLE y (id int)'), argv: () => ['up'], exit: 2, says: ['"table"', 'table name'],
    check: async (c) => c.sql('SELECT 1 FROM y') },
  { id: 'table-injection-env', category: 'configuration', files: twoMigrations,
    prepare: (c) => c.sql('CREATE TABLE y (id int)'), argv: () => ['up'], env: (c) => ({ DATABASE_URL: c.url, ARCHON_MIGRATE_TABLE: 'x; DROP TABLE y' }), exit: 2,
    says: ['ARCHON_MIGRATE_TABLE', 'table name'], check: async (c) => c.sql('SELECT 1 FROM y') },
  { id: 'config-migrationsDir-is-a-file', category: 'configuration', files: jsonConfig({ migrationsDir: 'package.json' }), argv: () => ['up'], exit: 2,
    says: ['package.json', 'not a directory'] },
  { id: 'table-too-long', category: 'configuration', argv: () => ['status'], env: (c) => ({ DATABASE_URL: c.url, ARCHON_MIGRATE_TABLE: 't'.repeat(64) }), exit: 2,
    says: ['ARCHON_MIGRATE_TABLE', 'table name'] },
  { id: 'cwd-missing', category: 'configuration', argv: () => ['status', '--cwd', 'no/such/dir'], exit: 2, says: ['--cwd: no such directory: no/such/dir'] },

  // ── connection ────────────────────────────────────────────────────────────────────────────────
  { id: 'db-unreachable', category: 'connection', files: twoMigrations, argv: (c) => ['up', '--database-url', `postgres://postgres@127.0.0.1:${c.closedPort}/postgres`], exit: 1,
    says: [/cannot connect to 127\.0\.0\.1:\d+ \(connection refused\)/] },
  { id: 'db-wrong-password', category: 'connection', files: twoMigrations, argv: () => ['up'], env: (c) => ({ DATABASE_URL: c.passwordUrl('not-the-password') }), exit: 1,
    says: ['password authentication failed for user "archon_pw"'] },
  { id: 'db-missing-database', category: 'connection', files: twoMigrations, argv: (c) => ['status', '--database-url', c.url.replace(c.database, `${c.database}_nope`)], exit: 1,
    says: [/database "test_\w+_nope" does not exist/] },
  { id: 'db-bad-sslmode', category: 'connection', files: twoMigrations, argv: (c) => ['up', '--database-url', `${c.url}?sslmode=sometimes`], exit: 2,
    says: ['invalid sslmode "sometimes"', 'require'] },
  { id: 'db-not-postgres-url', category: 'connection', binary: true, files: twoMigrations, argv: () => ['up', '--database-url', 'https://example.com/db'], exit: 2,
    says: ['--database-url', 'postgres:// or postgresql:// URL', 'https://example.com/db'] },
  { id: 'db-port-out-of-range', category: 'connection', files: twoMigrations, argv: () => ['up', '--database-url', 'postgres://app@localhost:99999/app'], exit: 2,
    says: ['--database-url', 'postgres:// or postgresql:// URL'] },
  { id: 'db-not-a-url', category: 'connection', files: twoMigrations, argv: () => ['status'], env: () => ({ DATABASE_URL: 'localhost:5432/app' }), exit: 2,
    says: ['DATABASE_URL', 'postgres:// or postgresql:// URL'] },

  // ── create ────────────────────────────────────────────────────────────────────────────────────
  { id: 'create-traversal', category: 'create', files: twoMigrations, argv: () => ['create', '../x'], exit: 2, says: ['invalid migration name "../x"', 'must not contain'] },
  { id: 'create-slash', category: 'create', files: twoMigrations, argv: () => ['create', 'a/b'], exit: 2, says: ['invalid migration name "a/b"'] },
  { id: 'create-dotdot', category: 'create', files: twoMigrations, argv: () => ['create', '..'], exit: 2, says: ['invalid migration name ".."'] },
  { id: 'create-backslash', category: 'create', files: twoMigrations, argv: () => ['create', 'a\\b'], exit: 2, says: ['invalid migration name "a\\\\b"'] },
  { id: 'create-empty', category: 'create', files: twoMigrations, argv: () => ['create', ''], exit: 2, says: ['missing migration name'] },
  { id: 'create-bad-characters', category: 'create', binary: true, files: twoMigrations, argv: () => ['create', 'Bad-Name!'], exit: 2,
    says: ['invalid migration name "Bad-Name!"', 'only lower-case letters, digits and _'] },
  { id: 'create-name-too-long', category: 'create', files: twoMigrations, argv: () => ['create', 'a'.repeat(300)], exit: 2, says: ['too long'] },
  { id: 'create-version-overflow', category: 'create', files: { [`${M}/${'9'.repeat(20)}_max.sql`]: W1 }, argv: () => ['create', 'next'], exit: 2, says: ['20 digits'] },
  { id: 'create-no-name', category: 'create', argv: () => ['create'], exit: 2, says: ["missing required argument 'name'"] },

  // ── migration content ─────────────────────────────────────────────────────────────────────────
  { id: 'sql-empty-file', category: 'migration content', files: withFiles({ '002_nothing.sql': '' }), argv: () => ['up'], exit: 2,
    says: [`${M}/002_nothing.sql`, 'empty'] },
  { id: 'sql-only-comments', category: 'migration content', files: withFiles({ '002_todo.sql': '-- TODO: write this migration\n/* later */\n' }), argv: () => ['up'], exit: 2,
    says: [`${M}/002_todo.sql`, 'empty'] },
  { id: 'sql-not-utf8', category: 'migration content', files: { [`${M}/${F1}`]: W1, [`${M}/002_latin1.sql`]: Buffer.from("INSERT INTO widgets VALUES (1); -- caf\xe9\n", 'latin1') },
    argv: () => ['up'], exit: 2, says: [`${M}/002_latin1.sql`, 'UTF-8'] },
  { id: 'sql-unknown-directive', category: 'migration content', files: withFiles({ '002_idx.sql': '-- archon-migrate: no-transactions\nCREATE INDEX widgets_id ON widgets (id);\n' }),
    argv: () => ['up'], exit: 2, says: [`${M}/002_idx.sql:1`, 'unknown directive "no-transactions"'] },
  { id: 'sql-directive-bad-value', category: 'migration content', files: withFiles({ '002_slow.sql': '-- archon-migrate: lock-timeout=soon\nALTER TABLE widgets ADD COLUMN c int;\n' }),
    argv: () => ['up', '--dry-run'], exit: 2, says: [`${M}/002_slow.sql:1`, 'lock-timeout'] },
  { id: 'sql-directive-after-sql', category: 'migration content', files: withFiles({ '002_late.sql': 'SELECT 1;\n-- archon-migrate: no-transaction\n' }),
    argv: () => ['up'], exit: 2, says: [`${M}/002_late.sql:2`, 'directives must be at the top of the file'] },
  { id: 'lock-seals-unrunnable-directive', category: 'migration content', files: withFiles({ '002_idx.sql': '-- archon-migrate: no-transactions\nSELECT 1;\n' }),
    argv: () => ['lock'], exit: 2, says: [`${M}/002_idx.sql:1`, 'unknown directive'] },
  { id: 'lock-seals-unrunnable-commit', category: 'migration content', files: withFiles({ '002_two_parts.sql': TWO_TRANSACTIONS }),
    argv: () => ['lock'], exit: 2, says: [`${M}/002_two_parts.sql:4`, 'opens 2 transactions'] },
  { id: 'guard-unrunnable-directive', category: 'migration content', files: withFiles({}),
    prepare: (c) => featureBranch(c, '002_idx.sql', '-- archon-migrate: no-transactions\nSELECT 1;\n', { commit: false }),
    argv: () => ['guard'], exit: 1, says: ['002_idx.sql', 'unknown directive'] },
  { id: 'verify-unrunnable-commit', category: 'migration content', files: withFiles({}),
    prepare: (c) => featureBranch(c, '002_two_parts.sql', TWO_TRANSACTIONS, { commit: true }),
    argv: () => ['verify', '--base', 'main'], exit: 1, says: ['002_two_parts.sql', 'opens 2 transactions'] },
  { id: 'sql-two-transactions', category: 'migration content',
    files: withFiles({ '002_two_parts.sql': 'BEGIN;\nALTER TABLE widgets ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nALTER TABLE widgets ADD COLUMN b int;\nCOMMIT;\n' }),
    argv: () => ['up'], exit: 2, says: [`${M}/002_two_parts.sql:4`, 'opens 2 transactions'], },
  // Statements PostgreSQL refuses inside a transaction, mixed with others: found by every command before any work.
  ...(['up', 'status', 'lock'] as const).map((command): BadInputCase => ({
    id: `sql-mixed-concurrently-${command}`, category: 'migration content', files: withFiles({ '002_idx.sql': MIXED_CONCURRENTLY }),
    argv: () => (command === 'up' ? ['up', '--dry-run'] : [command]), exit: command === 'status' ? 1 : 2,
    says: [`${M}/002_idx.sql:2`, 'CREATE INDEX CONCURRENTLY cannot run inside a transaction'],
  })),
  { id: 'sql-mixed-concurrently-up-batch', category: 'migration content',
    files: withFiles({ '002_ok.sql': 'ALTER TABLE widgets ADD COLUMN ok int;\n', '003_idx.sql': MIXED_CONCURRENTLY }),
    argv: () => ['up'], exit: 2, says: [`${M}/003_idx.sql:2`, 'no-transaction'] },
  { id: 'guard-mixed-concurrently', category: 'migration content', files: withFiles({}),
    prepare: (c) => featureBranch(c, '002_idx.sql', MIXED_CONCURRENTLY, { commit: false }),
    argv: () => ['guard'], exit: 1, says: ['002_idx.sql', 'CREATE INDEX CONCURRENTLY cannot run inside a transaction'] },
  { id: 'verify-mixed-concurrently', category: 'migration content', files: withFiles({}),
    prepare: (c) => featureBranch(c, '002_idx.sql', MIXED_CONCURRENTLY, { commit: true }),
    argv: () => ['verify', '--base', 'main'], exit: 1, says: ['002_idx.sql', 'CREATE INDEX CONCURRENTLY cannot run inside a transaction'] },
  // A NUL byte never reaches the server, and is never sealed.
  { id: 'sql-nul-byte-up', category: 'migration content', files: withFiles({ '002_nul.sql': 'ALTER TABLE widgets ADD COLUMN a int;\n-- \u0000\n' }),
    argv: () => ['up'], exit: 2, says: [`${M}/002_nul.sql:2`, 'NUL byte'] },
  { id: 'sql-nul-byte-lock', category: 'migration content', files: withFiles({ '002_nul.sql': 'SELECT 1;\u0000\n' }),
    argv: () => ['lock'], exit: 2, says: [`${M}/002_nul.sql:1`, 'NUL byte'] },
  { id: 'guard-nul-byte', category: 'migration content', files: withFiles({}),
    prepare: (c) => featureBranch(c, '002_nul.sql', 'SELECT 1;\u0000\n', { commit: false }),
    argv: () => ['guard'], exit: 1, says: ['002_nul.sql', 'NUL byte'] },
  // psql-only text: refused naming the line, before a no-transaction file runs its first statements.
  { id: 'sql-copy-from-stdin', category: 'migration content',
    files: withFiles({ '002_seed.sql': '-- archon-migrate: no-transaction\nALTER TABLE widgets ADD COLUMN t text;\nCOPY widgets (id, t) FROM stdin;\n7\tseven\n\\.\n' }),
    argv: () => ['up'], exit: 2, says: [`${M}/002_seed.sql:3`, 'COPY … FROM stdin'] },
  { id: 'sql-psql-meta-command', category: 'migration content',
    files: withFiles({ '002_meta.sql': '-- archon-migrate: no-transaction\nALTER TABLE widgets ADD COLUMN m int;\n\\set ON_ERROR_STOP on\n' }),
    argv: () => ['up'], exit: 2, says: [`${M}/002_meta.sql:3`, '`\\set` is a psql meta-command'] },
  { id: 'sql-psql-include', category: 'migration content', files: withFiles({ '002_inc.sql': '\\i other.sql\n' }),
    argv: () => ['status'], exit: 1, says: [`${M}/002_inc.sql:1`, '`\\i` is a psql meta-command'] },
  { id: 'sql-rollback-statement', category: 'migration content',
    files: withFiles({ '002_undo.sql': 'BEGIN;\nALTER TABLE widgets ADD COLUMN a int;\nROLLBACK;\n' }),
    argv: () => ['up'], exit: 2, says: [`${M}/002_undo.sql:3`, 'ROLLBACK'], },

  // ── commands and options ──────────────────────────────────────────────────────────────────────
  { id: 'down-missing-rollback', category: 'commands', files: twoMigrations, prepare: (c) => c.cli(['up']), argv: () => ['down'], exit: 1,
    says: ['no rollback file', F2, 'nothing rolled back'] },
  { id: 'down-unknown-target', category: 'commands', files: twoMigrations, prepare: (c) => c.cli(['up']), argv: () => ['down', '999'], exit: 2,
    says: ['down 999: no migration has version 999'] },
  { id: 'down-steps-zero', category: 'commands', files: twoMigrations, argv: () => ['down', '--steps', '0'], exit: 2, says: ['--steps', 'whole number'] },
  { id: 'down-target-and-steps', category: 'commands', files: twoMigrations, prepare: (c) => c.cli(['up']), argv: () => ['down', '001', '--steps', '1'], exit: 2,
    says: ['either a target or --steps'] },
  { id: 'up-to-unknown-version', category: 'commands', files: twoMigrations, argv: () => ['up', '--to', '999'], exit: 2, says: ['--to 999: no migration file has version 999'], },
  { id: 'up-frozen-unsealed', category: 'commands', files: twoMigrations, argv: () => ['up', '--frozen'], exit: 1, says: ['is not sealed in', F1] },
  { id: 'up-to-not-a-version', category: 'commands', files: twoMigrations, argv: () => ['up', '--to', 'latest'], exit: 2, says: ['--to', 'latest', 'migration version'] },
  { id: 'up-migrations-folder-missing', category: 'commands', argv: () => ['up'], exit: 2, says: ['migrations folder migrations does not exist'] },
  { id: 'baseline-unknown-version', category: 'commands', files: twoMigrations, argv: () => ['baseline', '--to', '999'], exit: 2, says: ['--to 999: no migration file has version 999'] },
  { id: 'down-steps-not-a-number', category: 'commands', files: twoMigrations, argv: () => ['down', '--steps', 'two'], exit: 2, says: ["option '--steps <n>' argument 'two' is invalid"] },
  { id: 'guard-not-a-repository', category: 'commands', files: twoMigrations, argv: () => ['guard'], exit: 2, says: ['is not inside a git working tree'] },
  { id: 'baseline-without-to', category: 'commands', files: twoMigrations, argv: () => ['baseline'], exit: 2, says: ["required option '--to <version>'"] },
  { id: 'repair-unknown-name', category: 'commands', files: twoMigrations, prepare: (c) => c.cli(['up']), argv: () => ['repair', '042_nope'], exit: 2,
    says: ['repair 042_nope: no migration is named 042_nope'] },
  { id: 'verify-bad-format', category: 'commands', argv: () => ['verify', '--format', 'yaml'], exit: 2, says: ['yaml', 'text, markdown, json'] },
  { id: 'unknown-command', category: 'commands', binary: true, argv: () => ['upp'], exit: 2, says: ["unknown command 'upp'", '(Did you mean up?)'] },
  { id: 'unknown-option', category: 'commands', files: twoMigrations, argv: () => ['up', '--force'], exit: 2, says: ["unknown option '--force'", 'archon-migrate up --help'] },
];
