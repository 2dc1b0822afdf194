/**
 * `up`: apply pending migrations in version order, each with its ledger row, and seal them in the
 * lockfile: one write when the batch ends (also when it stops at a failure), not one per
 * migration. A run killed before that write leaves applied but unsealed migrations; the next `up`
 * seals them: every applied migration that the lockfile lacks and whose ledger checksum is its
 * file's (not with --frozen or --dry-run, which write nothing).
 *
 * Order of work: read and validate every file and the lockfile (exit 2 on bad input) → make sure
 * the ledger exists (adopting an Archon table) → plan → refuse with every reason if blocked
 * (drift, failed/running rows, out of order, --frozen) → apply one by one, stopping at the first
 * failure. `--dry-run` reads only: no ledger table is created, nothing is written anywhere.
 */
import { blockedError, isVerifiedChecksum, planUp, resolveTargetVersion, type Blocker, type UpPlan, type UpPlanOptions } from '../core/plan.js';
import { failedError, type ArchonError } from '../core/errors.js';
import { compareVersions, parseMigrationName } from '../core/migration-name.js';
import type { Seal } from '../core/lockfile.js';
import { ensureLedger, readLedger, updateLedgerRowSql, type LedgerRow } from '../db/ledger.js';
import { sessionRestoreSql } from '../db/session.js';
import { applyMigration, type ApplyContext, type ApplyOutcome } from './apply.js';
import { keepsSupabaseHistory } from '../db/supabase-history.js';
import { applyContext, lockfileDisplay, tableName, type RunnerOptions } from './context.js';
import { failureError, type MigrationFailure } from './failure.js';
import { peekLedger, type LedgerSnapshot } from './ledger-view.js';
import { assertRunnable, validateProject, type LoadedMigration, type ProjectFiles } from './migration-files.js';
import { withGoneRunners } from './runner-liveness.js';
import { addSeals } from './seal-store.js';
import { describeHolder } from './wait-for-runner.js';

export interface UpOptions extends RunnerOptions {
  /** print what would run; change nothing (not even create the ledger table) */
  dryRun?: boolean;
  /** apply up to and including this version */
  to?: string;
  /** refuse unless every file is sealed with its current checksum; never write the lockfile */
  frozen?: boolean;
}

export interface PendingMigration {
  migration: string;
  file: string;
  version: string;
  checksum: string;
  transaction: boolean;
  /** no transaction because every statement of the file needs that (not a directive) */
  detectedNoTransaction: boolean;
  /** lines of the file's own BEGIN/COMMIT that run inside archon-migrate's transaction instead */
  ownTransactionControl: { beginLine: number; commitLine: number } | null;
  /** the file's SQL (dry-run only) */
  sql?: string;
}

export interface AppliedMigration {
  migration: string;
  file: string;
  checksum: string;
  transaction: boolean;
  durationMs: number;
}

export interface SkippedMigration {
  migration: string;
  file: string;
  /** applied_by of the runner that applied it */
  appliedBy: string | null;
}

export interface LedgerInfo {
  table: string;
  exists: boolean;
  created: boolean;
  adopted: boolean;
  changes: string[];
}

export interface UpResult {
  ok: boolean;
  dryRun: boolean;
  database: string;
  ledger: LedgerInfo;
  applied: AppliedMigration[];
  skipped: SkippedMigration[];
  /** dry-run: what would run; otherwise what is still pending after a block, a failure or --to */
  pending: PendingMigration[];
  checksumsFilled: { migration: string; checksum: string }[];
  /** files newly sealed in the lockfile */
  sealed: string[];
  /** of `sealed`: applied migrations adopted from an existing ledger whose checksum this run recorded */
  sealedAdopted: string[];
  warnings: string[];
  blockers: Blocker[];
  failure: MigrationFailure | null;
  /** why ok is false: the message and the fix, as the CLI prints them */
  error: ArchonError | null;
}

/**
 * Applied migrations missing from the lockfile whose ledger checksum is their file's: a run killed
 * between applying and sealing left them so, and sealing them is what it would have done. (A
 * different checksum is drift: reported by the plan, never sealed.)
 */
function unsealedApplied(plan: UpPlan, byStem: ReadonlyMap<string, LoadedMigration>): Seal[] {
  const seals: Seal[] = [];
  for (const r of plan.status.rows) {
    if (r.state !== 'applied' || r.seal !== 'unsealed' || r.recordedChecksum === null || r.recordedChecksum !== r.checksum) continue;
    const file = byStem.get(r.migration);
    if (file) seals.push({ file: file.name.file, checksum: file.checksum });
  }
  return seals;
}


function pendingOf(m: LoadedMigration, withSql: boolean): PendingMigration {
  return {
    migration: m.name.stem,
    file: m.displayPath,
    version: m.name.version,
    checksum: m.checksum,
    transaction: m.transaction,
    detectedNoTransaction: m.detectedNoTransaction === true,
    ownTransactionControl: m.transaction ? (m.body?.stripped ?? null) : null,
    ...(withSql ? { sql: m.sql } : {}),
  };
}

export async function up(options: UpOptions): Promise<UpResult> {
  // Written once, when the batch ends: what this run applied (or found applied by another runner
  // with the same checksum), and what an interrupted earlier run applied but could not seal.
  const toSeal: Seal[] = [];
  let result: UpResult;
  try {
    result = await applyPending(options, toSeal);
  } catch (error) {
    // Seal what was applied before the error, but report the error itself.
    await addSeals(options.config, toSeal).catch(() => {});
    throw error;
  }
  const adopted = new Set(result.checksumsFilled.map((f) => `${f.migration}.sql`));
  for (const s of await addSeals(options.config, toSeal)) {
    result.sealed.push(s.file);
    if (adopted.has(s.file)) result.sealedAdopted.push(s.file);
    options.onEvent?.({ type: 'sealed', file: s.file, lockfile: lockfileDisplay(options) });
  }
  return result;
}

/** Everything `up` works with during one run. */
interface Run {
  options: UpOptions;
  ctx: ApplyContext;
  files: LoadedMigration[];
  seals: Seal[];
  byStem: Map<string, LoadedMigration>;
  planOptions: UpPlanOptions;
  result: UpResult;
  toSeal: Seal[];
}

/** `up` without the lockfile write: pushes what must be sealed onto `toSeal`. */
async function applyPending(options: UpOptions, toSeal: Seal[]): Promise<UpResult> {
  const { config, db } = options;
  // Everything that can be checked without a database, first.
  const project: ProjectFiles = options.project ?? await validateProject(config);
  if (options.to !== undefined) resolveTargetVersion(project.migrations, options.to); // unknown --to: exit 2 before connecting
  const release = await db.lock();
  try {
    const run: Run = {
      options, ctx: await applyContext(options), files: project.migrations, seals: project.seals, toSeal,
      byStem: new Map(project.migrations.map((f) => [f.name.stem, f])),
      planOptions: {
        frozen: options.frozen === true, allowOutOfOrder: config.allowOutOfOrder, lockfilePath: lockfileDisplay(options),
        ...(options.to === undefined ? {} : { to: options.to }),
      },
      result: {
        ok: true, dryRun: options.dryRun === true, database: db.description,
        ledger: { table: tableName(options), exists: false, created: false, adopted: false, changes: [] },
        applied: [], skipped: [], pending: [], checksumsFilled: [], sealed: [], sealedAdopted: [], warnings: [], blockers: [], failure: null, error: null,
      },
    };
    return await planAndApply(run);
  } finally {
    await release();
  }
}

function refuse(run: Run, blockers: Blocker[], pending: readonly { name: { stem: string } }[]): UpResult {
  const { result } = run;
  result.ok = false;
  result.blockers = blockers;
  result.error = blockedError(blockers);
  result.pending = pending.map((f) => pendingOf(run.byStem.get(f.name.stem)!, false));
  return result;
}

async function planAndApply(run: Run): Promise<UpResult> {
  const { options, ctx, files, seals, result, planOptions } = run;
  const dryRun = result.dryRun;
  // Read first, change nothing: a pending file that cannot run safely is refused before even the
  // ledger table is created or adopted.
  const snapshot = await peekLedger(ctx.db, ctx.table);
  snapshot.rows = await withGoneRunners(ctx.db, snapshot.rows);
  const recorded = new Set(snapshot.rows.map((r) => r.name));
  assertRunnable(files.filter((f) => !recorded.has(f.name.stem) && (options.to === undefined || compareVersions(f.name.version, options.to) <= 0)));
  // Refusals (drift, failed rows, --frozen…) are decided on what is there, before the ledger
  // table is created or adopted: a refused up changes nothing. Only live runners' rows are waited for.
  const early = planUp(files, seals, snapshot.rows, planOptions);
  result.ledger.exists = snapshot.exists;
  if (!dryRun && early.blockers.some((b) => b.kind !== 'running')) {
    result.warnings.push(...early.warnings);
    return refuse(run, early.blockers, early.pending);
  }
  const rows = dryRun ? describeLedgerChanges(run, snapshot) : await readyLedger(run, snapshot);
  let plan: UpPlan = rows === snapshot.rows ? early : planUp(files, seals, rows, planOptions);
  if (!dryRun) plan = await waitForRunners(run, plan);
  result.warnings.push(...plan.warnings);
  const toApply = plan.apply.map((f) => run.byStem.get(f.name.stem)!);
  result.pending = toApply.map((m) => pendingOf(m, dryRun));
  if (plan.blockers.length > 0) return refuse(run, plan.blockers, plan.pending);
  // Files that cannot run safely (their own COMMIT in the middle…) are refused before anything runs.
  assertRunnable(toApply);
  for (const m of toApply) {
    if (m.transaction && m.body?.stripped) {
      ctx.onEvent({ type: 'transaction-control-stripped', migration: m.name.stem, file: m.displayPath, beginLine: m.body.stripped.beginLine, commitLine: m.body.stripped.commitLine });
    }
  }
  if (dryRun) return result;
  if (!planOptions.frozen) run.toSeal.push(...unsealedApplied(plan, run.byStem));
  await fillChecksums(run, plan, rows);
  if (toApply.length > 0) ctx.restoreSql = await sessionRestoreSql(ctx.db);
  if (!(await applyAll(run, toApply, rows))) return result;
  // Left for a later run by --to (without --to, everything planned ran).
  result.pending = [];
  if (options.to === undefined) return result;
  const { to: _to, ...withoutTo } = planOptions;
  const done = new Set([...result.applied, ...result.skipped].map((a) => a.migration));
  result.pending = planUp(files, seals, rows, withoutTo).apply
    .filter((f) => !done.has(f.name.stem))
    .map((f) => pendingOf(run.byStem.get(f.name.stem)!, false));
  return result;
}

/** Dry run: what up would do to the ledger, reported (not done). */
function describeLedgerChanges(run: Run, snapshot: LedgerSnapshot): LedgerRow[] {
  const { result } = run;
  if (!snapshot.exists) result.ledger.changes = [`would create table ${result.ledger.table}`];
  else if (snapshot.missingColumns.length > 0) result.ledger.changes = [`would adopt table ${result.ledger.table}: add column${snapshot.missingColumns.length > 1 ? 's' : ''} ${snapshot.missingColumns.join(', ')}`];
  return snapshot.rows;
}

/** The ledger in shape (created or adopted when needed), and its rows. */
async function readyLedger(run: Run, snapshot: LedgerSnapshot): Promise<LedgerRow[]> {
  const { ctx, result } = run;
  // ensureLedger would change nothing, and the rows were just read (Supabase's history table may still be missing)
  if (snapshot.ready && !keepsSupabaseHistory(ctx.table)) return snapshot.rows;
  const report = await ensureLedger(ctx.db, ctx.table);
  result.ledger = { table: result.ledger.table, exists: true, created: report.created, adopted: report.adopted, changes: report.changes };
  if (report.created || report.adopted) {
    ctx.onEvent({ type: 'ledger', table: result.ledger.table, created: report.created, adopted: report.adopted, changes: report.changes });
  }
  return withGoneRunners(ctx.db, await readLedger(ctx.db, ctx.table));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A live runner's 'running' row belongs to its no-transaction migration in progress: wait for it. */
async function waitForRunners(run: Run, first: UpPlan): Promise<UpPlan> {
  const { ctx, files, seals, planOptions } = run;
  const onlyRunning = (p: UpPlan) => p.blockers.length > 0 && p.blockers.every((b) => b.kind === 'running');
  let plan = first;
  const deadline = Date.now() + ctx.waitTimeoutMs;
  const announced = new Set<string>();
  while (onlyRunning(plan) && Date.now() < deadline) {
    for (const b of plan.blockers) {
      if (b.kind === 'running' && !announced.has(b.migration)) {
        announced.add(b.migration);
        ctx.onEvent({ type: 'waiting', migration: b.migration, holder: b.appliedBy, since: b.since });
      }
    }
    await sleep(Math.min(500, Math.max(10, deadline - Date.now())));
    plan = planUp(files, seals, await withGoneRunners(ctx.db, await readLedger(ctx.db, ctx.table)), planOptions);
  }
  return plan;
}

/**
 * Rows adopted from Archon (NULL or free-text checksum): verified now, recorded now, and sealed
 * in this same run (the lockfile learns what the adopted ledger says is applied).
 */
async function fillChecksums(run: Run, plan: UpPlan, rows: readonly LedgerRow[]): Promise<void> {
  const { ctx, result } = run;
  for (const fill of plan.fillChecksums) {
    for (const row of rows.filter((r) => r.name === fill.migration && r.status === 'applied' && !isVerifiedChecksum(r.checksum))) {
      await ctx.db.exec(updateLedgerRowSql(ctx.table, { version: row.version, name: row.name }, { checksum: fill.checksum }));
    }
    result.checksumsFilled.push(fill);
    ctx.onEvent({ type: 'checksum-filled', migration: fill.migration, checksum: fill.checksum });
    const file = run.byStem.get(fill.migration);
    if (file && !run.planOptions.frozen && !run.seals.some((s) => s.file === file.name.file)) run.toSeal.push({ file: file.name.file, checksum: file.checksum });
  }
}

/** The applied migration with the highest version below `m` (null when none): what must stay applied while `m` is. */
function predecessorOf(m: LoadedMigration, applied: ReadonlySet<string>): string | null {
  let best: { name: string; version: string } | null = null;
  for (const name of applied) {
    const version = parseMigrationName(`${name}.sql`)?.version;
    if (version === undefined || compareVersions(version, m.name.version) >= 0) continue;
    if (best === null || compareVersions(version, best.version) > 0) best = { name, version };
  }
  return best?.name ?? null;
}

/** Applies one by one, stopping at the first that does not apply. False when the run stopped. */
async function applyAll(run: Run, toApply: readonly LoadedMigration[], rows: readonly LedgerRow[]): Promise<boolean> {
  const { ctx, result } = run;
  const applied = new Set(rows.filter((r) => r.status === 'applied').map((r) => r.name));
  for (let i = 0; i < toApply.length; i++) {
    const m = toApply[i]!;
    const outcome = await applyMigration(ctx, m, predecessorOf(m, applied));
    if (!(await record(run, m, outcome))) {
      result.pending = toApply.slice(i).map((p) => pendingOf(p, false));
      return false;
    }
    applied.add(m.name.stem);
  }
  return true;
}

/** Records one outcome in the result; false when the run must stop. */
async function record(run: Run, m: LoadedMigration, outcome: ApplyOutcome): Promise<boolean> {
  const { ctx, result } = run;
  const emit = ctx.onEvent;
  switch (outcome.kind) {
    case 'applied':
      result.applied.push({ migration: m.name.stem, file: m.displayPath, checksum: m.checksum, transaction: m.transaction, durationMs: outcome.durationMs });
      emit({ type: 'migration-applied', migration: m.name.stem, file: m.displayPath, transaction: m.transaction, durationMs: outcome.durationMs });
      break;
    case 'skipped':
      result.skipped.push({ migration: m.name.stem, file: m.displayPath, appliedBy: outcome.by });
      emit({ type: 'migration-skipped', migration: m.name.stem, file: m.displayPath, reason: `applied by another runner${outcome.by ? ` (${outcome.by})` : ''}` });
      if (outcome.checksum !== m.checksum) {
        result.warnings.push(`${m.displayPath} was applied by another runner with checksum ${outcome.checksum ?? 'none'}, but this file is ${m.checksum}`);
        return true;
      }
      break;
    case 'failed':
      result.ok = false;
      result.failure = outcome.failure;
      result.error = failureError(outcome.failure);
      emit({ type: 'migration-failed', migration: m.name.stem, file: m.displayPath, durationMs: outcome.durationMs, message: outcome.failure.message });
      return false;
    case 'predecessor-gone':
      result.ok = false;
      result.error = failedError(
        `${m.displayPath} was not applied: ${outcome.predecessor} was rolled back by another runner meanwhile; applying ${m.name.stem} now would leave it as a hole below`,
        'Run `archon-migrate up` again once the rollback has finished: it applies both in order.',
      );
      return false;
    case 'rolled-back-meanwhile':
      result.ok = false;
      result.error = failedError(
        `${m.displayPath} was applied and then rolled back by other runners while this one waited for it; nothing more was applied`,
        'Run `archon-migrate up` again once the other runners have finished.',
      );
      return false;
    case 'timeout': {
      const described = outcome.holder === null ? await describeHolder(ctx, m.name.stem) : outcome;
      const holder = described.holder;
      const since = outcome.since ?? described.since;
      result.ok = false;
      result.error = failedError(
        `timed out after ${ctx.waitTimeoutMs < 1000 ? `${ctx.waitTimeoutMs} ms` : `${Math.round(ctx.waitTimeoutMs / 1000)} s`} waiting for ${holder ?? 'another runner'}${since ? ` (since ${since})` : ''}, which is applying ${m.displayPath}; nothing more was applied`,
        `Run \`archon-migrate up\` again once it has finished; if that runner crashed, \`archon-migrate repair ${m.name.stem}\` clears its record.`,
      );
      return false;
    }
  }
  if (!run.planOptions.frozen) run.toSeal.push({ file: m.name.file, checksum: m.checksum });
  return true;
}
