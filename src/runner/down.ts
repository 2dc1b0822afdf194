/**
 * `down`: run rollback files (`<rollbacksDir>/<same file name>`), newest first, each with the
 * deletion of its ledger rows in one transaction.
 *
 * - Default: the last applied migration. `target` (name or version): that migration and every
 *   applied one above it. `steps`: the last N.
 * - A missing rollback file is an error before anything runs (exit 1), naming where it should be.
 * - Seals (DESIGN §3): a rolled-back migration's seal is removed only if HEAD's lockfile does not
 *   have it (never committed); a committed seal stays. `headSeals` comes from the caller (the CLI
 *   reads HEAD through src/git); null means HEAD could not be read, and then every seal stays.
 * - No-transaction rollback files run statement by statement; the ledger rows are deleted after
 *   the last statement succeeded.
 * - Concurrency (rollback.ts): each rollback claims its ledger rows under a table lock, so two
 *   `down`s never run one rollback twice, and a `down` never rolls back a migration that an
 *   `up` has meanwhile built on (it refuses, naming the newer one).
 */
import { access } from 'node:fs/promises';
import { computeStatus, planDown } from '../core/plan.js';
import { failedError, usageError, type ArchonError } from '../core/errors.js';
import type { Seal } from '../core/lockfile.js';
import { sessionRestoreSql } from '../db/session.js';
import { applyContext, lockfileDisplay, type RunnerOptions } from './context.js';
import { describeFailure, type MigrationFailure } from './failure.js';
import { peekLedger } from './ledger-view.js';
import { assertRunnable, displayPath, loadMigrations, readSeals, readSqlSource, rollbackPath, type SqlSource } from './migration-files.js';
import { rollBack } from './rollback.js';
import { withGoneRunners } from './runner-liveness.js';
import { removeSeals } from './seal-store.js';

export interface DownOptions extends RunnerOptions {
  /** migration name, file name or version */
  target?: string;
  steps?: number;
  dryRun?: boolean;
  /** seals in HEAD's lockfile; null when HEAD could not be read (then no seal is removed) */
  headSeals: readonly Seal[] | null;
}

export interface PlannedRollback {
  migration: string;
  /** the rollback file, relative to the project root */
  file: string;
  checksum: string;
  transaction: boolean;
  /** dry-run only */
  sql?: string;
}

export interface RolledBackMigration {
  migration: string;
  file: string;
  durationMs: number;
  /** 'removed': the seal was never committed and is gone; 'kept': committed in HEAD (or HEAD unknown); 'none': not sealed */
  seal: 'removed' | 'kept' | 'none';
}

export interface DownResult {
  ok: boolean;
  dryRun: boolean;
  database: string;
  /** newest first */
  planned: PlannedRollback[];
  rolledBack: RolledBackMigration[];
  /** rolled back by another runner meanwhile: nothing was run for them */
  alreadyRolledBack: string[];
  warnings: string[];
  failure: MigrationFailure | null;
  error: ArchonError | null;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

export async function down(options: DownOptions): Promise<DownResult> {
  const { config, db } = options;
  const dryRun = options.dryRun === true;
  const files = await loadMigrations(config);
  const { seals } = await readSeals(config);

  const result: DownResult = { ok: true, dryRun, database: db.description, planned: [], rolledBack: [], alreadyRolledBack: [], warnings: [], failure: null, error: null };
  const release = await db.lock();
  try {
    const ctx = await applyContext(options);
    const emit = ctx.onEvent;
    const ledger = await peekLedger(db, ctx.table);
    const status = computeStatus(files, seals, await withGoneRunners(db, ledger.rows));
    const targets = planDown(status, {
      ...(options.target === undefined ? {} : { target: options.target }),
      ...(options.steps === undefined ? {} : { steps: options.steps }),
    });
    if (targets.length === 0) {
      result.warnings.push('nothing to roll back: no migration is applied');
      return result;
    }

    // Every rollback file must exist and be runnable before the first one runs.
    const missing: string[] = [];
    const sources: { row: (typeof targets)[number]; source: SqlSource }[] = [];
    const directiveProblems: string[] = [];
    for (const row of targets) {
      const file = rollbackPath(config, `${row.migration}.sql`);
      if (!(await exists(file))) {
        missing.push(`${row.migration}: expected ${displayPath(config, file)}`);
        continue;
      }
      const read = await readSqlSource(config, file);
      directiveProblems.push(...read.directiveProblems);
      sources.push({ row, source: read.source });
    }
    if (missing.length > 0) {
      throw failedError(`no rollback file, nothing rolled back: ${missing.join('; ')}`,
        `Write the rollback file${missing.length > 1 ? 's' : ''} (same name as the migration, in ${displayPath(config, config.rollbacksDir)}/), or roll back fewer migrations.`);
    }
    if (directiveProblems.length > 0) {
      throw usageError(directiveProblems.join('\n  '), 'Fix the directive comment at the top of the rollback file.');
    }
    assertRunnable(sources.map((s) => s.source));
    result.planned = sources.map(({ row, source }) => ({
      migration: row.migration, file: source.displayPath, checksum: source.checksum, transaction: source.transaction,
      ...(dryRun ? { sql: source.sql } : {}),
    }));
    if (dryRun) return result;
    ctx.restoreSql = await sessionRestoreSql(db);

    const lockfile = lockfileDisplay(options);
    const headFiles = options.headSeals === null ? null : new Set(options.headSeals.map((s) => s.file));
    const sealed = new Set(seals.map((s) => s.file));
    for (const { row, source } of sources) {
      emit({ type: 'rollback-start', migration: row.migration, file: source.displayPath, transaction: source.transaction });
      const outcome = await rollBack(ctx, row.migration, source);
      if (outcome.kind === 'already-rolled-back') {
        result.alreadyRolledBack.push(row.migration);
        emit({ type: 'warning', message: `${row.migration} was already rolled back by another runner; nothing was run for it` });
        continue;
      }
      if (outcome.kind === 'newer-applied') {
        result.ok = false;
        result.error = failedError(
          `${row.migration} was not rolled back: ${outcome.newer} was applied meanwhile by another runner, so ${row.migration} is no longer the newest applied migration`,
          'Run `archon-migrate status`, then `archon-migrate down` again: it rolls back the newest applied migration first.',
        );
        return result;
      }
      if (outcome.kind === 'failed') {
        result.ok = false;
        result.failure = outcome.failure;
        result.error = failedError(
          describeFailure(outcome.failure),
          source.transaction
            ? `Nothing of this rollback was applied and ${row.migration} is still recorded as applied; fix ${source.displayPath} and run \`archon-migrate down\` again.`
            : `${source.displayPath} ran without a transaction: the statements before the failing one stay executed and ${row.migration} is still recorded as applied; fix the database and the file, then run \`archon-migrate down\` again.`,
        );
        emit({ type: 'migration-failed', migration: row.migration, file: source.displayPath, durationMs: outcome.durationMs, message: outcome.failure.message });
        return result;
      }
      emit({ type: 'rolled-back', migration: row.migration, file: source.displayPath, durationMs: outcome.durationMs });
      const file = `${row.migration}.sql`;
      let seal: RolledBackMigration['seal'] = 'none';
      if (sealed.has(file)) {
        if (headFiles === null) {
          seal = 'kept';
          emit({ type: 'seal-kept', file, lockfile, reason: "HEAD's lockfile could not be read" });
        } else if (headFiles.has(file)) {
          seal = 'kept';
          emit({ type: 'seal-kept', file, lockfile, reason: 'it is committed (in HEAD); you may roll a database back, not rewrite history' });
        } else {
          await removeSeals(config, [file]);
          seal = 'removed';
          emit({ type: 'unsealed', file, lockfile });
        }
      }
      result.rolledBack.push({ migration: row.migration, file: source.displayPath, durationMs: outcome.durationMs, seal });
    }
    return result;
  } finally {
    await release();
  }
}

