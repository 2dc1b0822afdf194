/**
 * Can this migration file ever run? The checks `up` makes before it connects, as one pure
 * function of the file's bytes, so that `lock`, the pre-commit guard and `verify` refuse to seal
 * a file that `up` would refuse: once sealed and committed, a migration can never be fixed.
 */
import { isEmptySql, parseDirectives, VALID_DIRECTIVES } from './sql-lexer.js';
import { prepareTransactionalBody } from './transaction-body.js';

export interface SourceProblem {
  /** 1-based line in the file, when the problem has one. */
  line?: number;
  /** Without the file name: callers prefix `file:line: `. */
  message: string;
  hint: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export const NOT_UTF8_HINT = 'Save the file as UTF-8 (PostgreSQL receives the SQL as UTF-8).';
export const EMPTY_HINT = 'Write its SQL first: once applied and sealed a migration can never change.';
export const DIRECTIVE_HINT = `Fix the directive comment at the top of the file (valid: ${VALID_DIRECTIVES}).`;

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

/** Every reason `up` would refuse to run this file; empty when it can run. */
export function migrationSourceProblems(bytes: Uint8Array): SourceProblem[] {
  const sql = decodeMigration(bytes);
  if (sql === undefined) return [{ message: 'is not valid UTF-8 text', hint: NOT_UTF8_HINT }];
  if (isEmptySql(sql)) return [{ message: 'is empty (only whitespace and comments)', hint: EMPTY_HINT }];
  const { directives, problems } = parseDirectives(sql);
  const found: SourceProblem[] = problems.map((p) => ({ line: p.line, message: p.message, hint: DIRECTIVE_HINT }));
  if (found.length === 0 && directives.transaction) {
    const prepared = prepareTransactionalBody(sql);
    if ('problem' in prepared) found.push(prepared.problem);
  }
  return found;
}

/** `file:line: message` — how every command prints a source problem. */
export function formatSourceProblem(file: string, problem: SourceProblem): string {
  return problem.line === undefined ? `${file} ${problem.message}` : `${file}:${problem.line}: ${problem.message}`;
}
