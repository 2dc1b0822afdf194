/**
 * One rollback, claimed before it runs. In one transaction: the ledger is locked in SHARE ROW
 * EXCLUSIVE mode (it waits for an `up` that is writing a row, and makes the next `up` wait; a
 * second `down` waits too), the migration's rows are read again — gone means another runner
 * rolled it back, a newer applied migration means an `up` built on it meanwhile — and deleted,
 * and only then the rollback file runs. So exactly one runner runs a rollback, and no hole is left.
 * On backends with one session (PGlite, pg-mem) there is nobody to race with and no lock is taken.
 *
 * No-transaction rollback files: the claim (under the same lock) marks the rows running, the
 * statements run one by one, then the rows are deleted; a failure puts them back to applied.
 */
import { compareVersions, parseMigrationName } from '../core/migration-name.js';
import { qualifiedTable, quoteLiteral } from '../core/sql-quote.js';
import { splitStatements } from '../core/sql-lexer.js';
import type { Queryable } from '../db/database.js';
import { deleteLedgerRowSql, readLedger, updateLedgerRowSql, type LedgerRow } from '../db/ledger.js';
import { runnerMarker } from '../db/runner-marker.js';
import { statementOffset, timeoutSql, type ApplyContext } from './apply.js';
import { findFailingOffset } from './apply-transactional.js';
import { asDatabaseError, failureFrom, positionInFile, type MigrationFailure } from './failure.js';
import type { SqlSource } from './migration-files.js';

export type RollbackOutcome =
  | { kind: 'rolled-back'; durationMs: number }
  | { kind: 'already-rolled-back' }
  | { kind: 'newer-applied'; newer: string }
  | { kind: 'failed'; failure: MigrationFailure; durationMs: number };

class Unclaimed extends Error {
  constructor(readonly outcome: RollbackOutcome) {
    super('rollback not claimed');
  }
}

/** Locks the ledger (servers only), re-reads it and returns the rows of `migration` to claim. */
async function claim(ctx: ApplyContext, tx: Queryable, migration: string): Promise<LedgerRow[]> {
  if (!ctx.db.capabilities.exclusive) {
    await tx.exec(`${runnerMarker(ctx.appliedBy, `rollback of ${migration}`)}
SET LOCAL lock_timeout = ${quoteLiteral(`${Math.max(1, Math.round(ctx.waitTimeoutMs))}ms`)};
LOCK TABLE ${qualifiedTable(ctx.table)} IN SHARE ROW EXCLUSIVE MODE`);
  }
  const rows = await readLedger(tx, ctx.table);
  const mine = rows.filter((r) => r.name === migration);
  if (mine.length === 0) throw new Unclaimed({ kind: 'already-rolled-back' });
  const version = parseMigrationName(`${migration}.sql`)?.version;
  const newer = version === undefined ? undefined : rows.find((r) => {
    const v = parseMigrationName(`${r.name}.sql`)?.version;
    return r.name !== migration && v !== undefined && compareVersions(v, version) > 0;
  });
  if (newer) throw new Unclaimed({ kind: 'newer-applied', newer: newer.name });
  return mine;
}

export async function rollBack(ctx: ApplyContext, migration: string, source: SqlSource): Promise<RollbackOutcome> {
  try {
    return source.transaction ? await rollBackInTransaction(ctx, migration, source) : await rollBackStatements(ctx, migration, source);
  } catch (error) {
    if (error instanceof Unclaimed) return error.outcome;
    throw error;
  }
}

async function rollBackInTransaction(ctx: ApplyContext, migration: string, source: SqlSource): Promise<RollbackOutcome> {
  const base = { migration, file: source.displayPath, transaction: true, sql: source.sql };
  const started = performance.now();
  let failed: { error: ReturnType<typeof asDatabaseError> } | undefined;
  let text = '';
  let prefix = '';
  try {
    await ctx.db.transaction(async (tx) => {
      const rows = await claim(ctx, tx, migration);
      // One message: the deletes and the body succeed or fail together on every backend.
      prefix = [
        runnerMarker(ctx.appliedBy, `rollback of ${migration}`),
        ...rows.map((r) => `${deleteLedgerRowSql(ctx.table, { version: r.version, name: r.name })};`),
        ...(ctx.db.capabilities.sessionSettings ? timeoutSql(source, ctx) : []),
      ].join('\n') + '\n';
      text = `${prefix}${source.body!.text}\n;${ctx.restoreSql ? `\n${ctx.restoreSql}` : ''}`;
      try {
        await tx.exec(text);
      } catch (e) {
        failed = { error: asDatabaseError(e) };
        throw e;
      }
    });
  } catch (e) {
    if (e instanceof Unclaimed || !failed) throw e;
    const { error } = failed;
    const durationMs = Math.round(performance.now() - started);
    let offset = positionInFile(text, error.position, prefix.length, source.body!.text.length);
    if (offset === undefined && error.position === undefined && !error.connectionLost && error.code !== '57014') {
      offset = await findFailingOffset(ctx, source, error);
    }
    return { kind: 'failed', durationMs, failure: failureFrom(error, base, offset) };
  }
  return { kind: 'rolled-back', durationMs: Math.round(performance.now() - started) };
}

async function rollBackStatements(ctx: ApplyContext, migration: string, source: SqlSource): Promise<RollbackOutcome> {
  const { db, table } = ctx;
  const rows = await db.transaction(async (tx) => {
    const mine = await claim(ctx, tx, migration);
    await tx.exec(mine.map((r) => `${updateLedgerRowSql(table, { version: r.version, name: r.name }, { status: 'running', appliedBy: ctx.appliedBy })};`).join('\n'));
    return mine;
  });
  const keys = rows.map((r) => ({ version: r.version, name: r.name }));
  const marker = `${runnerMarker(ctx.appliedBy, `rollback of ${migration}`)}\n`;
  const restore = ctx.restoreSql ? `${ctx.restoreSql}\n` : '';
  const started = performance.now();
  for (const statement of splitStatements(source.sql)) {
    try {
      await db.exec(marker + statement.text);
    } catch (e) {
      const error = asDatabaseError(e);
      if (!error.connectionLost) {
        await db.exec('ROLLBACK').catch(() => {});
        await db.exec(`${marker}${restore}${keys.map((k, i) => `${updateLedgerRowSql(table, k, { status: 'applied', appliedBy: rows[i]!.appliedBy })};`).join('\n')}`).catch(() => {});
      }
      const base = { migration, file: source.displayPath, transaction: false, sql: source.sql };
      return { kind: 'failed', durationMs: Math.round(performance.now() - started), failure: failureFrom(error, base, statementOffset(source.sql, statement, error)) };
    }
  }
  await db.exec(`${marker}${restore}${keys.map((k) => `${deleteLedgerRowSql(table, k)};`).join('\n')}`);
  return { kind: 'rolled-back', durationMs: Math.round(performance.now() - started) };
}
