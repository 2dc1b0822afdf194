/**
 * Migration folders in the styles teams bring from elsewhere (fixtures written here, from the
 * patterns: test/fixtures/real-world/), applied with zero edits to their SQL through the CLI,
 * on a real PostgreSQL server. The resulting schema must equal what psql makes of the same files
 * (each file run by its own psql, as written): `pg_dump --schema-only` of both, minus the ledger.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { compareMigrations, parseMigrationName } from '../../src/core/migration-name.js';
import { cli } from '../unit/cli-harness.js';
import { createTestDatabase, pgUrl, withClient } from '../support/databases.js';

const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL('../fixtures/real-world/', import.meta.url));
const made: string[] = [];
afterAll(() => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

function project(kind: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `archon-${kind}-`));
  made.push(dir);
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "real-world" }\n');
  cpSync(path.join(FIXTURES, kind), path.join(dir, 'migrations'), { recursive: true });
  return dir;
}

/** The fixture's files in version order. */
function ordered(kind: string): string[] {
  return readdirSync(path.join(FIXTURES, kind)).map((f) => parseMigrationName(f)!).sort(compareMigrations).map((m) => m.file);
}

/** Applies each file with its own psql process, as written: what a team did before. */
async function psqlEach(kind: string, url: string): Promise<void> {
  const psql = path.join(inject('pgBindir'), 'psql');
  for (const file of ordered(kind)) {
    await run(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', path.join(FIXTURES, kind, file)], { env: { ...process.env, PGOPTIONS: '' } });
  }
}

async function schemaDump(url: string): Promise<string> {
  const { stdout } = await run(path.join(inject('pgBindir'), 'pg_dump'), ['--schema-only', '--no-owner', '-d', url], { maxBuffer: 32 * 1024 * 1024 });
  // pg_dump 15.14+ guards its output with a random \restrict key per run.
  return stdout.split('\n').filter((line) => !/^\\(un)?restrict /.test(line)).join('\n');
}

const KINDS = [
  { kind: 'pg-dump', about: 'a pg_dump schema file (empties search_path), files after it with unqualified names, a no-transaction dump-style file' },
  { kind: 'golang-migrate', about: 'files with their own BEGIN/COMMIT (one with statements around the pair), undirected CREATE/DROP INDEX CONCURRENTLY' },
  { kind: 'postgres-migrations', about: 'its disable-transaction marker on a mixed file, version widths 1, 2, 10, 011' },
  { kind: 'supabase', about: 'timestamp versions, uuid-ossp and pgcrypto, RLS and grants, a `supabase db dump` file ending in RESET ALL, Archon-style SET; BEGIN; … COMMIT; SELECT' },
] as const;

describe.each(KINDS)('$kind: $about', ({ kind }) => {
  test('applies with zero edits, seals everything, and gives the schema psql gives', async () => {
    const dir = project(kind);
    const ours = pgUrl(await createTestDatabase());
    const theirs = pgUrl(await createTestDatabase());
    const env = { DATABASE_URL: ours, NO_COLOR: '1' };

    const applied = await cli(['up'], { cwd: dir, env });
    expect(applied.code, applied.stderr).toBe(0);
    const files = ordered(kind);
    expect(applied.stdout).toContain(`Applied ${files.length} migrations`);
    const status = await cli(['status', '--json'], { cwd: dir, env });
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { summary: { applied: number; total: number; unsealed: number }; migrations: { state: string; transaction: boolean }[] };
    expect(report.summary).toMatchObject({ total: files.length, applied: files.length, unsealed: 0 });
    expect((await cli(['up'], { cwd: dir, env })).stdout).toContain('Nothing to apply');

    await psqlEach(kind, theirs);
    await withClient(ours, (c) => c.query('DROP TABLE public.archon_migrations'));
    const [a, b] = await Promise.all([schemaDump(ours), schemaDump(theirs)]);
    expect(a).toBe(b);
    expect(a).toMatch(/CREATE TABLE/);
  });
});

describe('what each kind needed', () => {
  test('pg-dump: the dump empties search_path, yet the ledger is written and the next files find their schema', async () => {
    const dir = project('pg-dump');
    const url = pgUrl(await createTestDatabase());
    const dry = await cli(['up', '--dry-run'], { cwd: dir, env: { DATABASE_URL: url } });
    expect(dry.stdout).toMatch(/-- migrations\/003_reports\.sql\n-- checksum: sha256:[0-9a-f]{64}\n-- mode: no transaction \(statement by statement\)/);
    const applied = await cli(['up', '--json'], { cwd: dir, env: { DATABASE_URL: url } });
    expect(applied.code, applied.stderr).toBe(0);
    await withClient(url, async (c) => {
      const rows = await c.query<{ migration_name: string; status: string }>('SELECT migration_name, status FROM public.archon_migrations ORDER BY version');
      expect(rows.rows).toEqual(['001_schema', '002_notes', '003_reports', '004_after'].map((m) => ({ migration_name: m, status: 'applied' })));
      // 002 and 004 use unqualified names: they landed in public, not nowhere.
      const tables = await c.query<{ t: string }>("SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('public', 'app') ORDER BY 1");
      expect(tables.rows.map((r) => r.t)).toEqual(['app.documents', 'app.reports', 'app.tags', 'public.archon_migrations', 'public.audit_log', 'public.notes']);
    });
  });

  test('golang-migrate: index-only files run without a transaction, detected; the others run as one transaction, theirs become ours', async () => {
    const dir = project('golang-migrate');
    const url = pgUrl(await createTestDatabase());
    const status = await cli(['status'], { cwd: dir, env: { DATABASE_URL: url, NO_COLOR: '1' } });
    expect(status.stdout).toMatch(/pending +000003_index_orders_user +no transaction \(detected\); unsealed/);
    expect(status.stdout).toMatch(/pending +000005_reindex_orders +no transaction \(detected\); unsealed/);
    const dry = await cli(['up', '--dry-run'], { cwd: dir, env: { DATABASE_URL: url } });
    expect(dry.stdout).toContain("-- mode: transaction (its own BEGIN on line 3 and COMMIT on line 13 are replaced by archon-migrate's)");
    const up = await cli(['up'], { cwd: dir, env: { DATABASE_URL: url, NO_COLOR: '1' } });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/applied +migrations\/000003_index_orders_user\.sql .*\(no transaction\)/);
    await withClient(url, async (c) => {
      const idx = await c.query('SELECT indexrelid::regclass::text AS name, indisvalid AS valid FROM pg_index WHERE indrelid = \'orders\'::regclass ORDER BY 1');
      expect(idx.rows).toEqual([{ name: 'orders_pkey', valid: true }, { name: 'orders_user_status_idx', valid: true }]);
    });
  });

  test('supabase: create numbers by the current UTC time; a date-only version among timestamps is reported', async () => {
    const dir = project('supabase');
    const created = await cli(['create', 'add_likes'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1733011200' } });
    expect(created.stdout).toContain('Created migrations/20241201000000_add_likes.sql');
    writeFileSync(path.join(dir, 'migrations', '20240130_fix.sql'), 'select 1;\n');
    const url = pgUrl(await createTestDatabase());
    const status = await cli(['status'], { cwd: dir, env: { DATABASE_URL: url } });
    expect(status.stderr).toContain('warning: migrations/20240130_fix.sql: version 20240130 is not a 14-digit UTC timestamp (YYYYMMDDHHMMSS) like the others in this folder');
  });
});
