/**
 * Running one migration together with its ledger row (DESIGN §4).
 *
 * Transactional migrations: ONE simple-query message —
 *
 *   /* archon-migrate: <host pid> applying <name> *\/
 *   BEGIN;
 *   SET LOCAL lock_timeout = '<wait>';        -- how long to wait for another runner
 *   INSERT INTO <schema>.<ledger> (…) VALUES (…, 'applied', …);
 *   SELECT 1 / (SELECT count(*) … <the migration before it is still applied>);   -- servers only
 *   SET LOCAL lock_timeout = <directive | config | DEFAULT>;
 *   SET LOCAL statement_timeout = <directive | config>;   -- when set
 *   <file body, its own BEGIN/COMMIT blanked out>
 *   ;
 *   RESET ALL; RESET ROLE; <the session's own settings again>   -- what the body set is undone
 *   UPDATE <schema>.<ledger> SET execution_ms = <elapsed> WHERE …;
 *   COMMIT;
 *
 * The body is followed by "\n;" so a trailing `--` comment or a missing final `;` cannot swallow
 * what follows (PostgreSQL parses the whole message before running any of it, so an unterminated
 * quote or comment is a syntax error and nothing runs). The ledger is always named with its
 * schema, so a body that empties search_path or switches role cannot break the bookkeeping.
 * No state outlives the message, so this holds through transaction-mode poolers. A concurrent
 * runner inserting the same ledger key blocks on the unique index until the first commits, then
 * gets a unique violation: "applied by another runner", skipped. A concurrent `down` holds the
 * ledger in SHARE ROW EXCLUSIVE mode: the INSERT waits for it, and the check of the migration
 * before this one then fails if `down` removed it, so no hole is ever left.
 *
 * No-transaction migrations: a committed 'running' row, then each statement as its own message
 * carrying the runner's marker (so a dead runner can be told from a live one), then 'applied' (or
 * 'failed', which makes later `up` runs refuse until `repair`).
 */
import { quoteLiteral, type TableName } from '../core/sql-quote.js';
import { pgPositionToOffset, type Statement } from '../core/sql-lexer.js';
import type { Database } from '../db/database.js';
import { insertLedgerRowSql, predecessorCheckSql, updateLedgerRowSql, type LedgerKey } from '../db/ledger.js';
import { runnerMarker } from '../db/runner-marker.js';
import type { EventSink } from './events.js';
import { plpgsqlLineOffset } from './failure.js';
import type { LoadedMigration, SqlSource } from './migration-files.js';
import { applyTransactional } from './apply-transactional.js';
import { applyWithoutTransaction } from './apply-statements.js';

export interface ApplyContext {
  db: Database;
  /** the ledger, with its schema resolved for this run */
  table: TableName;
  /** "host pid" of this runner, recorded in applied_by */
  appliedBy: string;
  /** how long to wait for another runner holding the same migration */
  waitTimeoutMs: number;
  /** config defaults (DESIGN §6) */
  lockTimeout?: string;
  statementTimeout?: string;
  /** puts the session back as the run found it after each body (empty: nothing to restore) */
  restoreSql: string;
  onEvent: EventSink;
}

export type ApplyOutcome =
  | { kind: 'applied'; durationMs: number }
  /** another runner applied it first */
  | { kind: 'skipped'; by: string | null; checksum: string | null }
  | { kind: 'failed'; failure: import('./failure.js').MigrationFailure; durationMs: number }
  /** another runner holds it longer than the wait timeout */
  | { kind: 'timeout'; holder: string | null; since: string | null }
  /** the migration before it was rolled back by another runner meanwhile: nothing of it ran */
  | { kind: 'predecessor-gone'; predecessor: string }
  /** another runner applied it while this one waited, and another rolled it back: nothing of it ran */
  | { kind: 'rolled-back-meanwhile' };

export function timeouts(source: SqlSource, ctx: ApplyContext): { lockTimeout?: string; statementTimeout?: string } {
  const lockTimeout = source.directives.lockTimeout ?? ctx.lockTimeout;
  const statementTimeout = source.directives.statementTimeout ?? ctx.statementTimeout;
  return { ...(lockTimeout ? { lockTimeout } : {}), ...(statementTimeout ? { statementTimeout } : {}) };
}

/** `SET LOCAL` of the migration's timeouts (lock_timeout always: DEFAULT undoes the runner's wait). */
export function timeoutSql(source: SqlSource, ctx: ApplyContext): string[] {
  const t = timeouts(source, ctx);
  return [
    `SET LOCAL lock_timeout = ${t.lockTimeout ? quoteLiteral(t.lockTimeout) : 'DEFAULT'};`,
    ...(t.statementTimeout ? [`SET LOCAL statement_timeout = ${quoteLiteral(t.statementTimeout)};`] : []),
  ];
}

export function keyOf(m: LoadedMigration): LedgerKey {
  return { version: m.name.version, name: m.name.stem };
}

export interface TransactionalMessage {
  text: string;
  /** offset of the file's body in `text` */
  bodyStart: number;
}

/**
 * The one message of a transactional migration. `predecessor`: the migration that must still be
 * applied when this one's ledger row is written (null for the first, or where one session is all
 * there is).
 */
export function transactionalMessage(m: LoadedMigration, ctx: ApplyContext, predecessor: string | null): TransactionalMessage {
  const parts = [
    runnerMarker(ctx.appliedBy, m.name.stem),
    'BEGIN;',
    `SET LOCAL lock_timeout = ${quoteLiteral(`${Math.max(1, Math.round(ctx.waitTimeoutMs))}ms`)};`,
    `${insertLedgerRowSql(ctx.table, { ...keyOf(m), checksum: m.checksum, status: 'applied', appliedBy: ctx.appliedBy, sql: m.sql })};`,
    ...(predecessor !== null && !ctx.db.capabilities.exclusive ? [`${predecessorCheckSql(ctx.table, predecessor)};`] : []),
    ...(ctx.db.capabilities.sessionSettings ? timeoutSql(m, ctx) : []),
  ];
  const prefix = parts.join('\n') + '\n';
  const after = [
    ...(ctx.restoreSql ? [ctx.restoreSql] : []),
    ...(ctx.db.capabilities.serverTiming ? [`${updateLedgerRowSql(ctx.table, keyOf(m), { executionMs: 'elapsed' })};`] : []),
    'COMMIT;',
  ];
  return { text: `${prefix}${m.body!.text}\n;\n${after.join('\n')}`, bodyStart: prefix.length };
}

export async function applyMigration(ctx: ApplyContext, m: LoadedMigration, predecessor: string | null): Promise<ApplyOutcome> {
  ctx.onEvent({ type: 'migration-start', migration: m.name.stem, file: m.displayPath, transaction: m.transaction });
  return m.transaction ? applyTransactional(ctx, m, predecessor) : applyWithoutTransaction(ctx, m);
}

export function statementOffset(sql: string, statement: Statement, error: { position?: number; where?: string }): number {
  if (error.position !== undefined && error.position > 0) return statement.start + pgPositionToOffset(statement.text, error.position);
  return plpgsqlLineOffset(sql, statement, error.where) ?? statement.start;
}
