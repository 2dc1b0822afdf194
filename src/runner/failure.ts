/**
 * A failed migration, located in its file (DESIGN §4: the error names the file, line and column,
 * PostgreSQL's message, detail and hint).
 */
import { failedError, type ArchonError } from '../core/errors.js';
import { offsetToLineColumn, pgPositionToOffset, tokenize, type Statement } from '../core/sql-lexer.js';
import { DatabaseError } from '../db/database.js';

export interface MigrationFailure {
  migration: string;
  /** file path relative to the project root */
  file: string;
  /** 1-based, in the file; null when the failing statement could not be identified */
  line: number | null;
  column: number | null;
  /** PostgreSQL's message */
  message: string;
  /** SQLSTATE */
  code: string | null;
  detail: string | null;
  hint: string | null;
  /** PostgreSQL's context (e.g. the PL/pgSQL line) */
  where: string | null;
  transaction: boolean;
  /** no-transaction migrations: the ledger row now says failed and `up` refuses until `repair` */
  recordedAsFailed: boolean;
  /** the connection broke while the migration ran */
  connectionLost: boolean;
  /** a lock timeout: the other sessions that hold locks (pid, user, state, what they run) */
  blockedBy: string | null;
}

export function asDatabaseError(error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  return new DatabaseError(error instanceof Error ? error.message : String(error), {}, { cause: error });
}

/** Line and column of a JS offset in the file. */
export function lineColumnAt(sql: string, offset: number): { line: number; column: number } {
  return offsetToLineColumn(sql, offset);
}

/**
 * Where in the file an error with a PostgreSQL `position` happened: `sent` is the text that was
 * sent, `bodyStart` where the file's text starts in it and `fileStart` the file offset of that
 * start. Undefined when the position falls outside the file's part of the message.
 */
export function positionInFile(sent: string, position: number | undefined, bodyStart: number, bodyLength: number, fileStart = 0): number | undefined {
  if (position === undefined || position < 1) return undefined;
  const offset = pgPositionToOffset(sent, position);
  if (offset < bodyStart || offset > bodyStart + bodyLength) return undefined;
  return fileStart + (offset - bodyStart);
}

/**
 * For an error raised inside a `DO $$ … $$` block, PostgreSQL's context says
 * "PL/pgSQL function inline_code_block line N at …": N counts from the line where the body
 * starts. Returns the file offset of the first non-blank character of that line.
 */
export function plpgsqlLineOffset(sql: string, statement: Statement, where: string | undefined): number | undefined {
  const m = where === undefined ? null : /inline_code_block line ([0-9]+)/.exec(where);
  if (!m) return undefined;
  const body = tokenize(statement.text).find((t) => t.type === 'dollar-body');
  if (!body) return undefined;
  const tag = /^\$[^$]*\$/.exec(statement.text.slice(body.start))![0];
  let offset = statement.start + body.start + tag.length;
  for (let n = Number(m[1]); n > 1; n--) {
    const next = sql.indexOf('\n', offset);
    if (next === -1) return undefined;
    offset = next + 1;
  }
  while (offset < sql.length && (sql[offset] === ' ' || sql[offset] === '\t')) offset++;
  return offset;
}

export function failureFrom(
  error: DatabaseError,
  base: { migration: string; file: string; transaction: boolean; sql: string },
  fileOffset: number | undefined,
): MigrationFailure {
  const at = fileOffset === undefined ? null : lineColumnAt(base.sql, fileOffset);
  return {
    migration: base.migration,
    file: base.file,
    line: at ? at.line : null,
    column: at ? at.column : null,
    message: error.message,
    code: error.code ?? null,
    detail: error.detail ?? null,
    hint: error.hint ?? null,
    where: error.where ?? null,
    transaction: base.transaction,
    recordedAsFailed: false,
    connectionLost: error.connectionLost === true,
    blockedBy: null,
  };
}

/** `migrations/005_x.sql:12:8: relation "foo" does not exist` + detail / hint / context lines. */
export function describeFailure(f: MigrationFailure): string {
  const where = f.line === null ? f.file : `${f.file}:${f.line}:${f.column}`;
  const lines = [`${where}: ${f.message}${f.code ? ` (SQLSTATE ${f.code})` : ''}`];
  if (f.detail) lines.push(`  detail: ${f.detail}`);
  if (f.hint) lines.push(`  hint: ${f.hint}`);
  if (f.blockedBy) lines.push(`  blocked by: ${f.blockedBy}`);
  if (f.where && /PL\/pgSQL|SQL function/.test(f.where)) lines.push(`  context: ${f.where.split('\n')[0]}`);
  return lines.join('\n');
}

/** What the user should do next, one sentence. */
export function failureHint(f: MigrationFailure): string {
  if (f.connectionLost) {
    return f.transaction
      ? `The connection broke while ${f.migration} ran: PostgreSQL rolls back an uncommitted transaction, so it is applied only if its COMMIT got through — check with \`archon-migrate status\`, then run \`up\` again.`
      : `${f.migration} may be partly applied and its ledger row may still say running; check the database, then run \`archon-migrate repair ${f.migration}\` and \`up\`.`;
  }
  if (f.code === '55P03') {
    return `${f.transaction ? `Nothing of ${f.migration} was applied. ` : ''}Another session holds a lock it needs${f.blockedBy ? ' (above)' : ''}: let that transaction finish (or end it with \`SELECT pg_terminate_backend(<pid>)\`), then run \`archon-migrate up\` again; raise \`lock-timeout\` if a longer wait is acceptable.`;
  }
  if (f.transaction && f.code === '25001') {
    return `Nothing of ${f.migration} was applied. This statement cannot run inside a transaction: put it in its own migration starting with \`-- archon-migrate: no-transaction\` (CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM…).`;
  }
  if (f.transaction) return `Nothing of ${f.migration} was applied (its transaction was rolled back); fix the file and run \`archon-migrate up\` again.`;
  return `${f.migration} ran without a transaction: the statements before the failing one stay applied and it is recorded as failed; fix the database and the file, then run \`archon-migrate repair ${f.migration}\` and \`archon-migrate up\`.`;
}

export function failureError(f: MigrationFailure): ArchonError {
  return failedError(describeFailure(f), failureHint(f));
}
