/**
 * Running one migration together with its ledger row (DESIGN §4).
 *
 * Transactional migrations: ONE simple-query message —
 *
 *   /* archon-migrate: <host pid> applying <name> *\/
 *   BEGIN;
 *   SET LOCAL lock_timeout = '<wait>';        -- how long to wait for another runner
 *   INSERT INTO <ledger> (…) VALUES (…, 'applied', …);
 *   SET LOCAL lock_timeout = <directive | config | DEFAULT>;
 *   SET LOCAL statement_timeout = <directive | config>;   -- when set
 *   <file body, its own plain BEGIN/COMMIT blanked out>
 *   ;
 *   UPDATE <ledger> SET execution_ms = <elapsed> WHERE …;
 *   COMMIT;
 *
 * The body is followed by "\n;" so a trailing `--` comment or a missing final `;` cannot swallow
 * our UPDATE and COMMIT (PostgreSQL parses the whole message before running any of it, so an
 * unterminated quote or comment is a syntax error and nothing runs). No session state is used,
 * so this holds through transaction-mode poolers (PgBouncer, Supabase port 6543). A concurrent
 * runner inserting the same ledger key blocks on the unique index until the first commits, then
 * gets a unique violation: "applied by another runner", skipped. On any error we send ROLLBACK.
 *
 * No-transaction migrations: a committed 'running' row, then each statement as its own message,
 * then 'applied' (or 'failed', which makes later `up` runs refuse until `repair`). Timeouts from
 * directives are applied with session-level SET/RESET around the statements — reliable on a
 * direct connection only; config defaults are not applied to them (see README).
 */
import { quoteLiteral, type TableName } from '../core/sql-quote.js';
import { splitStatements, pgPositionToOffset, type Statement } from '../core/sql-lexer.js';
import type { Database } from '../db/database.js';
import { deleteLedgerRowSql, insertLedgerRowSql, readLedger, updateLedgerRowSql, type LedgerKey, type LedgerRow } from '../db/ledger.js';
import type { EventSink } from './events.js';
import { asDatabaseError, failureFrom, plpgsqlLineOffset, positionInFile, type MigrationFailure } from './failure.js';
import type { LoadedMigration, SqlSource } from './migration-files.js';

export interface ApplyContext {
  db: Database;
  table: TableName;
  /** "host pid" of this runner, recorded in applied_by */
  appliedBy: string;
  /** how long to wait for another runner holding the same migration */
  waitTimeoutMs: number;
  /** config defaults (DESIGN §6) */
  lockTimeout?: string;
  statementTimeout?: string;
  onEvent: EventSink;
}

export type ApplyOutcome =
  | { kind: 'applied'; durationMs: number }
  /** another runner applied it first */
  | { kind: 'skipped'; by: string | null; checksum: string | null }
  | { kind: 'failed'; failure: MigrationFailure; durationMs: number }
  /** another runner holds it longer than the wait timeout */
  | { kind: 'timeout'; holder: string | null; since: string | null };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function timeouts(source: SqlSource, ctx: ApplyContext): { lockTimeout?: string; statementTimeout?: string } {
  const lockTimeout = source.directives.lockTimeout ?? ctx.lockTimeout;
  const statementTimeout = source.directives.statementTimeout ?? ctx.statementTimeout;
  return { ...(lockTimeout ? { lockTimeout } : {}), ...(statementTimeout ? { statementTimeout } : {}) };
}

/** A comment that cannot close early: the applied_by text is the host name and pid. */
export function runnerMarker(appliedBy: string, migration: string): string {
  return `/* archon-migrate: ${appliedBy.replace(/\*\/|\/\*/g, '')} applying ${migration} */`;
}

function keyOf(m: LoadedMigration): LedgerKey {
  return { version: m.name.version, name: m.name.stem };
}

export interface TransactionalMessage {
  text: string;
  /** offset of the file's body in `text` */
  bodyStart: number;
}

export function transactionalMessage(m: LoadedMigration, ctx: ApplyContext, serverElapsed: boolean): TransactionalMessage {
  const t = timeouts(m, ctx);
  const parts = [
    runnerMarker(ctx.appliedBy, m.name.stem),
    'BEGIN;',
    `SET LOCAL lock_timeout = ${quoteLiteral(`${Math.max(1, Math.round(ctx.waitTimeoutMs))}ms`)};`,
    `${insertLedgerRowSql(ctx.table, { ...keyOf(m), checksum: m.checksum, status: 'applied', appliedBy: ctx.appliedBy })};`,
    `SET LOCAL lock_timeout = ${t.lockTimeout ? quoteLiteral(t.lockTimeout) : 'DEFAULT'};`,
  ];
  if (t.statementTimeout) parts.push(`SET LOCAL statement_timeout = ${quoteLiteral(t.statementTimeout)};`);
  const prefix = parts.join('\n') + '\n';
  const update = serverElapsed ? `\n${updateLedgerRowSql(ctx.table, keyOf(m), { executionMs: 'elapsed' })};` : '';
  return { text: `${prefix}${m.body!.text}\n;${update}\nCOMMIT;`, bodyStart: prefix.length };
}

/** The 55P03 of our ledger INSERT waiting on another runner's uncommitted row (not a lock in the body). */
function isLedgerWait(error: { code?: string; where?: string }, table: TableName): boolean {
  return error.code === '55P03' && error.where !== undefined && /uniqueness|index tuple/.test(error.where) && error.where.includes(table.name);
}

async function ledgerRowFor(ctx: ApplyContext, migration: string): Promise<LedgerRow | undefined> {
  const rows = await readLedger(ctx.db, ctx.table);
  const mine = rows.filter((r) => r.name === migration);
  return mine.find((r) => r.status === 'running') ?? mine.find((r) => r.status === 'failed') ?? mine[0];
}

/**
 * Which runner is applying something right now, from pg_stat_activity (our marker comment starts
 * its query text). Best effort: null when the catalog hides it.
 */
export async function describeHolder(ctx: ApplyContext, migration: string): Promise<{ holder: string | null; since: string | null }> {
  if (ctx.db.kind !== 'pg') return { holder: null, since: null };
  try {
    const rows = await ctx.db.query<{ pid: number; xact_start: Date | null; query: string }>(
      `SELECT pid, xact_start, left(query, 300) AS query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE '/* archon-migrate: %' AND state <> 'idle' ORDER BY xact_start`,
    );
    const applying = rows.find((r) => r.query.includes(` applying ${migration} */`));
    if (!applying) return { holder: null, since: null };
    const m = /^\/\* archon-migrate: (.*) applying (\S+) \*\//.exec(applying.query);
    const since = applying.xact_start ? new Date(applying.xact_start).toISOString() : null;
    return { holder: `runner ${m ? m[1] : 'unknown'} applying ${migration} (server pid ${applying.pid})`, since };
  } catch {
    return { holder: null, since: null };
  }
}

/**
 * A live runner still applying `migration` (its marker is in an active backend's query), for
 * `repair` to refuse to touch a 'running' row that is not stale. pg only; null elsewhere or when
 * the catalog hides it.
 */
export async function activeRunner(db: Database, migration: string): Promise<string | null> {
  if (db.kind !== 'pg') return null;
  try {
    const rows = await db.query<{ pid: number; query: string }>(
      "SELECT pid, left(query, 300) AS query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND query LIKE '/* archon-migrate: %'",
    );
    const row = rows.find((r) => r.query.includes(` applying ${migration} */`));
    if (!row) return null;
    const m = /^\/\* archon-migrate: (.*) applying /.exec(row.query);
    return `runner ${m ? m[1] : 'unknown'} (server pid ${row.pid})`;
  } catch {
    return null;
  }
}

/**
 * Waits while another runner's row for `migration` says running (no-transaction migrations, or a
 * crashed runner). Returns the row once it is no longer running, or undefined on timeout.
 */
async function waitWhileRunning(ctx: ApplyContext, migration: string): Promise<{ row: LedgerRow | undefined; timedOut: boolean }> {
  const deadline = Date.now() + ctx.waitTimeoutMs;
  let announced = false;
  for (;;) {
    const row = await ledgerRowFor(ctx, migration);
    if (!row || row.status !== 'running') return { row, timedOut: false };
    if (!announced) {
      ctx.onEvent({ type: 'waiting', migration, holder: row.appliedBy, since: row.appliedAt.toISOString() });
      announced = true;
    }
    if (Date.now() >= deadline) return { row, timedOut: true };
    await sleep(Math.min(500, Math.max(10, deadline - Date.now())));
  }
}

/** After a unique violation or a ledger wait: what did the other runner do? */
async function resolveTaken(ctx: ApplyContext, m: LoadedMigration): Promise<ApplyOutcome | undefined> {
  const { row, timedOut } = await waitWhileRunning(ctx, m.name.stem);
  if (!row) return undefined;
  if (timedOut) return { kind: 'timeout', holder: row.appliedBy, since: row.appliedAt.toISOString() };
  if (row.status === 'applied') return { kind: 'skipped', by: row.appliedBy, checksum: row.checksum };
  return {
    kind: 'failed',
    durationMs: 0,
    failure: {
      migration: m.name.stem, file: m.displayPath, line: null, column: null,
      message: `another runner (${row.appliedBy ?? 'unknown'}) failed to apply it at ${row.appliedAt.toISOString()}`,
      code: null, detail: null, hint: null, where: null, transaction: m.transaction, recordedAsFailed: true, connectionLost: false,
    },
  };
}

export async function applyMigration(ctx: ApplyContext, m: LoadedMigration): Promise<ApplyOutcome> {
  ctx.onEvent({ type: 'migration-start', migration: m.name.stem, file: m.displayPath, transaction: m.transaction });
  return m.transaction ? applyTransactional(ctx, m) : applyWithoutTransaction(ctx, m);
}

async function applyTransactional(ctx: ApplyContext, m: LoadedMigration): Promise<ApplyOutcome> {
  const { db } = ctx;
  const serverElapsed = db.kind !== 'pg-mem'; // pg-mem has no timestamptz arithmetic
  const message = transactionalMessage(m, ctx, serverElapsed);
  const started = performance.now();
  try {
    await db.exec(message.text);
  } catch (e) {
    const error = asDatabaseError(e);
    const durationMs = Math.round(performance.now() - started);
    if (!error.connectionLost) await db.exec('ROLLBACK').catch(() => {});
    if (error.connectionLost) {
      return { kind: 'failed', durationMs, failure: failureFrom(error, { migration: m.name.stem, file: m.displayPath, transaction: true, sql: m.sql }, undefined) };
    }
    if (db.kind === 'pg-mem') {
      // pg-mem cannot roll back: remove the row our message inserted (PostgreSQL never keeps it).
      // Runners on one pg-mem database are serialised by db.lock(), so the row is ours.
      await db.exec(deleteLedgerRowSql(ctx.table, keyOf(m))).catch(() => {});
    }
    if (error.code === '23505' || isLedgerWait(error, ctx.table)) {
      const taken = await resolveTaken(ctx, m);
      if (taken) return taken;
      if (isLedgerWait(error, ctx.table)) {
        const { holder, since } = await describeHolder(ctx, m.name.stem);
        return { kind: 'timeout', holder, since };
      }
    }
    const base = { migration: m.name.stem, file: m.displayPath, transaction: true, sql: m.sql };
    let offset = positionInFile(message.text, error.position, message.bodyStart, m.body!.text.length);
    if (offset === undefined && error.position === undefined && error.code !== '57014') {
      offset = await findFailingOffset(ctx, m, error);
    }
    return { kind: 'failed', durationMs, failure: failureFrom(error, base, offset) };
  }
  const durationMs = Math.round(performance.now() - started);
  if (!serverElapsed) {
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
  const t = timeouts(m, ctx);
  let found: { statement: Statement; error: ReturnType<typeof asDatabaseError> } | undefined;
  try {
    await ctx.db.transaction(async (tx) => {
      if (ctx.db.kind !== 'pg-mem') {
        await tx.exec([
          `SET LOCAL lock_timeout = ${t.lockTimeout ? quoteLiteral(t.lockTimeout) : 'DEFAULT'}`,
          ...(t.statementTimeout ? [`SET LOCAL statement_timeout = ${quoteLiteral(t.statementTimeout)}`] : []),
        ].join('; '));
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

export function statementOffset(sql: string, statement: Statement, error: { position?: number; where?: string }): number {
  if (error.position !== undefined && error.position > 0) return statement.start + pgPositionToOffset(statement.text, error.position);
  return plpgsqlLineOffset(sql, statement, error.where) ?? statement.start;
}

async function applyWithoutTransaction(ctx: ApplyContext, m: LoadedMigration): Promise<ApplyOutcome> {
  const { db } = ctx;
  const key = keyOf(m);
  try {
    await db.exec(`${runnerMarker(ctx.appliedBy, m.name.stem)}\n${insertLedgerRowSql(ctx.table, { ...key, checksum: m.checksum, status: 'running', appliedBy: ctx.appliedBy })}`);
  } catch (e) {
    const error = asDatabaseError(e);
    if (error.code !== '23505') throw error;
    const taken = await resolveTaken(ctx, m);
    if (taken) return taken;
    throw error;
  }
  const directiveTimeouts = [
    ...(m.directives.lockTimeout ? [`SET lock_timeout = ${quoteLiteral(m.directives.lockTimeout)}`] : []),
    ...(m.directives.statementTimeout ? [`SET statement_timeout = ${quoteLiteral(m.directives.statementTimeout)}`] : []),
  ];
  const session = db.kind === 'pg-mem' ? [] : directiveTimeouts;
  const reset = async () => {
    if (session.length > 0) await db.exec('RESET lock_timeout; RESET statement_timeout').catch(() => {});
  };
  if (session.length > 0) {
    ctx.onEvent({ type: 'warning', message: `${m.displayPath}: its timeouts are session settings (no-transaction): reliable on a direct connection, not through a transaction-mode pooler` });
    await db.exec(session.join('; '));
  }
  const started = performance.now();
  // Each statement carries the runner's marker, so `repair` can tell a live runner from a crashed one.
  const marker = `${runnerMarker(ctx.appliedBy, m.name.stem)}\n`;
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
        await reset();
        try {
          await db.exec(updateLedgerRowSql(ctx.table, key, { status: 'failed', executionMs: durationMs }));
          recorded = true;
        } catch {
          // the row stays 'running'; status and repair show it
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
  await reset();
  await db.exec(updateLedgerRowSql(ctx.table, key, { status: 'applied', executionMs: durationMs }));
  return { kind: 'applied', durationMs };
}
