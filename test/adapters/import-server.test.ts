// `import --from <tool>` on a real PostgreSQL, one tool at a time: their folder in its real
// layout, their history table in its real shape with rows — written by the tool itself where it
// runs here (node-pg-migrate, postgres-migrations, dbmate's binary), else by psql and the rows the
// tool writes (golang-migrate, Flyway, Supabase CLI). Then: import, their table untouched,
// `status` shows what they applied as applied and sealed, importing again changes nothing, `up`
// applies exactly the rest, and the schema equals what psql makes of the same files.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { migrate as postgresMigrationsMigrate } from 'postgres-migrations';
import type { StatusJson } from '../../src/runner/json.js';
import { createTestDatabase, pgUrl, withClient } from '../support/databases.js';
import { dbmateBinary, nodePgMigrateBin } from '../support/peers.js';
import { cli, listTree, tempProject } from '../unit/cli-harness.js';
import * as F from './import-fixtures.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

interface Setup {
  root: string;
  url: string;
  fixture: F.ToolFixture;
}

async function project(fixture: F.ToolFixture, only?: readonly string[]): Promise<Setup> {
  const { dir, cleanup: remove } = await tempProject();
  cleanup.push(remove);
  writeTheirFiles(dir, fixture, only);
  return { root: dir, url: pgUrl(await createTestDatabase()), fixture };
}

function writeTheirFiles(root: string, fixture: F.ToolFixture, only?: readonly string[]): void {
  for (const [file, text] of Object.entries(fixture.files)) {
    if (only !== undefined && !only.includes(file)) continue;
    const full = join(root, fixture.dir, file);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

function psql(url: string, args: string[]): string {
  return execFileSync(join(inject('pgBindir'), 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args], { encoding: 'utf8' });
}

/** The schema without any migration history table, as pg_dump prints it. */
function schema(url: string): string {
  const dump = execFileSync(join(inject('pgBindir'), 'pg_dump'), [
    '--schema-only', '--no-owner', '--no-privileges', '-N', 'supabase_migrations',
    ...['archon_migrations', 'schema_migrations', 'pgmigrations', 'pgmigrations_id_seq', 'migrations', 'flyway_schema_history'].flatMap((t) => ['-T', `public.${t}`]),
    '-d', url,
  ], { encoding: 'utf8' });
  return dump.split('\n').filter((l) => !/^\\(un)?restrict /.test(l)).join('\n');
}

async function rows(url: string, sql: string): Promise<unknown[]> {
  return withClient(url, async (c) => (await c.query(sql)).rows);
}

/** Every file under the project, with its content: to compare before and after. */
function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out[join(f.parentPath, f.name).slice(root.length + 1)] = readFileSync(join(f.parentPath, f.name), 'base64');
  }
  return out;
}

async function run(s: Setup, args: string[]) {
  return cli(args, { cwd: s.root, env: { DATABASE_URL: s.url, NO_COLOR: '1' } });
}

async function status(s: Setup): Promise<StatusJson> {
  const r = await run(s, ['status', '--json']);
  return JSON.parse(r.stdout) as StatusJson;
}

/** The whole contract, once the tool has applied `fixture.applied` and recorded it. */
async function expectImport(s: Setup, tool: string, theirTable: string): Promise<void> {
  const appliedCount = s.fixture.applied.length;
  const theirRows = await rows(s.url, `SELECT * FROM ${theirTable}`);
  expect(theirRows.length).toBeGreaterThan(0);
  const imported = await run(s, ['import', '--from', tool, '--dir', s.fixture.dir]);
  expect(imported.stderr).toBe('');
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain(`recorded ${appliedCount} as applied`);
  expect(await rows(s.url, `SELECT * FROM ${theirTable}`)).toEqual(theirRows);

  const before = await status(s);
  expect(before.migrations.map((m) => m.file)).toEqual(s.fixture.ours);
  expect(before.migrations.map((m) => [m.state, m.seal])).toEqual(s.fixture.ours.map((_, i) => (i < appliedCount ? ['applied', 'sealed'] : ['pending', 'unsealed'])));

  const tree = files(s.root);
  const ledger = await rows(s.url, 'SELECT * FROM archon_migrations ORDER BY version');
  const again = await run(s, ['import', '--from', tool, '--dir', s.fixture.dir]);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('Nothing to import');
  expect(files(s.root)).toEqual(tree);
  expect(await rows(s.url, 'SELECT * FROM archon_migrations ORDER BY version')).toEqual(ledger);

  const up = await run(s, ['up']);
  expect(up.code, up.stderr).toBe(0);
  expect(up.stdout).toContain(`Applied ${s.fixture.ours.length - appliedCount} migration`);
  const after = await status(s);
  expect(after.summary).toMatchObject({ total: s.fixture.ours.length, applied: s.fixture.ours.length, pending: 0, unsealed: 0 });

  const reference = pgUrl(await createTestDatabase());
  for (const file of s.fixture.ours) psql(reference, ['-f', join(s.root, 'migrations', file)]);
  expect(schema(s.url)).toBe(schema(reference));
}

describe('import from each tool, after the tool applied part of the folder', () => {
  it('node-pg-migrate: its own `up 2`, then import, then up applies the other two', async () => {
    const s = await project(F.nodePgMigrate);
    const ran = spawnSync(process.execPath, [nodePgMigrateBin(), 'up', '2', '--migrations-dir', F.nodePgMigrate.dir], {
      cwd: s.root, env: { ...process.env, DATABASE_URL: s.url }, encoding: 'utf8',
    });
    expect(ran.status, ran.stderr).toBe(0);
    await expectImport(s, 'node-pg-migrate', 'pgmigrations');
    expect(readFileSync(join(s.root, 'migrations/rollbacks/1700000000000_create_sources.sql'), 'utf8')).toBe('\n-- Down Migration\nDROP TABLE sources;\n');
  });

  it('postgres-migrations: its own migrate() over the first three (one without a transaction), then import', async () => {
    const s = await project(F.postgresMigrations, F.postgresMigrations.applied);
    const u = new URL(s.url);
    await postgresMigrationsMigrate({ host: u.hostname, port: Number(u.port), user: u.username, password: '', database: u.pathname.slice(1) }, join(s.root, F.postgresMigrations.dir));
    writeTheirFiles(s.root, F.postgresMigrations);
    await expectImport(s, 'postgres-migrations', 'migrations');
    expect(readFileSync(join(s.root, 'migrations/3_documents_title_index.sql'), 'utf8')).toMatch(/^-- archon-migrate: no-transaction\nCREATE INDEX CONCURRENTLY/);
  });

  it('dbmate: its own binary applies three files (one transaction:false), then import, then up runs the rest', async () => {
    const s = await project(F.dbmate, F.dbmate.applied);
    const ran = spawnSync(dbmateBinary(), ['--url', `${s.url}?sslmode=disable`, '--migrations-dir', F.dbmate.dir, '--no-dump-schema', 'up'], { cwd: s.root, encoding: 'utf8' });
    expect(ran.status, ran.stderr).toBe(0);
    writeTheirFiles(s.root, F.dbmate);
    await expectImport(s, 'dbmate', 'schema_migrations');
    expect(readFileSync(join(s.root, 'migrations/rollbacks/20240102090000_documents_title_index.sql'), 'utf8'))
      .toBe('-- archon-migrate: no-transaction\nDROP INDEX CONCURRENTLY documents_title_idx;\n');
  });

  it('golang-migrate: psql ran the first two, schema_migrations says version 2', async () => {
    const s = await project(F.golangMigrate);
    for (const f of F.golangMigrate.applied) psql(s.url, ['-f', join(s.root, F.golangMigrate.dir, f)]);
    await rows(s.url, `${F.HISTORY_DDL.golangMigrate}; INSERT INTO schema_migrations VALUES (2, false)`);
    await expectImport(s, 'golang-migrate', 'schema_migrations');
    expect(readdirSync(join(s.root, 'migrations/rollbacks')).sort()).toEqual(['000001_create_sources.sql', '000002_create_documents.sql', '000004_add_tags.sql']);
  });

  it('Flyway: dotted versions in sub-folders, an undo file and a .conf; flyway_schema_history with its rows', async () => {
    const s = await project(F.flyway);
    for (const f of F.flyway.applied) psql(s.url, ['-f', join(s.root, F.flyway.dir, f)]);
    await rows(s.url, `${F.HISTORY_DDL.flyway};
      INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES
        (1, '1', 'Create sources', 'SQL', 'v1/V1__Create_sources.sql', 1234567, 'app', 12, true),
        (2, '1.1', 'Create documents', 'SQL', 'v1/V1.1__Create documents.sql', -7654321, 'app', 9, true)`);
    await expectImport(s, 'flyway', 'flyway_schema_history');
    expect(readFileSync(join(s.root, 'migrations/rollbacks/11_create_documents.sql'), 'utf8')).toBe('DROP TABLE documents;\n');
    expect(readFileSync(join(s.root, 'migrations/21_tags_index.sql'), 'utf8')).toMatch(/^-- archon-migrate: no-transaction\n/);
  });

  it('Supabase CLI: supabase_migrations.schema_migrations with statements and names', async () => {
    const s = await project(F.supabase);
    for (const f of F.supabase.applied) psql(s.url, ['-f', join(s.root, F.supabase.dir, f)]);
    await rows(s.url, `${F.HISTORY_DDL.supabase};
      INSERT INTO supabase_migrations.schema_migrations (version, statements, name) VALUES
        ('20240101100000', ARRAY['CREATE TABLE sources (…)'], 'create_sources'),
        ('20240101110000', ARRAY['CREATE TABLE documents (…)'], 'create-documents')`);
    await expectImport(s, 'supabase', 'supabase_migrations.schema_migrations');
  });
});

/** A refused import: exit 1, each fragment named, and neither a file nor a row changed. */
async function expectRefused(s: Setup, args: string[], fragments: string[]): Promise<void> {
  const tree = files(s.root);
  const dump = await rows(s.url, `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`);
  const data = async () => Promise.all((dump as { table_schema: string; table_name: string }[]).map((t) => rows(s.url, `SELECT * FROM "${t.table_schema}"."${t.table_name}"`)));
  const dataBefore = await data();
  const r = await run(s, args);
  expect(r.code, r.stdout).toBe(1);
  expect(r.stderr).toContain('import refused, nothing written');
  for (const f of fragments) expect(r.stderr).toContain(f);
  expect(files(s.root)).toEqual(tree);
  expect(await rows(s.url, `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`)).toEqual(dump);
  expect(await data()).toEqual(dataBefore);
}

describe('refusals: exit 1, every problem named, nothing written', () => {
  it('a dirty golang-migrate version', async () => {
    const s = await project(F.golangMigrate);
    await rows(s.url, `${F.HISTORY_DDL.golangMigrate}; INSERT INTO schema_migrations VALUES (2, true)`);
    await expectRefused(s, ['import', '--from', 'golang-migrate', '--dir', F.golangMigrate.dir], ['dirty at version 2', 'migrate force 2']);
  });

  it('a version their history records with no file, and two files with one version, both named', async () => {
    const s = await project(F.dbmate);
    writeFileSync(join(s.root, F.dbmate.dir, '020240101100000_copy.sql'), '-- migrate:up\nSELECT 1;\n-- migrate:down\n');
    await rows(s.url, "CREATE TABLE schema_migrations (version varchar(128) primary key); INSERT INTO schema_migrations VALUES ('20240101100000'), ('20231231000000')");
    await expectRefused(s, ['import', '--from', 'dbmate', '--dir', F.dbmate.dir], [
      "dbmate's history records 20231231000000 as applied, but no file of db/migrations is that migration",
      '020240101100000_copy.sql and 20240101100000_create_sources.sql have the same version 20240101100000',
    ]);
  });

  it('a failed Flyway row and a repeatable migration', async () => {
    const s = await project(F.flyway);
    writeFileSync(join(s.root, F.flyway.dir, 'R__refresh_views.sql'), 'SELECT 1;\n');
    await rows(s.url, `${F.HISTORY_DDL.flyway};
      INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
      VALUES (1, '1', 'Create sources', 'SQL', 'v1/V1__Create_sources.sql', 1, 'app', 3, false)`);
    await expectRefused(s, ['import', '--from', 'flyway', '--dir', F.flyway.dir], ['as failed (success = false)', 'R__refresh_views.sql: a Flyway repeatable migration']);
  });

  it('a name that cannot be converted, and a postgres-migrations file changed since it ran', async () => {
    const s = await project(F.postgresMigrations, F.postgresMigrations.applied.slice(0, 2));
    const u = new URL(s.url);
    await postgresMigrationsMigrate({ host: u.hostname, port: Number(u.port), user: u.username, password: '', database: u.pathname.slice(1) }, join(s.root, F.postgresMigrations.dir));
    writeFileSync(join(s.root, F.postgresMigrations.dir, '2_create-documents.sql'), 'SELECT 2;\n');
    writeFileSync(join(s.root, F.postgresMigrations.dir, '3_ユーザー.sql'), 'SELECT 3;\n');
    await expectRefused(s, ['import', '--from', 'postgres-migrations', '--dir', F.postgresMigrations.dir], [
      '2_create-documents.sql is not the file postgres-migrations applied',
      '3_ユーザー.sql: its name "ユーザー" has no letter or digit to keep',
    ]);
  });

  it('their folder is our migrations folder: --move is needed', async () => {
    const s = await project({ ...F.golangMigrate, dir: 'migrations' });
    await expectRefused(s, ['import', '--from', 'golang-migrate'], ['pass --move to convert the folder in place']);
  });
});

describe('dry run, files only, --move', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const s = await project(F.golangMigrate);
    await rows(s.url, `${F.HISTORY_DDL.golangMigrate}; INSERT INTO schema_migrations VALUES (2, false)`);
    const tree = files(s.root);
    const r = await run(s, ['import', '--from', 'golang-migrate', '--dir', F.golangMigrate.dir, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('record     000001_create_sources');
    expect(r.stdout).toContain('pending    000003_documents_title_index');
    expect(r.stdout).toContain('Dry run: nothing was written.');
    expect(files(s.root)).toEqual(tree);
    expect(await rows(s.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'archon_migrations'")).toEqual([]);
  });

  it('--move converts their folder in place and a second import is a no-op', async () => {
    const s = await project({ ...F.supabase, dir: 'migrations' });
    writeFileSync(join(s.root, 'migrations/20240103000000_Rename Me.sql'), 'SELECT 1;\n');
    await rows(s.url, `${F.HISTORY_DDL.supabase}; INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES ('20240101100000', 'create_sources')`);
    for (const f of F.supabase.applied.slice(0, 1)) psql(s.url, ['-f', join(s.root, 'migrations', f)]);
    const r = await run(s, ['import', '--from', 'supabase', '--dir', 'migrations', '--move']);
    expect(r.code, r.stderr).toBe(0);
    expect((await listTree(join(s.root, 'migrations'))).filter((f) => f.endsWith('.sql'))).toEqual([...F.supabase.ours, '20240103000000_rename_me.sql'].sort());
    const again = await run(s, ['import', '--from', 'supabase', '--dir', 'migrations', '--move']);
    expect(again.stdout).toContain('Nothing to import');
  });

  it('without a database URL only the files are imported', async () => {
    const s = await project(F.nodePgMigrate);
    const r = await cli(['import', '--from', 'node-pg-migrate', '--dir', F.nodePgMigrate.dir, '--json'], { cwd: s.root, env: {} });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { history: unknown; written: string[]; sealed: string[] };
    expect(json.history).toBeNull();
    expect(json.written).toEqual(F.nodePgMigrate.ours);
    expect(json.sealed).toEqual([]);
  });
});

describe('config supabaseHistory: true', () => {
  it('up, down and a failed migration keep supabase_migrations.schema_migrations in step with the ledger', async () => {
    const s = await project({ dir: 'unused', files: {}, applied: [], ours: [] });
    writeFileSync(join(s.root, 'archon-migrate.config.json'), '{ "supabaseHistory": true }\n');
    const dir = join(s.root, 'migrations');
    mkdirSync(join(dir, 'rollbacks'), { recursive: true });
    writeFileSync(join(dir, '20240101000000_create_t.sql'), "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1); -- one row\n");
    writeFileSync(join(dir, '20240102000000_t_index.sql'), '-- archon-migrate: no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n');
    writeFileSync(join(dir, 'rollbacks/20240102000000_t_index.sql'), 'DROP INDEX t_id;\n');
    const history = () => rows(s.url, 'SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version');

    expect((await run(s, ['up'])).code).toBe(0);
    expect(await history()).toEqual([
      { version: '20240101000000', name: 'create_t', statements: ['CREATE TABLE t (id int)', 'INSERT INTO t VALUES (1)'] },
      { version: '20240102000000', name: 't_index', statements: ['CREATE INDEX CONCURRENTLY t_id ON t (id)'] },
    ]);

    expect((await run(s, ['down'])).code).toBe(0);
    expect((await history()).map((r) => (r as { version: string }).version)).toEqual(['20240101000000']);

    writeFileSync(join(dir, '20240103000000_broken.sql'), 'CREATE TABLE u (id int);\nSELECT * FROM nowhere;\n');
    expect((await run(s, ['up'])).code).toBe(1);
    expect((await history()).map((r) => (r as { version: string }).version)).toEqual(['20240101000000', '20240102000000']);
    expect(await rows(s.url, 'SELECT migration_name FROM archon_migrations ORDER BY 1')).toEqual([{ migration_name: '20240101000000_create_t' }, { migration_name: '20240102000000_t_index' }]);
  });
});
