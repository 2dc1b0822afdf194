/**
 * Can this migration file ever run, and how? The checks `up` makes before it connects, as pure
 * functions of the file's bytes, so that `status`, `up`, `lock`, the pre-commit guard and
 * `verify` all refuse the same files: once sealed and committed, a migration can never be fixed.
 */
import { parseDirectives, VALID_DIRECTIVES, type Directives } from './directives.js';
import { findNonTransactional, isSessionSetting, type NonTransactionalStatement } from './non-transactional.js';
import { psqlOnlyProblem } from './psql-only.js';
import { isEmptySql, splitStatements, type Statement } from './sql-lexer.js';
import { prepareTransactionalBody, type PreparedBody } from './transaction-body.js';

export interface SourceProblem {
  /** 1-based line in the file, when the problem has one. */
  line?: number;
  /** Without the file name: callers prefix `file:line: `. */
  message: string;
  hint: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export const NOT_UTF8_HINT = 'Save the file as UTF-8 (PostgreSQL receives the SQL as UTF-8).';
export const NUL_HINT = 'Remove the NUL byte (PostgreSQL cannot receive one in SQL text); it is often left by an editor or a bad copy and paste.';
export const EMPTY_HINT = 'Write its SQL first: once applied and sealed a migration can never change.';
export const DIRECTIVE_HINT = `Fix the directive comment at the top of the file (valid: ${VALID_DIRECTIVES}).`;
export const MIXED_HINT = 'Move it into a migration file of its own (a file of only such statements runs without a transaction automatically), or add `-- archon-migrate: no-transaction` at the top to run the whole file statement by statement.';

/** Names in the migrations directory that are meant as migrations (invalid ones are reported by name). */
export function isSqlName(name: string): boolean {
  return name.toLowerCase().endsWith('.sql');
}

/** Decodes strict UTF-8 without its BOM; undefined when the bytes are not UTF-8. */
export function decodeMigration(bytes: Uint8Array): string | undefined {
  try {
    const text = utf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

/** Why the decoded text can never be sent to PostgreSQL, before any lexing: a NUL byte. */
export function textProblem(sql: string): SourceProblem | undefined {
  const nul = sql.indexOf('\0');
  if (nul === -1) return undefined;
  return { line: sql.slice(0, nul).split(/\r\n|\r|\n/).length, message: 'contains a NUL byte', hint: NUL_HINT };
}

/** How a file runs, decided before any database work. */
export interface Execution {
  /** one transaction together with its ledger row */
  transaction: boolean;
  /** no transaction because every statement needs that (DESIGN §2): the statements found */
  detected: NonTransactionalStatement[] | null;
  /** transactional files: what is sent (the file with its own BEGIN/COMMIT blanked out) */
  body?: PreparedBody;
  /** why `up` would refuse to run it */
  problem?: SourceProblem;
}

/**
 * The execution of a file: the directive (ours or another tool's marker) decides, else a file
 * whose statements all need to run outside a transaction runs without one, a file that mixes
 * them with other statements is refused, and the rest runs in one transaction.
 */
export function executionOf(sql: string, directives: Directives): Execution {
  let statements: readonly Statement[] | undefined;
  const all = () => (statements ??= splitStatements(sql));
  const psqlOnly = psqlOnlyProblem(sql, all);
  if (!directives.transaction) return { transaction: false, detected: null, ...(psqlOnly ? { problem: psqlOnly } : {}) };
  const nonTx = findNonTransactional(sql, all);
  if (nonTx.length > 0) {
    const kinds = new Set(nonTx.map((n) => n.statement));
    const other = all().find((s) => !kinds.has(s) && !isSessionSetting(s));
    if (!other) return { transaction: false, detected: nonTx, ...(psqlOnly ? { problem: psqlOnly } : {}) };
    const first = nonTx[0]!;
    return {
      transaction: true, detected: null,
      problem: psqlOnly ?? {
        line: first.statement.line,
        message: `${first.kind} cannot run inside a transaction, and this file also holds statements that run in one (line ${other.line}); nothing of it would apply`,
        hint: MIXED_HINT,
      },
    };
  }
  if (psqlOnly) return { transaction: true, detected: null, problem: psqlOnly };
  const prepared = prepareTransactionalBody(sql, all());
  return 'body' in prepared ? { transaction: true, detected: null, body: prepared.body } : { transaction: true, detected: null, problem: prepared.problem };
}

/** Every reason `up` would refuse to run this file; empty when it can run. */
export function migrationSourceProblems(bytes: Uint8Array): SourceProblem[] {
  const sql = decodeMigration(bytes);
  if (sql === undefined) return [{ message: 'is not valid UTF-8 text', hint: NOT_UTF8_HINT }];
  const bad = textProblem(sql);
  if (bad) return [bad];
  if (isEmptySql(sql)) return [{ message: 'is empty (only whitespace and comments)', hint: EMPTY_HINT }];
  const { directives, problems } = parseDirectives(sql);
  const found: SourceProblem[] = problems.map((p) => ({ line: p.line, message: p.message, hint: DIRECTIVE_HINT }));
  if (found.length > 0) return found;
  const { problem } = executionOf(sql, directives);
  return problem ? [problem] : [];
}

/** `file:line: message` — how every command prints a source problem. */
export function formatSourceProblem(file: string, problem: SourceProblem): string {
  return problem.line === undefined ? `${file} ${problem.message}` : `${file}:${problem.line}: ${problem.message}`;
}
