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
 */
import { access } from 'node:fs/promises';
import { computeStatus, planDown } from '../core/plan.js';
import { failedError, usageError, type ArchonError } from '../core/errors.js';
import type { Seal } from '../core/lockfile.js';
import { quoteLiteral } from '../core/sql-quote.js';
import { splitStatements } from '../core/sql-lexer.js';
import { deleteLedgerRowSql, type LedgerRow } from '../db/ledger.js';
import { findFailingOffset, runnerMarker, statementOffset, timeouts, type ApplyContext } from './apply.js';
import { applyContext, lockfileDisplay, type RunnerOptions } from './context.js';
import { asDatabaseError, describeFailure, failureFrom, positionInFile, type MigrationFailure } from './failure.js';
import { peekLedger } from './ledger-view.js';
import { assertRunnable, displayPath, loadMigrations, readSeals, readSqlSource, rollbackPath, type SqlSource } from './migration-files.js';
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
  const ctx = applyContext(options);
  const emit = ctx.onEvent;
  const dryRun = options.dryRun === true;
  const files = await loadMigrations(config);
  const { seals } = await readSeals(config);

  const result: DownResult = { ok: true, dryRun, database: db.description, planned: [], rolledBack: [], warnings: [], failure: null, error: null };
  const release = await db.lock();
  try {
    const ledger = await peekLedger(db, config.table);
    const status = computeStatus(files, seals, ledger.rows);
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
      migration: row.migration, file: source.displayPath, checksum: source.checksum, transaction: source.directives.transaction,
      ...(dryRun ? { sql: source.sql } : {}),
    }));
    if (dryRun) return result;

    const lockfile = lockfileDisplay(options);
    const headFiles = options.headSeals === null ? null : new Set(options.headSeals.map((s) => s.file));
    const sealed = new Set(seals.map((s) => s.file));
    for (const { row, source } of sources) {
      const keys = ledger.rows.filter((r) => r.name === row.migration);
      emit({ type: 'rollback-start', migration: row.migration, file: source.displayPath, transaction: source.directives.transaction });
      const outcome = await runRollback(ctx, row.migration, source, keys);
      if ('failure' in outcome) {
        result.ok = false;
        result.failure = outcome.failure;
        result.error = failedError(
          describeFailure(outcome.failure),
          source.directives.transaction
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

async function runRollback(
  ctx: ApplyContext, migration: string, source: SqlSource, rows: readonly LedgerRow[],
): Promise<{ durationMs: number } | { failure: MigrationFailure; durationMs: number }> {
  const { db } = ctx;
  const deletes = rows.map((r) => `${deleteLedgerRowSql(ctx.table, { version: r.version, name: r.name })};`).join('\n');
  const base = { migration, file: source.displayPath, transaction: source.directives.transaction, sql: source.sql };
  const started = performance.now();
  if (source.directives.transaction) {
    const t = timeouts(source, ctx);
    const prefix = [
      runnerMarker(ctx.appliedBy, `rollback of ${migration}`),
      'BEGIN;',
      `SET LOCAL lock_timeout = ${t.lockTimeout ? quoteLiteral(t.lockTimeout) : 'DEFAULT'};`,
      ...(t.statementTimeout ? [`SET LOCAL statement_timeout = ${quoteLiteral(t.statementTimeout)};`] : []),
    ].join('\n') + '\n';
    const text = `${prefix}${source.body!.text}\n;\n${deletes}\nCOMMIT;`;
    try {
      await db.exec(text);
    } catch (e) {
      const error = asDatabaseError(e);
      const durationMs = Math.round(performance.now() - started);
      if (!error.connectionLost) await db.exec('ROLLBACK').catch(() => {});
      let offset = positionInFile(text, error.position, prefix.length, source.body!.text.length);
      if (offset === undefined && error.position === undefined && !error.connectionLost && error.code !== '57014') {
        offset = await findFailingOffset(ctx, source, error);
      }
      return { durationMs, failure: failureFrom(error, base, offset) };
    }
    return { durationMs: Math.round(performance.now() - started) };
  }
  for (const statement of splitStatements(source.sql)) {
    try {
      await db.exec(statement.text);
    } catch (e) {
      const error = asDatabaseError(e);
      if (!error.connectionLost) await db.exec('ROLLBACK').catch(() => {});
      return { durationMs: Math.round(performance.now() - started), failure: failureFrom(error, base, statementOffset(source.sql, statement, error)) };
    }
  }
  if (deletes !== '') await db.exec(deletes);
  return { durationMs: Math.round(performance.now() - started) };
}
