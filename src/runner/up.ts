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
import { blockedError, planUp, resolveTargetVersion, type Blocker, type UpPlan } from '../core/plan.js';
import { failedError, type ArchonError } from '../core/errors.js';
import { ensureLedger, readLedger, updateLedgerRowSql, type LedgerRow } from '../db/ledger.js';
import { isVerifiedChecksum } from '../core/plan.js';
import { compareVersions } from '../core/migration-name.js';
import { applyMigration, describeHolder } from './apply.js';
import { applyContext, lockfileDisplay, tableName, type RunnerOptions } from './context.js';
import { failureError, type MigrationFailure } from './failure.js';
import { peekLedger } from './ledger-view.js';
import { assertRunnable, validateProject, type LoadedMigration } from './migration-files.js';
import { addSeals } from './seal-store.js';
import type { Seal } from '../core/lockfile.js';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pendingOf(m: LoadedMigration, withSql: boolean): PendingMigration {
  return {
    migration: m.name.stem,
    file: m.displayPath,
    version: m.name.version,
    checksum: m.checksum,
    transaction: m.transaction,
    ownTransactionControl: m.body?.stripped ?? null,
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
  for (const s of await addSeals(options.config, toSeal)) {
    result.sealed.push(s.file);
    options.onEvent?.({ type: 'sealed', file: s.file, lockfile: lockfileDisplay(options) });
  }
  return result;
}

/** `up` without the lockfile write: pushes what must be sealed onto `toSeal`. */
async function applyPending(options: UpOptions, toSeal: Seal[]): Promise<UpResult> {
  const { config, db } = options;
  const ctx = applyContext(options);
  const emit = ctx.onEvent;
  const dryRun = options.dryRun === true;
  const frozen = options.frozen === true;

  // Everything that can be checked without a database, first.
  const { migrations: files, seals } = options.project ?? await validateProject(config);
  const byStem = new Map(files.map((f) => [f.name.stem, f]));
  if (options.to !== undefined) resolveTargetVersion(files, options.to); // unknown --to: exit 2 before connecting

  const result: UpResult = {
    ok: true, dryRun, database: db.description,
    ledger: { table: tableName(options), exists: false, created: false, adopted: false, changes: [] },
    applied: [], skipped: [], pending: [], checksumsFilled: [], sealed: [], warnings: [], blockers: [], failure: null, error: null,
  };

  const release = await db.lock();
  try {
    let rows: LedgerRow[];
    // Read first, change nothing: a pending file that cannot run safely is refused before even the
    // ledger table is created or adopted.
    const snapshot = await peekLedger(db, config.table);
    const recorded = new Set(snapshot.rows.map((r) => r.name));
    assertRunnable(files.filter((f) => !recorded.has(f.name.stem) && (options.to === undefined || compareVersions(f.name.version, options.to) <= 0)));
    const planOptions = {
      frozen, allowOutOfOrder: config.allowOutOfOrder, lockfilePath: lockfileDisplay(options),
      ...(options.to === undefined ? {} : { to: options.to }),
    };
    // Refusals (drift, failed rows, --frozen…) are decided on what is there, before the ledger
    // table is created or adopted: a refused up changes nothing. Only 'running' rows are waited for.
    const early = planUp(files, seals, snapshot.rows, planOptions);
    if (!dryRun && early.blockers.some((b) => b.kind !== 'running')) {
      result.ledger.exists = snapshot.exists;
      result.warnings.push(...early.warnings);
      result.ok = false;
      result.blockers = early.blockers;
      result.error = blockedError(early.blockers);
      result.pending = early.pending.map((f) => pendingOf(byStem.get(f.name.stem)!, false));
      return result;
    }
    if (dryRun) {
      rows = snapshot.rows;
      result.ledger.exists = snapshot.exists;
      // What up would do to the ledger, reported (not done).
      if (!snapshot.exists) result.ledger.changes = [`would create table ${result.ledger.table}`];
      else if (snapshot.missingColumns.length > 0) result.ledger.changes = [`would adopt table ${result.ledger.table}: add column${snapshot.missingColumns.length > 1 ? 's' : ''} ${snapshot.missingColumns.join(', ')}`];
    } else if (snapshot.ready) {
      // Already in shape: ensureLedger would change nothing, and the rows were just read.
      rows = snapshot.rows;
      result.ledger.exists = true;
    } else {
      const report = await ensureLedger(db, config.table);
      result.ledger = { table: result.ledger.table, exists: true, created: report.created, adopted: report.adopted, changes: report.changes };
      if (report.created || report.adopted) {
        emit({ type: 'ledger', table: result.ledger.table, created: report.created, adopted: report.adopted, changes: report.changes });
      }
      rows = await readLedger(db, config.table);
    }

    let plan: UpPlan = rows === snapshot.rows ? early : planUp(files, seals, rows, planOptions);

    // A 'running' row belongs to another runner's no-transaction migration (or a crashed one): wait.
    if (!dryRun && plan.blockers.length > 0 && plan.blockers.every((b) => b.kind === 'running')) {
      const deadline = Date.now() + ctx.waitTimeoutMs;
      const announced = new Set<string>();
      while (plan.blockers.length > 0 && plan.blockers.every((b) => b.kind === 'running') && Date.now() < deadline) {
        for (const b of plan.blockers) {
          if (b.kind === 'running' && !announced.has(b.migration)) {
            announced.add(b.migration);
            emit({ type: 'waiting', migration: b.migration, holder: b.appliedBy, since: b.since });
          }
        }
        await sleep(Math.min(500, Math.max(10, deadline - Date.now())));
        rows = await readLedger(db, config.table);
        plan = planUp(files, seals, rows, planOptions);
      }
    }
    result.warnings.push(...plan.warnings);
    const toApply = plan.apply.map((f) => byStem.get(f.name.stem)!);
    result.pending = toApply.map((m) => pendingOf(m, dryRun));

    if (plan.blockers.length > 0) {
      result.ok = false;
      result.blockers = plan.blockers;
      result.error = blockedError(plan.blockers);
      // What would have run, for the report.
      result.pending = plan.pending.map((f) => pendingOf(byStem.get(f.name.stem)!, false));
      return result;
    }
    // Files that cannot run safely (their own COMMIT in the middle…) are refused before anything runs.
    assertRunnable(toApply);
    for (const m of toApply) {
      if (m.body?.stripped) {
        emit({ type: 'transaction-control-stripped', migration: m.name.stem, file: m.displayPath, beginLine: m.body.stripped.beginLine, commitLine: m.body.stripped.commitLine });
      }
    }
    if (dryRun) return result;
    if (!frozen) toSeal.push(...unsealedApplied(plan, byStem));

    // Rows adopted from Archon (NULL or free-text checksum): verified now, recorded now.
    for (const fill of plan.fillChecksums) {
      for (const row of rows.filter((r) => r.name === fill.migration && r.status === 'applied' && !isVerifiedChecksum(r.checksum))) {
        await db.exec(updateLedgerRowSql(config.table, { version: row.version, name: row.name }, { checksum: fill.checksum }));
      }
      result.checksumsFilled.push(fill);
      emit({ type: 'checksum-filled', migration: fill.migration, checksum: fill.checksum });
    }

    for (let i = 0; i < toApply.length; i++) {
      const m = toApply[i]!;
      const outcome = await applyMigration(ctx, m);
      if (outcome.kind === 'applied') {
        result.applied.push({ migration: m.name.stem, file: m.displayPath, checksum: m.checksum, transaction: m.transaction, durationMs: outcome.durationMs });
        emit({ type: 'migration-applied', migration: m.name.stem, file: m.displayPath, transaction: m.transaction, durationMs: outcome.durationMs });
      } else if (outcome.kind === 'skipped') {
        result.skipped.push({ migration: m.name.stem, file: m.displayPath, appliedBy: outcome.by });
        emit({ type: 'migration-skipped', migration: m.name.stem, file: m.displayPath, reason: `applied by another runner${outcome.by ? ` (${outcome.by})` : ''}` });
        if (outcome.checksum !== m.checksum) {
          result.warnings.push(`${m.displayPath} was applied by another runner with checksum ${outcome.checksum ?? 'none'}, but this file is ${m.checksum}`);
          continue;
        }
      } else if (outcome.kind === 'failed') {
        result.ok = false;
        result.failure = outcome.failure;
        result.error = failureError(outcome.failure);
        result.pending = toApply.slice(i).map((p) => pendingOf(p, false));
        emit({ type: 'migration-failed', migration: m.name.stem, file: m.displayPath, durationMs: outcome.durationMs, message: outcome.failure.message });
        return result;
      } else {
        const holder = outcome.holder ?? (await describeHolder(ctx, m.name.stem)).holder;
        result.ok = false;
        result.pending = toApply.slice(i).map((p) => pendingOf(p, false));
        result.error = failedError(
          `timed out after ${ctx.waitTimeoutMs < 1000 ? `${ctx.waitTimeoutMs} ms` : `${Math.round(ctx.waitTimeoutMs / 1000)} s`} waiting for ${holder ?? 'another runner'}${outcome.since ? ` (since ${outcome.since})` : ''}, which is applying ${m.displayPath}; nothing more was applied`,
          `Run \`archon-migrate up\` again once it has finished; if that runner crashed, \`archon-migrate repair ${m.name.stem}\` clears its record.`,
        );
        return result;
      }
      if (!frozen) toSeal.push({ file: m.name.file, checksum: m.checksum });
    }
    // Left for a later run by --to (without --to, everything planned ran).
    if (options.to === undefined) {
      result.pending = [];
      return result;
    }
    const { to: _to, ...withoutTo } = planOptions;
    const done = new Set([...result.applied, ...result.skipped].map((a) => a.migration));
    result.pending = planUp(files, seals, rows, withoutTo).apply
      .filter((f) => !done.has(f.name.stem))
      .map((f) => pendingOf(byStem.get(f.name.stem)!, false));
    return result;
  } finally {
    await release();
  }
}
