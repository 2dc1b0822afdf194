/**
 * A no-transaction migration (directive, another tool's marker, or detected): a committed
 * 'running' row, then each statement as its own message, then 'applied' — or 'failed', which
 * makes later `up` runs refuse until `repair`. Every message carries the runner's marker, so a
 * runner that dies half-way is seen to be gone at once (runner-liveness.ts).
 */
import { quoteLiteral } from '../core/sql-quote.js';
import { splitStatements } from '../core/sql-lexer.js';
import { insertLedgerRowSql, updateLedgerRowSql } from '../db/ledger.js';
import { runnerMarker } from '../db/runner-marker.js';
import { keyOf, type ApplyContext, type ApplyOutcome } from './apply.js';
import { asDatabaseError, failureFrom, plpgsqlLineOffset, positionInFile } from './failure.js';
import type { LoadedMigration } from './migration-files.js';
import { resolveTaken } from './wait-for-runner.js';

export async function applyWithoutTransaction(ctx: ApplyContext, m: LoadedMigration): Promise<ApplyOutcome> {
  const { db } = ctx;
  const key = keyOf(m);
  const marker = `${runnerMarker(ctx.appliedBy, m.name.stem)}\n`;
  try {
    await db.exec(`${marker}${insertLedgerRowSql(ctx.table, { ...key, checksum: m.checksum, status: 'running', appliedBy: ctx.appliedBy })}`);
  } catch (e) {
    const error = asDatabaseError(e);
    if (error.code !== '23505') throw error;
    const taken = await resolveTaken(ctx, m);
    if (taken) return taken;
    throw error;
  }
  // Directive timeouts are session settings here (there is no transaction to make them local):
  // reliable on a direct connection; the restore below undoes them.
  const session = db.capabilities.sessionSettings ? [
    ...(m.directives.lockTimeout ? [`SET lock_timeout = ${quoteLiteral(m.directives.lockTimeout)}`] : []),
    ...(m.directives.statementTimeout ? [`SET statement_timeout = ${quoteLiteral(m.directives.statementTimeout)}`] : []),
  ] : [];
  if (session.length > 0) {
    ctx.onEvent({ type: 'warning', message: `${m.displayPath}: its timeouts are session settings (no-transaction): reliable on a direct connection, not through a transaction-mode pooler` });
    await db.exec(`${marker}${session.join('; ')}`);
  }
  const restore = ctx.restoreSql ? `${ctx.restoreSql}\n` : '';
  const started = performance.now();
  for (const statement of splitStatements(m.sql)) {
    const sent = marker + statement.text;
    try {
      await db.exec(sent);
    } catch (e) {
      const error = asDatabaseError(e);
      const durationMs = Math.round(performance.now() - started);
      let recorded = false;
      if (!error.connectionLost) {
        // The file may have opened its own transaction: end it before recording the failure.
        await db.exec('ROLLBACK').catch(() => {});
        try {
          await db.exec(`${marker}${restore}${updateLedgerRowSql(ctx.table, key, { status: 'failed', executionMs: durationMs })}`);
          recorded = true;
        } catch {
          // the row stays 'running'; its runner is seen to be gone once this process exits
        }
      }
      const offset = positionInFile(sent, error.position, marker.length, statement.text.length, statement.start)
        ?? plpgsqlLineOffset(m.sql, statement, error.where) ?? statement.start;
      const failure = failureFrom(error, { migration: m.name.stem, file: m.displayPath, transaction: false, sql: m.sql }, offset);
      failure.recordedAsFailed = recorded;
      return { kind: 'failed', durationMs, failure };
    }
  }
  const durationMs = Math.round(performance.now() - started);
  await db.exec(`${marker}${restore}${updateLedgerRowSql(ctx.table, key, { status: 'applied', executionMs: durationMs, sql: m.sql })}`);
  return { kind: 'applied', durationMs };
}
