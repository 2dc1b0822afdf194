/**
 * Races and dead runners on a real PostgreSQL server, direct and through PgBouncer in
 * transaction mode: several runners in one process, each with its own connection (the races are
 * between server sessions), repeated so that an unlucky interleaving shows up.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { openPg } from '../../src/db/pg.js';
import type { Database } from '../../src/db/database.js';
import { down, up, type DownResult, type UpResult } from '../../src/runner/index.js';
import { createTestDatabase, pgBouncerUrl, pgUrl, sleep, withClient } from '../support/databases.js';
import { ledger, Project } from './runner-project.js';

const RUNNERS = 8;
const ROUNDS = 4;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function open(url: string): Promise<Database> {
  const db = await openPg(url);
  cleanup.push(() => db.close());
  return db;
}

function project(files: Record<string, string>): Project {
  const p = new Project().files(files);
  cleanup.push(() => p.remove());
  return p;
}

const VIA = [
  { via: 'direct', url: (db: string) => pgUrl(db) },
  { via: 'PgBouncer (transaction mode)', url: (db: string) => pgBouncerUrl(db) },
] as const;

const FILES = {
  '001_audit.sql': 'CREATE TABLE audit (what text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());\n',
  '002_a.sql': "CREATE TABLE a (id int);\nINSERT INTO audit (what) VALUES ('up 002');\n",
  '003_b.sql': "CREATE TABLE b (id int);\nSELECT pg_sleep(0.05);\nINSERT INTO audit (what) VALUES ('up 003');\n",
  '004_c.sql': "SELECT pg_sleep(0.1);\nCREATE TABLE c (id int);\nINSERT INTO audit (what) VALUES ('up 004');\n",
  'rollbacks/002_a.sql': "DROP TABLE a;\nINSERT INTO audit (what) VALUES ('down 002');\n",
  'rollbacks/003_b.sql': "SELECT pg_sleep(0.05);\nDROP TABLE b;\nINSERT INTO audit (what) VALUES ('down 003');\n",
  'rollbacks/004_c.sql': "DROP TABLE c;\nINSERT INTO audit (what) VALUES ('down 004');\n",
};

/** The applied versions must be a prefix 001..k: no hole that the next `up` refuses as out of order. */
function expectNoHole(names: string[]): void {
  const all = ['001_audit', '002_a', '003_b', '004_c'];
  expect(names).toEqual(all.slice(0, names.length));
}

describe.each(VIA)('$via', ({ url }) => {
  test(`${RUNNERS} concurrent downs of one migration run its rollback exactly once; the others say it was already rolled back`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = await createTestDatabase();
      const p = project(FILES);
      await up({ config: p.config, db: await open(pgUrl(name)), to: '003' });
      const dbs = await Promise.all(Array.from({ length: RUNNERS }, () => open(url(name))));
      const results = await Promise.all(dbs.map((db, i) => down({ config: p.config, db, target: '003', headSeals: [], appliedBy: `down-${i} ${i}` })
        .catch((e: Error) => e)));
      const ran = results.filter((r): r is DownResult => !(r instanceof Error) && r.rolledBack.length > 0);
      expect(ran.map((r) => r.rolledBack.map((m) => m.migration))).toEqual([['003_b']]);
      for (const r of results.filter((x) => !ran.includes(x as DownResult))) {
        // Claimed by another runner while this one waited, or already gone when this one planned.
        if (r instanceof Error) expect(r.message).toBe('down 003: 003_b is not applied (pending); nothing rolled back');
        else expect(r).toMatchObject({ ok: true, rolledBack: [], alreadyRolledBack: ['003_b'] });
      }
      await withClient(pgUrl(name), async (c) => {
        expect((await c.query("SELECT what FROM audit WHERE what LIKE 'down%'")).rows).toEqual([{ what: 'down 003' }]);
      });
      expect((await ledger(await open(pgUrl(name)))).map((r) => r.name)).toEqual(['001_audit', '002_a']);
    }
  });

  test('up and down at once never leave a hole: down refuses what up built on, up refuses what down took away', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < ROUNDS * 2; round++) {
      const name = await createTestDatabase();
      const p = project(FILES);
      await up({ config: p.config, db: await open(pgUrl(name)), to: '003' });
      const ups = await Promise.all(Array.from({ length: RUNNERS / 2 }, () => open(url(name))));
      const downs = await Promise.all(Array.from({ length: RUNNERS / 2 }, () => open(url(name))));
      // Stagger the starts a little differently each round to vary the interleaving.
      const started: Promise<UpResult | DownResult>[] = [];
      for (let i = 0; i < RUNNERS / 2; i++) {
        started.push(up({ config: p.config, db: ups[i]!, appliedBy: `up-${i} ${i}` }));
        await sleep((round * 7 + i * 13) % 40);
        started.push(down({ config: p.config, db: downs[i]!, headSeals: [], appliedBy: `down-${i} ${i}` }));
      }
      const results = await Promise.all(started);
      for (const r of results) {
        if (r.error) outcomes.add(r.error.message.replace(/^.*?(was applied meanwhile|was rolled back by another runner meanwhile|was rolled back by other runners while|timed out).*$/s, '$1'));
      }
      const names = (await ledger(await open(pgUrl(name)))).map((r) => r.name);
      expectNoHole(names);
      // Whatever happened, the next up applies the rest in order.
      const after = await up({ config: p.config, db: await open(pgUrl(name)) });
      expect(after.ok, after.error?.message).toBe(true);
      expectNoHole((await ledger(await open(pgUrl(name)))).map((r) => r.name));
    }
    // Every refusal was one of the two the design allows (not a timeout, not a crash).
    for (const o of outcomes) expect(['was applied meanwhile', 'was rolled back by another runner meanwhile', 'was rolled back by other runners while']).toContain(o);
  });

  test(`${RUNNERS} runners adopting an Archon-shaped ledger at once all succeed; the table is adopted once`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = await createTestDatabase();
      await withClient(pgUrl(name), (c) => c.query(`
        CREATE TABLE archon_migrations (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), version varchar(20) NOT NULL,
          migration_name varchar(255) NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), checksum varchar(32),
          UNIQUE (version, migration_name));
        INSERT INTO archon_migrations (version, migration_name) VALUES ('0.1.0', '001_audit');
        CREATE TABLE audit (what text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());`));
      const p = project(FILES);
      const dbs = await Promise.all(Array.from({ length: RUNNERS }, () => open(url(name))));
      const results = await Promise.all(dbs.map((db, i) => up({ config: p.config, db, appliedBy: `adopt-${i} ${i}` })));
      for (const r of results) expect(r.ok, r.error?.message).toBe(true);
      expect(results.filter((r) => r.ledger.adopted)).toHaveLength(1);
      await withClient(pgUrl(name), async (c) => {
        const cols = await c.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'archon_migrations' ORDER BY ordinal_position");
        expect(cols.rows.map((r: { column_name: string }) => r.column_name)).toEqual(['id', 'version', 'migration_name', 'applied_at', 'checksum', 'execution_ms', 'status', 'applied_by']);
        expect((await c.query("SELECT what FROM audit ORDER BY what")).rows).toEqual([{ what: 'up 002' }, { what: 'up 003' }, { what: 'up 004' }]);
      });
    }
  });
});

test('a runner on another host whose connection is gone is seen to be gone at once, through the server sessions', async () => {
  const name = await createTestDatabase();
  const p = project({ '001_nt.sql': '-- archon-migrate: no-transaction\nSELECT pg_sleep(30);\nCREATE TABLE nt (id int);\n' });
  const first = up({ config: p.config, db: await open(pgUrl(name)), appliedBy: 'build-host-7 4242' });
  let pid: number | undefined;
  for (let i = 0; i < 200 && pid === undefined; i++) {
    await sleep(50);
    pid = await withClient(pgUrl('postgres'), async (c) => (await c.query("SELECT pid FROM pg_stat_activity WHERE query LIKE '/* archon-migrate: build-host-7 4242 applying 001_nt */%pg_sleep%'")).rows[0]?.pid as number | undefined);
  }
  await withClient(pgUrl('postgres'), (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
  expect((await first).failure).toMatchObject({ connectionLost: true, recordedAsFailed: false });
  const started = Date.now();
  const next = await up({ config: p.config, db: await open(pgUrl(name)), waitTimeoutMs: 60_000 });
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(next.blockers).toMatchObject([{ kind: 'failed', migration: '001_nt' }]);
  expect(next.error!.message).toContain('001_nt.sql was being applied without a transaction by runner build-host-7 4242');
  expect(next.error!.hint).toContain('`archon-migrate repair 001_nt`');
});

test('a lock timeout names the session that holds the lock, keeps the line, and does not wait a second time', async () => {
  const name = await createTestDatabase();
  const p = project({ '001_t.sql': 'CREATE TABLE t (id int);\n', '002_alter.sql': '-- archon-migrate: lock-timeout=1500ms\n\nALTER TABLE t ADD COLUMN extra int;\n' });
  const db = await open(pgUrl(name));
  await up({ config: p.config, db, to: '001' });
  const holder = await open(pgUrl(name));
  const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
  await holder.exec("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT 'reporting job'");
  const started = Date.now();
  const blocked = await up({ config: p.config, db });
  const elapsed = Date.now() - started;
  await holder.exec('ROLLBACK');
  expect(blocked.failure).toMatchObject({ migration: '002_alter', line: 3, column: 1, code: '55P03' });
  expect(blocked.failure!.blockedBy).toMatch(new RegExp(`^backend ${pid} \\(user postgres, idle in transaction since \\S+, holds public\\.t \\(AccessShareLock\\)\\): BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT 'reporting job'$`));
  expect(blocked.error!.message).toContain(`blocked by: backend ${pid}`);
  expect(blocked.error!.hint).toMatch(/pg_terminate_backend/);
  // One lock timeout, not two (the line was found by a replay that waits 1 ms).
  expect(elapsed).toBeLessThan(2 * 1500);
});
