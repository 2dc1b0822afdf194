/**
 * `npm run bench`: archon-migrate against its peers (node-pg-migrate 9, dbmate 2,
 * postgres-migrations 5) and against floors (psql, `node -e 0`, `git commit --no-verify`), on a
 * throwaway PostgreSQL 15 with fsync on. Writes bench/RESULTS.md.
 *
 *   npm run bench                    full run (≈ 6–8 minutes on 2 cores)
 *   npm run bench -- --quick         small workloads, few rounds; writes bench/.work/RESULTS.md
 *   npm run bench -- --only=apply,cold   a subset of: apply, noop, status, cold, guard, pglite
 *   npm run bench -- --cli=PATH      measure another build of the CLI
 * (--quick, --only and --cli write bench/.work/RESULTS.md and judge no targets)
 *
 * Every tool runs alternately with the others (round-robin, rotating who goes first) so drift on
 * a shared machine hits them all alike; each apply gets a fresh database
 * (CREATE DATABASE … TEMPLATE template0); every apply is checked to have created all its tables.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { startPgServer, withClient, type PgServer } from '../test/support/pg-server.js';
import { renderProfile, summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { createGuardRepo } from './guard-repo.js';
import { assertGnuTime, cleanupScratch, measure, type Command, type Sample } from './measure.js';
import { renderResults, type Row, type Workload } from './results.js';
import { roundTrips, startRoundTripProxy, type RoundTripProxy } from './round-trip-proxy.js';
import { evaluateTargets } from './targets.js';
import { archonCli, cleanEnv, dbmateBinary, makeTools, peersModules, psqlArgs, psqlEnv, type Tool } from './tools.js';
import * as gen from './workloads.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const cliArg = argv.find((a) => a.startsWith('--cli='))?.slice('--cli='.length);
const partial = quick || only !== undefined || cliArg !== undefined;
const cli = cliArg === undefined ? archonCli(repo) : path.resolve(cliArg);
const want = (w: string): boolean => only === undefined || only.includes(w);

const N = quick ? 100 : 1000;
const BIG = quick ? 1000 : 10_000;
const APPLY_ROUNDS = quick ? 1 : 3;
// Fast workloads run up to this many rounds, but stop (after at least MIN_ROUNDS) once their
// time budget is spent, so the whole run stays under 10 minutes on a busy 2-core machine.
const MIN_ROUNDS = quick ? 2 : 3;
const FAST_ROUNDS = quick ? 3 : 9;
const BIG_ROUNDS = quick ? 2 : 5;
const COLD_ROUNDS = quick ? 5 : 21;
const GUARD_ROUNDS = quick ? 3 : 9;
const PGLITE_UP_ROUNDS = 2;
const PGLITE_COUNT = 100; // PGlite persists to disk slowly; 100 migrations keep the run short
const BUDGET = { noop: 30, status: 20, statusBig: 25, cold: 20, guard: 30, guardBig: 40, pglite: 20 }; // seconds

const started = Date.now();
function log(message: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  console.log(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${message}`);
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

const fmt = (s: Sample): string => `${s.wallSeconds.toFixed(3)} s wall, ${s.cpuSeconds.toFixed(2)} s CPU`;

let server: PgServer | undefined;
let proxy: RoundTripProxy | undefined;
const work = mkdtempSync(path.join(os.tmpdir(), 'archon-bench-'));

async function shutdown(): Promise<void> {
  await proxy?.close().catch(() => {});
  await server?.stop().catch((e: unknown) => console.error(`could not stop the bench server: ${String(e)}`));
  rmSync(work, { recursive: true, force: true });
  cleanupScratch();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the bench server`);
    void shutdown().finally(() => process.exit(130));
  });
}

function preflight(): void {
  assertGnuTime();
  dbmateBinary(repo);
  if (!existsSync(cli)) throw new Error(`${path.relative(repo, cli)} is missing: run \`npm run build\` (npm run bench does)`);
}

async function sql<T = Record<string, unknown>>(database: string, text: string): Promise<T[]> {
  return withClient(server!.url(database), async (c) => (await c.query(text)).rows as T[]);
}

let dbSerial = 0;
async function freshDatabase(prefix: string): Promise<string> {
  const name = `${prefix.replace(/[^a-z0-9]/g, '_')}_${++dbSerial}`;
  await sql('postgres', `CREATE DATABASE ${name} TEMPLATE template0`);
  return name;
}

// Databases are never dropped during the run: DROP DATABASE forces a checkpoint, which on a busy
// disk takes longer than the runs themselves. The whole server goes away at the end.

async function assertApplied(database: string, expected: number, who: string): Promise<void> {
  const [r] = await sql<{ n: number }>(database, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'");
  if (r?.n !== expected) {
    throw new Error(`INVALID MEASUREMENT: ${who} left ${r?.n ?? 0} of ${expected} tables in database ${database}; aborting the benchmark.`);
  }
}

function proxyUrl(database: string): string {
  return `postgres://postgres@127.0.0.1:${proxy!.port}/${database}`;
}

/** Measures each command `rounds` times, round-robin, rotating the start. */
async function alternate(entries: { row: Row; run: () => Command; before?: () => void | Promise<void>; after?: () => void | Promise<void> }[], rounds: number, what: string, budgetSeconds = Infinity): Promise<void> {
  const begun = Date.now();
  for (let r = 0; r < rounds; r++) {
    if (r >= MIN_ROUNDS && (Date.now() - begun) / 1000 > budgetSeconds) {
      log(`${what}: time budget of ${budgetSeconds} s spent, stopping after ${r} rounds`);
      roundsRun.push(`${what} ${r}`);
      return;
    }
    for (const e of rotate(entries, r)) {
      await e.before?.();
      e.row.samples.push(await measure(e.run()));
      await e.after?.();
    }
    log(`${what}: round ${r + 1}/${rounds} — ${entries.map((e) => `${e.row.label} ${e.row.samples.at(-1)!.wallSeconds.toFixed(3)} s`).join(', ')}`);
  }
  roundsRun.push(`${what} ${rounds}`);
}
const roundsRun: string[] = [];

function psqlSelect1(database: string): Command {
  return { file: path.join(server!.bindir, 'psql'), args: [...psqlArgs(server!.url(database)), '-c', 'SELECT 1'], env: psqlEnv() };
}

async function main(): Promise<void> {
  preflight();
  log(`work directory ${work}; ${N} migrations, ${BIG} for the large workloads${quick ? ' (quick mode)' : ''}`);
  server = await startPgServer({ fsync: true });
  const version = (await sql<{ server_version: string }>('postgres', 'SHOW server_version'))[0]?.server_version ?? '?';
  const [settings] = await sql<{ fsync: string; synchronous_commit: string }>('postgres', "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit");
  if (settings?.fsync !== 'on' || settings.synchronous_commit !== 'on') throw new Error('the bench server must run with fsync and synchronous_commit on');
  proxy = await startRoundTripProxy({ host: '127.0.0.1', port: server.port });
  log(`PostgreSQL started in ${server.startMs} ms on port ${server.port} (fsync on, synchronous_commit on)`);

  gen.writeFloorScript(path.join(work, `floor-${N}.sql`), N);
  gen.writeArchonProject(path.join(work, `archon-${N}`), N);
  gen.writeNodePgMigrateDir(path.join(work, `node-pg-migrate-${N}`), N);
  gen.writeDbmateDir(path.join(work, `dbmate-${N}`), N);
  gen.writePostgresMigrationsDir(path.join(work, `postgres-migrations-${N}`), N);
  log(`generated ${N} migrations for each tool`);

  const tools = makeTools({ repo, bindir: server.bindir, work, cli });
  const tool = (id: Tool['id']): Tool => tools.find((t) => t.id === id)!;
  const rowOf = (t: Tool): Row => ({ label: t.label, note: t.note, samples: [], isFloor: t.id === 'floor', isSubject: t.id === 'archon-migrate' });
  const statusRowOf = (t: Tool): Row => ({ ...rowOf(t), note: t.id === 'dbmate' ? 'Go binary, `status`' : '`status`' });
  const node = process.execPath;

  // ---------------------------------------------------------------- apply 1,000
  const apply: Workload = {
    id: 'apply',
    title: `Apply ${N.toLocaleString('en-US')} migrations to an empty database`,
    description: `${N} files \`CREATE TABLE t_NNNN (id int primary key, v text)\`, one transaction each, fsync on, fresh database per run. Floor: \`psql -X -q -f\` of one script with \`BEGIN; …; COMMIT;\` per file, one connection. Round trips per migration: client→server Query + Sync messages counted by a proxy, (apply run − no-op run) / ${N}; psql: all / ${N}.`,
    floorLabel: tool('floor').label,
    showCpu: true,
    roundTripHeader: 'round trips / migration',
    rows: tools.map(rowOf),
  };
  const lastDb = new Map<Tool['id'], string>();
  const roundTripPerMigration = new Map<string, number>();
  let noopRoundTrips: number | undefined;
  let statusRoundTrips: number | undefined;
  let profile: ProfileSummary | undefined;
  let scaling: { count: number; cpuSeconds: number; wallSeconds: number } | undefined;

  const needApplied = want('apply') || want('noop') || want('status');
  if (needApplied) {
    log(`apply ${N}: ${APPLY_ROUNDS} alternating rounds over ${tools.length} tools`);
    const rounds = want('apply') ? APPLY_ROUNDS : 1;
    for (let r = 0; r < rounds; r++) {
      for (const t of rotate(tools, r)) {
        const row = apply.rows.find((x) => x.label === t.label)!;
        const db = await freshDatabase(`apply_${t.id}`);
        t.reset?.(N);
        const sample = await measure(t.up(server.url(db), N));
        await assertApplied(db, N, t.label);
        t.verify?.(N);
        row.samples.push(sample);
        log(`  ${t.label}: ${fmt(sample)}`);
        lastDb.set(t.id, db);
      }
    }
  }

  if (want('apply')) {
    log('round trips: one counted apply and one counted no-op run per tool, through the proxy (archon-migrate\'s apply also under node --cpu-prof)');
    const profDir = path.join(work, 'cpu-profile');
    for (const t of tools) {
      const db = await freshDatabase(`rt_${t.id}`);
      t.reset?.(N);
      proxy.reset();
      const counted = t.up(proxyUrl(db), N);
      await measure(t.id === 'archon-migrate' ? { ...counted, args: ['--cpu-prof', '--cpu-prof-dir', profDir, ...counted.args] } : counted);
      await assertApplied(db, N, `${t.label} (through the proxy)`);
      const applyRt = roundTrips(proxy.counts());
      let perMigration = applyRt / N;
      if (t.id !== 'floor') {
        proxy.reset();
        await measure(t.up(proxyUrl(db), N));
        const noopRt = roundTrips(proxy.counts());
        perMigration = (applyRt - noopRt) / N;
        if (t.id === 'archon-migrate') {
          noopRoundTrips = noopRt;
          proxy.reset();
          await measure(t.status!(proxyUrl(db), N));
          statusRoundTrips = roundTrips(proxy.counts());
        }
        log(`  ${t.label}: ${applyRt} round trips applying, ${noopRt} for a no-op run → ${perMigration.toFixed(2)} per migration`);
      } else {
        log(`  ${t.label}: ${applyRt} round trips → ${perMigration.toFixed(2)} per migration`);
      }
      roundTripPerMigration.set(t.label, perMigration);
      apply.rows.find((x) => x.label === t.label)!.roundTrips = perMigration;
    }

    // Scaling check: client CPU per migration at a tenth of the workload. Start-up weighs more there,
    // so a higher per-migration cost at the full size means work that grows with the history.
    const small = Math.max(10, Math.round(N / 10));
    const archon = tool('archon-migrate');
    gen.writeArchonProject(archon.source(small), small);
    const smallDb = await freshDatabase('scaling');
    const smallRun = await measure(archon.up(server.url(smallDb), small));
    await assertApplied(smallDb, small, `archon-migrate (${small})`);
    scaling = { count: small, cpuSeconds: smallRun.cpuSeconds, wallSeconds: smallRun.wallSeconds };
    apply.rows.push({ label: `archon-migrate, ${small} migrations (scaling check, one run)`, samples: [smallRun], note: 'information, not compared', info: true });
    log(`  archon-migrate applying ${small}: ${fmt(smallRun)}`);

    const file = existsSync(profDir) ? readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    if (file) profile = summariseProfile(path.join(profDir, file), repo);
  }

  // ---------------------------------------------------------------- no-op up
  const dbTools = tools.filter((t) => t.id !== 'floor');
  const select1Label = 'psql: connect + `SELECT 1`';
  const noop: Workload = {
    id: 'noop',
    title: `No-op \`up\`: all ${N.toLocaleString('en-US')} applied`,
    description: `Each tool's \`up\` against the database its last apply run left, with nothing pending. Floor: psql connecting and running \`SELECT 1\`.`,
    floorLabel: select1Label,
    showCpu: true,
    rows: [{ label: select1Label, samples: [], isFloor: true }, ...dbTools.map(rowOf)],
  };
  if (want('noop')) {
    await alternate([
      { row: noop.rows[0]!, run: () => psqlSelect1('postgres') },
      ...dbTools.map((t) => ({ row: noop.rows.find((x) => x.label === t.label)!, run: () => t.up(server!.url(lastDb.get(t.id)!), N) })),
    ], FAST_ROUNDS, 'no-op up', BUDGET.noop);
  }

  // ---------------------------------------------------------------- status 1,000 and 10,000
  const statusTools = tools.filter((t) => t.status !== undefined);
  const status: Workload = {
    id: 'status',
    title: `Status: ${N.toLocaleString('en-US')} migrations, all applied`,
    description: 'Listing applied and pending migrations. node-pg-migrate and postgres-migrations have no status command. Floor: psql connecting and running `SELECT 1`.',
    floorLabel: select1Label,
    showCpu: true,
    rows: [{ label: select1Label, samples: [], isFloor: true }, ...statusTools.map(statusRowOf)],
  };
  if (want('status')) {
    await alternate([
      { row: status.rows[0]!, run: () => psqlSelect1('postgres') },
      ...statusTools.map((t) => ({ row: status.rows.find((x) => x.label === t.label)!, run: () => t.status!(server!.url(lastDb.get(t.id)!), N) })),
    ], FAST_ROUNDS, `status ${N}`, BUDGET.status);
  }

  const statusBig: Workload = {
    id: 'status-big',
    title: `Status: ${BIG.toLocaleString('en-US')} migrations, all applied`,
    description: `Both ledgers record ${BIG} applied migrations without the migrations having run, since status reads only the ledger and the files: archon-migrate's through its own \`baseline --to ${BIG}\` (timed below as information), dbmate's by inserting the ${BIG} versions into its \`schema_migrations\` table (which holds only versions).`,
    floorLabel: select1Label,
    showCpu: true,
    rows: [{ label: select1Label, samples: [], isFloor: true }, ...statusTools.map(statusRowOf)],
  };
  if (want('status')) {
    gen.writeArchonProject(path.join(work, `archon-${BIG}`), BIG);
    gen.writeDbmateDir(path.join(work, `dbmate-${BIG}`), BIG);
    const archon = tool('archon-migrate');
    const dbmate = tool('dbmate');
    const archonDb = await freshDatabase('big_archon');
    log(`status ${BIG}: recording ${BIG} migrations as applied with \`archon-migrate baseline --to ${BIG}\` (setup)`);
    const bigDir = archon.source(BIG);
    const setup = await measure({ file: node, args: [cli, 'baseline', '--to', String(BIG), '--cwd', bigDir, '--database-url', server.url(archonDb)], env: cleanEnv() });
    const [ledger] = await sql<{ n: number }>(archonDb, 'SELECT count(*)::int AS n FROM archon_migrations');
    if (ledger?.n !== BIG) throw new Error(`INVALID MEASUREMENT: archon-migrate baseline recorded ${ledger?.n ?? 0} of ${BIG} migrations; aborting.`);
    archon.verify!(BIG);
    log(`  baseline of ${BIG}: ${fmt(setup)}`);
    const dbmateDb = await freshDatabase('big_dbmate');
    await sql(dbmateDb, 'CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)');
    await sql(dbmateDb, `INSERT INTO schema_migrations (version) SELECT lpad(g::text, ${gen.width(BIG)}, '0') FROM generate_series(1, ${BIG}) g`);
    const check = dbmate.status!(server.url(dbmateDb), BIG);
    const statusOutput = execFileSync(check.file, check.args, { encoding: 'utf8', env: check.env as NodeJS.ProcessEnv, cwd: check.cwd });
    if (!new RegExp(`Applied: ${BIG}\\b`).test(statusOutput) || !/Pending: 0\b/.test(statusOutput)) {
      throw new Error(`INVALID MEASUREMENT: dbmate status does not see ${BIG} applied migrations:\n${statusOutput.split('\n').slice(-4).join('\n')}`);
    }
    const bigDbs: Partial<Record<Tool['id'], string>> = { 'archon-migrate': archonDb, dbmate: dbmateDb };
    statusBig.rows.push({ label: `archon-migrate \`baseline --to ${BIG}\` (setup, one run)`, samples: [setup], note: 'information, not compared', info: true });
    await alternate([
      { row: statusBig.rows[0]!, run: () => psqlSelect1('postgres') },
      ...statusTools.map((t) => ({ row: statusBig.rows.find((x) => x.label === t.label)!, run: () => t.status!(server!.url(bigDbs[t.id]!), BIG) })),
    ], BIG_ROUNDS, `status ${BIG}`, BUDGET.statusBig);
  }

  // ---------------------------------------------------------------- cold start
  const nodeRow: Row = { label: '`node -e 0`', samples: [], isFloor: true };
  const cold: Workload = {
    id: 'cold',
    title: 'Cold start: `--version`',
    description: 'Process start to exit, printing the version. Floor: `node -e 0`. dbmate is its Go binary (the npm wrapper would add a node start-up).',
    floorLabel: nodeRow.label,
    showCpu: true,
    rows: [nodeRow, { label: 'archon-migrate', samples: [], isSubject: true }, { label: 'dbmate 2', samples: [] }],
  };
  if (want('cold')) {
    const env = cleanEnv();
    await alternate([
      { row: cold.rows[0]!, run: () => ({ file: node, args: ['-e', '0'], env }) },
      { row: cold.rows[1]!, run: () => ({ file: node, args: [cli, '--version'], env }) },
      { row: cold.rows[2]!, run: () => ({ file: dbmateBinary(repo), args: ['--version'], env }) },
    ], COLD_ROUNDS, 'cold start', BUDGET.cold);
  }

  // ---------------------------------------------------------------- guard
  const guardWorkload = (count: number): Workload => ({
    id: `guard-${count}`,
    title: `Guard: \`git commit\` in a repository with ${count.toLocaleString('en-US')} sealed migrations`,
    description: 'Each commit stages one new migration and its seal appended to the lockfile, then is undone. Hooks call node directly (no npx). lint-staged runs with a configuration whose only glob matches nothing staged: its no-op overhead. Overheads in the targets are medians of per-round differences against `--no-verify`.',
    floorLabel: '`git commit --no-verify`',
    showCpu: true,
    rows: [
      { label: '`git commit --no-verify`', samples: [], isFloor: true },
      { label: 'pre-commit: lint-staged (no-op)', samples: [] },
      { label: 'pre-commit: `archon-migrate guard`', samples: [], isSubject: true },
    ],
  });
  const guard = guardWorkload(N);
  const guardBig = guardWorkload(BIG);
  if (want('guard')) {
    for (const w of [guard, guardBig]) {
      const count = w === guard ? N : BIG;
      log(`guard: creating a repository with ${count} sealed migrations`);
      const g = createGuardRepo(path.join(work, `guard-${count}`), count, {
        node,
        lintStaged: path.join(repo, 'node_modules', 'lint-staged', 'bin', 'lint-staged.js'),
        archonCli: cli,
      });
      const kinds = ['none', 'lint-staged', 'guard'] as const;
      await alternate(kinds.map((kind, i) => ({
        row: w.rows[i]!,
        before: () => {
          if (kind !== 'none') g.installHook(kind);
          g.stage();
        },
        run: () => g.commit(kind),
        after: () => g.undo(),
      })), GUARD_ROUNDS, `guard ${count}`, count === N ? BUDGET.guard : BUDGET.guardBig);
    }
  }

  // ---------------------------------------------------------------- PGlite
  const pglite: Workload = {
    id: 'pglite',
    title: 'Embedded default: PGlite (no database URL)',
    description: `archon-migrate with no database URL uses PGlite in \`.archon/pglite/\` of its working directory. ${PGLITE_COUNT} migrations as above. No peer runs on PGlite; the server rows of this run are shown for scale.`,
    showCpu: true,
    rows: [
      { label: `\`up\` of ${PGLITE_COUNT.toLocaleString('en-US')} into a new PGlite directory`, samples: [], isSubject: true },
      { label: 'no-op `up`', samples: [] },
      { label: '`status`', samples: [] },
    ],
  };
  if (want('pglite')) {
    const dir = path.join(work, 'pglite-project');
    gen.writeArchonProject(dir, PGLITE_COUNT);
    const env = cleanEnv();
    const run = (cmd: string): Command => ({ file: node, args: [cli, cmd], cwd: dir, env });
    for (let r = 0; r < PGLITE_UP_ROUNDS; r++) {
      rmSync(path.join(dir, '.archon'), { recursive: true, force: true });
      rmSync(path.join(dir, 'migrations', 'archon-migrate.lock'), { force: true });
      const s = await measure(run('up'));
      pglite.rows[0]!.samples.push(s);
      log(`  PGlite up ${PGLITE_COUNT}: ${fmt(s)}`);
    }
    await assertPgliteApplied(path.join(dir, '.archon', 'pglite'), PGLITE_COUNT);
    await alternate([
      { row: pglite.rows[1]!, run: () => run('up') },
      { row: pglite.rows[2]!, run: () => run('status') },
    ], quick ? 2 : 5, 'PGlite no-op up / status', BUDGET.pglite);
  }

  // ---------------------------------------------------------------- report
  const measured = (w: Workload): Workload => ({ ...w, rows: w.rows.filter((r) => r.samples.length > 0) });
  const workloads = [apply, noop, status, statusBig, cold, guard, guardBig, pglite].map(measured).filter((w) => w.rows.length > 0);
  const complete = !partial;
  const targets = complete
    ? evaluateTargets({ count: N, bigCount: BIG, apply, noop, status, statusBig, cold, guard, guardBig, roundTrips: roundTripPerMigration, noopRoundTrips, statusRoundTrips, profile, scaling })
    : [];
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src'], { cwd: repo, encoding: 'utf8' }).trim() !== '';
  const markdown = renderResults({
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    environment: [
      `archon-migrate ${JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version as string} at commit ${head}${dirty ? ' (with uncommitted changes in src/)' : ''}`,
      `${os.cpus().length} × ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
      `Node ${process.version}; PostgreSQL ${version} (local, TCP 127.0.0.1, fsync on, synchronous_commit on)`,
      `peers: node-pg-migrate ${peerVersion('node-pg-migrate')}, dbmate ${peerVersion('dbmate')}, postgres-migrations ${peerVersion('postgres-migrations')}, lint-staged ${peerVersion('lint-staged')}; git ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim().replace(/^git version /, '')}`,
      `total bench time ${Math.round((Date.now() - started) / 1000)} s`,
    ],
    method: [
      `Rounds: apply ${APPLY_ROUNDS}; ${roundsRun.join(', ')} (fast workloads stop after ${MIN_ROUNDS} rounds once their time budget is spent); in each round every tool runs once, the starting tool rotates.`,
      'Wall time: from spawn to exit, measured by the bench process. Client CPU: user + system seconds of the command and the children it waited for (GNU time).',
      'node-pg-migrate runs `up --no-single-transaction --no-verbose` on `.sql` migrations (one transaction per migration like the others, no statement log); dbmate runs `up --no-dump-schema`; postgres-migrations runs its `migrate()` from a small script (it has no CLI); archon-migrate runs `up` (default output, its lockfile removed before each apply so it seals all migrations).',
      'Each apply starts from a fresh database and is checked afterwards: all tables must exist, otherwise the benchmark aborts.',
      'Round trips are counted by a proxy between client and server: every simple-protocol Query and every extended-protocol Sync is one round trip.',
    ],
    workloads,
    targets,
    profile: profile ? renderProfile(profile, `One \`up\` of ${N.toLocaleString('en-US')} migrations into a fresh database, run under \`node --cpu-prof\` (the run whose round trips were counted).`) : undefined,
  });
  const out = complete ? path.join(repo, 'bench', 'RESULTS.md') : path.join(repo, 'bench', '.work', 'RESULTS.md');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  log(`wrote ${path.relative(repo, out)}`);
  for (const t of targets) console.log(`  ${t.met ? 'met    ' : 'NOT MET'}  ${t.workload}: ${t.goal} — ${t.measured}`);
}

function peerVersion(name: string): string {
  const modules = name === 'lint-staged' ? path.join(repo, 'node_modules') : peersModules(repo);
  return (JSON.parse(readFileSync(path.join(modules, name, 'package.json'), 'utf8')) as { version: string }).version;
}

async function assertPgliteApplied(dataDir: string, expected: number): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  try {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'");
    if (rows[0]?.n !== expected) throw new Error(`INVALID MEASUREMENT: PGlite holds ${rows[0]?.n ?? 0} of ${expected} tables after archon-migrate up; aborting.`);
  } finally {
    await db.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await shutdown();
}