/**
 * A transactional migration: its one message (see apply.ts), and what a failure means — another
 * runner holds or applied it, the migration before it was rolled back meanwhile, a lock held by
 * another session, or an error in the file, located by line and column.
 */
import { splitStatements, type Statement } from '../core/sql-lexer.js';
import { deleteLedgerRowSql, readLedger, updateLedgerRowSql, type LedgerRow } from '../db/ledger.js';
import type { DatabaseError } from '../db/database.js';
import { describeLockHolders } from '../db/lock-holders.js';
import { keyOf, statementOffset, timeoutSql, transactionalMessage, type ApplyContext, type ApplyOutcome } from './apply.js';
import { asDatabaseError, failureFrom, positionInFile } from './failure.js';
import type { LoadedMigration, SqlSource } from './migration-files.js';
import { resolveTaken } from './wait-for-runner.js';

/** The 55P03 of our ledger INSERT waiting on another runner's uncommitted row (not a lock in the body). */
function isLedgerWait(error: DatabaseError, ctx: ApplyContext): boolean {
  return error.code === '55P03' && error.where !== undefined && /uniqueness|index tuple/.test(error.where) && error.where.includes(ctx.table.name);
}

async function predecessorGone(ctx: ApplyContext, predecessor: string | null): Promise<boolean> {
  if (predecessor === null) return false;
  const rows: LedgerRow[] = await readLedger(ctx.db, ctx.table).catch(() => []);
  return !rows.some((r) => r.name === predecessor && r.status === 'applied');
}

export async function applyTransactional(ctx: ApplyContext, m: LoadedMigration, predecessor: string | null): Promise<ApplyOutcome> {
  const { db } = ctx;
  const message = transactionalMessage(m, ctx, predecessor);
  const started = performance.now();
  try {
    await db.exec(message.text);
  } catch (e) {
    const error = asDatabaseError(e);
    const durationMs = Math.round(performance.now() - started);
    const base = { migration: m.name.stem, file: m.displayPath, transaction: true, sql: m.sql };
    if (error.connectionLost) return { kind: 'failed', durationMs, failure: failureFrom(error, base, undefined) };
    await db.exec('ROLLBACK').catch(() => {});
    if (!db.capabilities.transactionalDdl) {
      // pg-mem cannot roll back: remove the row our message inserted (PostgreSQL never keeps it).
      // Runners on one pg-mem database are serialised by db.lock(), so the row is ours.
      await db.exec(deleteLedgerRowSql(ctx.table, keyOf(m))).catch(() => {});
    }
    if (error.code === '23505' || isLedgerWait(error, ctx)) {
      const taken = await resolveTaken(ctx, m);
      if (taken) return taken;
      if (isLedgerWait(error, ctx)) return { kind: 'timeout', holder: null, since: null };
      // Our row collided with another runner's, which is gone again: a `down` removed it meanwhile.
      if (error.code === '23505' && error.table === ctx.table.name && error.schema === ctx.table.schema) return { kind: 'rolled-back-meanwhile' };
    }
    if (error.code === '22012' && await predecessorGone(ctx, predecessor)) return { kind: 'predecessor-gone', predecessor: predecessor! };
    let offset = positionInFile(message.text, error.position, message.bodyStart, m.body!.text.length);
    // A lock held by another session (55P03) is named, and located by a replay that waits for no
    // lock (1 ms), not the lock timeout a second time; a statement timeout (57014) is not replayed.
    const blockedBy = error.code === '55P03' && !db.capabilities.exclusive ? await describeLockHolders(db) : null;
    if (offset === undefined && error.position === undefined && error.code !== '57014') offset = await findFailingOffset(ctx, m, error);
    return { kind: 'failed', durationMs, failure: { ...failureFrom(error, base, offset), blockedBy } };
  }
  const durationMs = Math.round(performance.now() - started);
  if (!db.capabilities.serverTiming) {
    await db.exec(updateLedgerRowSql(ctx.table, keyOf(m), { executionMs: durationMs })).catch(() => {});
  }
  return { kind: 'applied', durationMs };
}

const REPLAY_DONE = new Error('replay done');

/**
 * An error without a position (division by zero, a constraint, a PL/pgSQL error…) does not say
 * which statement failed. Replays the body statement by statement inside a transaction that is
 * always rolled back, and returns the file offset of the first statement that fails (refined with
 * the error's position, or the PL/pgSQL line of a DO block).
 */
export async function findFailingOffset(ctx: ApplyContext, m: SqlSource, original: { code?: string; message: string }): Promise<number | undefined> {
  const statements = splitStatements(m.body!.text);
  let found: { statement: Statement; error: DatabaseError } | undefined;
  try {
    await ctx.db.transaction(async (tx) => {
      if (ctx.db.capabilities.sessionSettings) {
        const sql = timeoutSql(m, ctx);
        if (original.code === '55P03') sql[0] = "SET LOCAL lock_timeout = '1ms';";
        await tx.exec(sql.join(' '));
      }
      for (const statement of statements) {
        try {
          await tx.exec(statement.text);
        } catch (e) {
          found = { statement, error: asDatabaseError(e) };
          break;
        }
      }
      throw REPLAY_DONE;
    });
  } catch {
    // always rolled back
  }
  // A different error means the replay did not reproduce the failure (pg-mem keeps DDL of the
  // failed attempt, say): no location is better than a wrong one.
  if (!found || found.error.message !== original.message || (found.error.code ?? original.code) !== (original.code ?? found.error.code)) return undefined;
  return statementOffset(m.body!.text, found.statement, found.error);
}
