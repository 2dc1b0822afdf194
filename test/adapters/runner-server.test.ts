// Runner behaviour that needs a real PostgreSQL server: concurrent runners in separate processes
// (direct and through PgBouncer in transaction mode), a runner killed with SIGKILL, a lost
// connection, waiting for another runner, lock and statement timeouts, and the CLI's exit codes.
import { join } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checksum } from '../../src/core/checksum.js';
import { serializeLockfile, type Seal } from '../../src/core/lockfile.js';
import { runCli } from '../../src/cli/run-cli.js';
import { openPg } from '../../src/db/pg.js';
import type { Database } from '../../src/db/database.js';
import { repair, up, type RunnerEvent, type UpJson, type StatusJson } from '../../src/runner/index.js';
import { createTestDatabase, pgBouncerUrl, pgUrl, sleep, spawnNode, withClient } from '../support/databases.js';
import { ledger, Project } from './runner-project.js';

// The CLI from source, bundled once for this file (inside node_modules so its dependencies resolve).
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BUILD = join(REPO, 'node_modules', '.cache', `archon-migrate-runner-test-${process.pid}`);
const CLI = join(BUILD, 'cli', 'main.js');
beforeAll(async () => {
  await build({
    config: false, entry: { 'cli/main': join(REPO, 'src/cli/main.ts') }, outDir: BUILD, format: ['esm'], target: 'node20',
    platform: 'node', splitting: true, silent: true, external: [/^[^./]/], define: { __ARCHON_MIGRATE_VERSION__: '"0.0.0-test"' },
  });
});
afterAll(() => rmSync(BUILD, { recursive: true, force: true }));

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

function project(files: Record<string, string>): Project {
  const p = new Project().files(files);
  writeFileSync(join(p.root, 'package.json'), '{ "name": "runner-test", "private": true }\n');
  cleanup.push(() => p.remove());
  return p;
}

function seal(p: Project, files: Record<string, string>): void {
  const seals: Seal[] = Object.entries(files).filter(([f]) => !f.includes('/')).map(([file, sql]) => ({ file, checksum: checksum(sql) }));
  p.write('archon-migrate.lock', serializeLockfile(seals));
}

async function open(url: string): Promise<Database> {
  const db = await openPg(url);
  cleanup.push(() => db.close());
  return db;
}

/** The CLI in a separate process. */
function cli(p: Project, args: string[], env: Record<string, string> = {}) {
  return spawnNode([CLI, ...args], { cwd: p.root, env: { ...process.env, NO_COLOR: '1', ...env } });
}

/** The CLI in this process: exit code and output. */
async function runInProcess(p: Project, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    cwd: p.root, env: { NO_COLOR: '1' }, isTTY: false,
    stdout: { write: (s: string) => { stdout += s; return true; } },
    stderr: { write: (s: string) => { stderr += s; return true; } },
  });
  return { code, stdout, stderr };
}

async function waitForQuery(adminUrl: string, pattern: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = await withClient(adminUrl, async (c) => {
      const r = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()', [pattern]);
      return r.rows[0]?.pid;
    });
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) throw new Error(`no backend ran a query like ${pattern}`);
    await sleep(50);
  }
}

function manyMigrations(n: number): Record<string, string> {
  const files: Record<string, string> = { '001_side_effects.sql': 'CREATE TABLE side_effects (migration text NOT NULL);\n' };
  for (let i = 2; i <= n; i++) {
    const v = String(i).padStart(3, '0');
    files[`${v}_step.sql`] = `CREATE TABLE t_${v} (id int);\nINSERT INTO side_effects VALUES ('${v}');\n`;
  }
  return files;
}

describe.each([['direct', false], ['through PgBouncer (transaction mode)', true]] as const)('8 runners × 50 migrations at once, %s', (_label, bouncer) => {
  test('every migration is applied exactly once', async () => {
    const name = await createTestDatabase();
    const url = bouncer ? pgBouncerUrl(name) : pgUrl(name);
    const files = manyMigrations(50);
    const p = project(files);
    seal(p, files);
    const runners = Array.from({ length: 8 }, () => cli(p, ['up', '--frozen', '--json', '--database-url', url]));
    const results = await Promise.all(runners.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const outputs = results.map((r) => JSON.parse(r.stdout) as UpJson);
    expect(outputs.reduce((n, o) => n + o.applied.length, 0)).toBe(50);
    const applied = outputs.flatMap((o) => o.applied.map((a) => a.migration)).sort();
    expect(new Set(applied).size).toBe(50);

    const db = await open(pgUrl(name));
    const rows = await ledger(db);
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.status === 'applied')).toBe(true);
    const effects = await db.query<{ migration: string; n: number }>('SELECT migration, count(*)::int AS n FROM side_effects GROUP BY migration ORDER BY migration');
    expect(effects).toHaveLength(49);
    expect(effects.every((e) => e.n === 1)).toBe(true);
  });
});

test('runners on one machine sealing at once never lose a lockfile line', async () => {
  const name = await createTestDatabase();
  const files = manyMigrations(20);
  const p = project(files);
  const dbs = await Promise.all(Array.from({ length: 4 }, () => open(pgUrl(name))));
  const results = await Promise.all(dbs.map((db, i) => up({ config: p.config, db, appliedBy: `local ${i}` })));
  expect(results.every((r) => r.ok)).toBe(true);
  expect(results.reduce((n, r) => n + r.applied.length, 0)).toBe(20);
  expect(p.lockfile()).toBe(serializeLockfile(Object.entries(files).map(([file, sql]) => ({ file, checksum: checksum(sql) }))));
});

test('a runner killed with SIGKILL mid-migration: a re-run applies everything exactly once, no partial ledger row', async () => {
  const name = await createTestDatabase();
  const files = {
    '001_side_effects.sql': 'CREATE TABLE side_effects (migration text NOT NULL);\n',
    '002_slow.sql': "SELECT pg_sleep(1.5);\nCREATE TABLE slow (id int);\nINSERT INTO side_effects VALUES ('002');\n",
    '003_after.sql': "INSERT INTO side_effects VALUES ('003');\n",
  };
  const p = project(files);
  seal(p, files);
  const first = cli(p, ['up', '--frozen', '--database-url', pgUrl(name)]);
  await waitForQuery(pgUrl('postgres'), '/* archon-migrate: % applying 002_slow */%');
  first.kill('SIGKILL');
  expect((await first.done).signal).toBe('SIGKILL');

  const second = await cli(p, ['up', '--frozen', '--json', '--database-url', pgUrl(name)]).done;
  expect(second.code, second.stderr).toBe(0);
  const out = JSON.parse(second.stdout) as UpJson;
  // The killed runner's backend still had the whole message and commits 002 when its sleep ends:
  // the second runner then finds it applied (if it started later), or waits on the ledger's unique
  // index and skips it. Either way it applies 003 and never 002 a second time.
  expect(out.applied.map((m) => m.migration)).toEqual(['003_after']);
  expect(out.skipped.map((m) => m.migration)).toEqual(out.skipped.length === 0 ? [] : ['002_slow']);

  const db = await open(pgUrl(name));
  expect((await ledger(db)).map((r) => [r.name, r.status])).toEqual([['001_side_effects', 'applied'], ['002_slow', 'applied'], ['003_after', 'applied']]);
  expect(await db.query('SELECT migration FROM side_effects ORDER BY migration')).toEqual([{ migration: '002' }, { migration: '003' }]);
});

test('a runner killed during a no-transaction migration is seen to be gone at once: up and status report it failed, naming repair; repair clears it', async () => {
  const name = await createTestDatabase();
  const url = pgUrl(name);
  const files = { '001_nt.sql': '-- archon-migrate: no-transaction\nSELECT pg_sleep(0.5);\nCREATE TABLE nt (id int);\n' };
  const p = project(files);
  const first = cli(p, ['up', '--database-url', url]);
  await waitForQuery(pgUrl('postgres'), '/* archon-migrate: % applying 001_nt */%pg_sleep%');
  first.kill('SIGKILL');
  await first.done;
  // A long wait timeout: the dead runner must not be waited for.
  const started = Date.now();
  const blocked = await cli(p, ['up', '--database-url', url], { ARCHON_MIGRATE_WAIT_TIMEOUT: '60s' }).done;
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(blocked.code).toBe(1);
  expect(blocked.stdout).not.toMatch(/waiting/);
  expect(blocked.stderr).toMatch(/^error: nothing applied: 001_nt\.sql was being applied without a transaction by runner \S+ \d+ since \S+, which is gone \(it stopped or lost its connection\); it may be partly applied\n {2}fix: Check what of it ran, fix the cause, then run `archon-migrate repair 001_nt` \(deletes the failed row so `up` runs it again; add `--applied` if you completed it by hand\)\.\n$/);
  const status = await cli(p, ['status', '--database-url', url]).done;
  expect(status.code).toBe(1);
  expect(status.stdout).toMatch(/failed +001_nt +.*by \S+ \d+; its runner is gone: may be partly applied/);
  expect(status.stdout).toMatch(/Failed migrations block `up` until `archon-migrate repair 001_nt`\./);
  await sleep(1_000); // the orphaned backend finishes its statement and notices its client is gone
  const repaired = await cli(p, ['repair', '--database-url', url]).done;
  expect(repaired.code, repaired.stderr).toBe(0);
  expect(repaired.stdout).toMatch(/repaired {2}001_nt: deleted its failed record/);
  const again = await cli(p, ['up', '--json', '--database-url', url]).done;
  expect(again.code, again.stderr).toBe(0);
  expect((JSON.parse(again.stdout) as UpJson).applied.map((a) => a.migration)).toEqual(['001_nt']);
});

test('a lost connection mid-migration fails clearly; nothing of it stays; a re-run applies it', async () => {
  const name = await createTestDatabase();
  const p = project({ '001_a.sql': 'CREATE TABLE a (id int);\n', '002_slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(2);\n' });
  const db = await open(pgUrl(name));
  const running = up({ config: p.config, db, appliedBy: 'lost 1' });
  const pid = await waitForQuery(pgUrl('postgres'), '/* archon-migrate: lost 1 applying 002_slow */%');
  await withClient(pgUrl('postgres'), (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
  const result = await running;
  expect(result.ok).toBe(false);
  expect(result.applied.map((a) => a.migration)).toEqual(['001_a']);
  expect(result.failure).toMatchObject({ migration: '002_slow', file: 'migrations/002_slow.sql', connectionLost: true, transaction: true });
  expect(result.error!.message).toMatch(/^migrations\/002_slow\.sql: the connection to PostgreSQL at 127\.0\.0\.1:\d+\/\w+ as postgres was lost \(terminating connection due to administrator command\)/);
  expect(result.error!.hint).toMatch(/check with `archon-migrate status`/);

  const again = await open(pgUrl(name));
  expect((await ledger(again)).map((r) => r.name)).toEqual(['001_a']);
  expect(await again.query("SELECT to_regclass('slow') AS t")).toEqual([{ t: null }]);
  const rerun = await up({ config: p.config, db: again });
  expect(rerun.applied.map((a) => a.migration)).toEqual(['002_slow']);
});

test('a runner waiting for another one times out naming it; later it finds the migration applied', async () => {
  const name = await createTestDatabase();
  const p = project({ '001_slow.sql': 'SELECT pg_sleep(1.5);\nCREATE TABLE slow (id int);\n' });
  const a = await open(pgUrl(name));
  const b = await open(pgUrl(name));
  const first = up({ config: p.config, db: a, appliedBy: 'runner-a 1' });
  await waitForQuery(pgUrl('postgres'), '/* archon-migrate: runner-a 1 applying 001_slow */%');
  const second = await up({ config: p.config, db: b, appliedBy: 'runner-b 2', waitTimeoutMs: 300 });
  expect(second.ok).toBe(false);
  expect(second.error!.message).toMatch(/^timed out after 300 ms waiting for runner runner-a 1 applying 001_slow \(server pid \d+\) \(since .*\), which is applying migrations\/001_slow\.sql; nothing more was applied$/);
  expect(second.error!.hint).toMatch(/repair 001_slow/);
  expect((await first).applied.map((m) => m.migration)).toEqual(['001_slow']);

  // A third runner that starts while the first one runs waits on the ledger row and skips it.
  const events: RunnerEvent[] = [];
  const p2 = project({ '001_slow.sql': 'SELECT pg_sleep(1.5);\nCREATE TABLE slow2 (id int);\n' });
  const name2 = await createTestDatabase();
  const a2 = await open(pgUrl(name2));
  const c2 = await open(pgUrl(name2));
  const first2 = up({ config: p2.config, db: a2, appliedBy: 'runner-a 1' });
  await waitForQuery(pgUrl('postgres'), '/* archon-migrate: runner-a 1 applying 001_slow */%');
  const third = await up({ config: p2.config, db: c2, appliedBy: 'runner-c 3', onEvent: (e) => { events.push(e); } });
  expect(third).toMatchObject({ ok: true, applied: [], skipped: [{ migration: '001_slow', appliedBy: 'runner-a 1' }] });
  expect((await first2).applied).toHaveLength(1);
  expect(events).toContainEqual(expect.objectContaining({ type: 'migration-skipped', migration: '001_slow' }));
});

test("another runner's no-transaction migration: wait for its 'running' row, or time out naming it", async () => {
  const name = await createTestDatabase();
  const p = project({ '001_nt.sql': '-- archon-migrate: no-transaction\nSELECT pg_sleep(1.5);\nCREATE TABLE nt (id int);\n' });
  const a = await open(pgUrl(name));
  const b = await open(pgUrl(name));
  const first = up({ config: p.config, db: a, appliedBy: 'runner-a 1' });
  await waitForQuery(pgUrl('postgres'), '/* archon-migrate: runner-a 1 applying 001_nt */%pg_sleep%');
  const impatient = await up({ config: p.config, db: b, appliedBy: 'runner-b 2', waitTimeoutMs: 200 });
  expect(impatient.ok).toBe(false);
  expect(impatient.error!.message).toMatch(/^nothing applied: 001_nt\.sql is being applied by runner-a 1 since \d{4}-/);
  expect(impatient.error!.hint).toBe('Wait for the other runner; if it crashed, run `archon-migrate repair 001_nt`.');
  // repair refuses to touch the row of a runner that is still working on it.
  await expect(repair({ config: p.config, db: b, name: '001_nt' })).rejects.toThrow(/^001_nt is still being applied by runner runner-a 1 \(server pid \d+\); nothing repaired$/);
  const events: RunnerEvent[] = [];
  const patient = await up({ config: p.config, db: b, appliedBy: 'runner-b 2', onEvent: (e) => { events.push(e); } });
  expect(patient).toMatchObject({ ok: true, applied: [] });
  expect(events).toContainEqual(expect.objectContaining({ type: 'waiting', migration: '001_nt', holder: 'runner-a 1' }));
  expect((await first).applied.map((m) => m.migration)).toEqual(['001_nt']);
});

test('lock-timeout and statement-timeout directives apply to the migration body', async () => {
  const name = await createTestDatabase();
  const p = project({
    '001_t.sql': 'CREATE TABLE t (id int);\n',
    '002_alter.sql': '-- archon-migrate: lock-timeout=200ms\n\nALTER TABLE t ADD COLUMN extra int;\n',
  });
  const db = await open(pgUrl(name));
  await up({ config: p.config, db, to: '001' });
  const holder = await open(pgUrl(name));
  await holder.exec('BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
  const blocked = await up({ config: p.config, db });
  await holder.exec('ROLLBACK');
  expect(blocked.failure).toMatchObject({ migration: '002_alter', line: 3, column: 1, code: '55P03', message: 'canceling statement due to lock timeout' });
  expect((await ledger(db)).map((r) => r.name)).toEqual(['001_t']);

  p.write('003_slow.sql', '-- archon-migrate: statement-timeout=100ms\nSELECT pg_sleep(2);\n');
  const slow = await up({ config: p.config, db });
  expect(slow.applied.map((a) => a.migration)).toEqual(['002_alter']);
  expect(slow.failure).toMatchObject({ migration: '003_slow', code: '57014', message: 'canceling statement due to statement timeout' });
  // Config defaults apply when a file has no directive.
  p.write('003_slow.sql', 'SELECT pg_sleep(2);\n');
  const byConfig = await up({ config: { ...p.config, statementTimeout: '100ms' }, db });
  expect(byConfig.failure).toMatchObject({ migration: '003_slow', code: '57014' });
});

test('through PgBouncer: a failure rolls back and the next run works', async () => {
  const name = await createTestDatabase();
  const p = project({ '001_a.sql': 'CREATE TABLE a (id int);\n', '002_bad.sql': 'CREATE TABLE b (id int);\nSELECT 1/0;\n' });
  const db = await open(pgBouncerUrl(name));
  const first = await up({ config: p.config, db });
  expect(first.failure).toMatchObject({ migration: '002_bad', line: 2, column: 1, code: '22012' });
  p.write('002_bad.sql', 'CREATE TABLE b (id int);\n');
  const second = await up({ config: p.config, db });
  expect(second.applied.map((a) => a.migration)).toEqual(['002_bad']);
  const direct = await open(pgUrl(name));
  expect((await ledger(direct)).map((r) => r.name)).toEqual(['001_a', '002_bad']);
});

describe('CLI exit codes and output', () => {
  test('up, status and --json against a server', async () => {
    const name = await createTestDatabase();
    const url = pgUrl(name);
    const p = project({ '001_a.sql': 'CREATE TABLE a (id int);\n', '002_b.sql': 'CREATE TABLE b (id int);\n' });

    const dry = await runInProcess(p, ['up', '--dry-run', '--database-url', url]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: 2 migrations would be applied to PostgreSQL at');
    expect(dry.stdout).toContain(`-- migrations/001_a.sql\n-- checksum: ${checksum('CREATE TABLE a (id int);\n')}\n-- mode: transaction\nCREATE TABLE a (id int);\n`);

    const applied = await runInProcess(p, ['up', '--database-url', url]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/ {2}applied {6}migrations\/001_a\.sql {2}\d+ ms\n/);
    expect(applied.stdout).toMatch(/Applied 2 migrations in .*; sealed 2 in migrations\/archon-migrate\.lock\.\n$/);

    const json = await runInProcess(p, ['status', '--json', '--database-url', url]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as StatusJson;
    expect(doc).toMatchObject({ archonMigrate: 1, command: 'status', summary: { total: 2, applied: 2, pending: 0 } });
    expect(doc.migrations[0]).toMatchObject({ migration: '001_a', file: '001_a.sql', state: 'applied', seal: 'sealed' });

    p.write('001_a.sql', 'CREATE TABLE a (id bigint);\n');
    const drift = await runInProcess(p, ['up', '--database-url', url]);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain(`error: nothing applied: 001_a.sql was changed after it was applied: the database recorded ${checksum('CREATE TABLE a (id int);\n')} but the file is now ${checksum('CREATE TABLE a (id bigint);\n')}`);
    expect((await runInProcess(p, ['status', '--database-url', url])).code).toBe(1);
    const upJson = await runInProcess(p, ['up', '--json', '--database-url', url]);
    expect(upJson.code).toBe(1);
    expect(JSON.parse(upJson.stdout)).toMatchObject({ archonMigrate: 1, command: 'up', ok: false, blockers: [{ kind: 'drift', migration: '001_a' }] });

    expect((await runInProcess(p, ['down', '7', '--database-url', url])).code).toBe(2);
    p.write('bad name.sql', '');
    const bad = await runInProcess(p, ['up', '--database-url', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: migrations/bad name.sql: invalid migration file name');
    // Checked before connecting: an unreachable server does not hide the bad input.
    const offline = await runInProcess(p, ['up', '--database-url', 'postgres://nobody@127.0.0.1:1/nowhere']);
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('error: migrations/bad name.sql: invalid migration file name');
  });

  test('repair prints what it did; nothing to repair says so', async () => {
    const name = await createTestDatabase();
    const url = pgUrl(name);
    const p = project({ '001_nt.sql': '-- archon-migrate: no-transaction\nSELECT * FROM nowhere;\n' });
    const failed = await runInProcess(p, ['up', '--database-url', url]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: migrations\/001_nt\.sql:2:15: relation "nowhere" does not exist \(SQLSTATE 42P01\)\n {2}fix: 001_nt ran without a transaction/);
    const repaired = await runInProcess(p, ['repair', '--database-url', url]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/^ {2}repaired {2}001_nt: deleted its failed record \(runner .*\); `up` will run it again\nRepaired 1 migration in "archon_migrations"\.\n$/);
    const nothing = await runInProcess(p, ['repair', '--database-url', url]);
    expect(nothing).toMatchObject({ code: 0, stdout: 'Nothing to repair.\n' });
  });
});
