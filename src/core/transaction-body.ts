/**
 * What a transactional migration sends to the database, given that archon-migrate wraps it in
 * its own transaction (DESIGN §2: files with their own BEGIN/COMMIT must never break atomicity
 * silently).
 *
 * - No top-level transaction control, or only savepoints (SAVEPOINT, RELEASE, ROLLBACK TO):
 *   the file runs as written.
 * - Exactly a plain leading `BEGIN;` / `START TRANSACTION;` and a plain trailing `COMMIT;` /
 *   `END;` (the common hand-written Supabase pattern): those two statements are blanked out
 *   (replaced by spaces, line breaks kept) so the body runs inside our transaction and every
 *   offset, line and column still matches the file.
 * - Anything else (a COMMIT in the middle, ROLLBACK, several transactions, BEGIN with an
 *   isolation level, PREPARE TRANSACTION…) is refused before anything runs, naming the line.
 */
import { findTransactionControl, splitStatements, type Statement, type TransactionControl } from './sql-lexer.js';

export interface PreparedBody {
  /** the text to send: the file with its own BEGIN/COMMIT blanked out; same length as the file */
  text: string;
  /** the lines of the stripped BEGIN and COMMIT, when they were stripped */
  stripped: { beginLine: number; commitLine: number } | null;
}

export interface BodyProblem {
  line: number;
  /** without the file name */
  message: string;
  hint: string;
}

const PLAIN_BEGIN = /^(BEGIN(\s+(WORK|TRANSACTION))?|START\s+TRANSACTION)\s*;?$/i;
const PLAIN_COMMIT = /^(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*;?$/i;
const ROLLBACK_TO = /^(ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?\s+TO\b/i;
const PREPARED = /^(COMMIT|ROLLBACK)\s+PREPARED\b/i;

const SPLIT_HINT = 'Remove the BEGIN/COMMIT lines (archon-migrate already runs each migration in one transaction), split the file into one migration per transaction, or add `-- archon-migrate: no-transaction` at the top to run it statement by statement as written.';

/** The statement's text with comments and runs of whitespace collapsed, for the "plain" tests. */
function normalized(statement: Statement): string {
  return statement.text
    .replace(/--[^\n\r]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function blank(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(from, to).replace(/[^\r\n]/g, ' ') + text.slice(to);
}

function isSavepointControl(c: TransactionControl): boolean {
  if (c.keyword === 'SAVEPOINT' || c.keyword === 'RELEASE') return true;
  return (c.keyword === 'ROLLBACK' || c.keyword === 'ABORT') && ROLLBACK_TO.test(normalized(c.statement));
}

export function prepareTransactionalBody(sql: string): { body: PreparedBody } | { problem: BodyProblem } {
  const statements = splitStatements(sql);
  const prepare = statements.find((st) => /^PREPARE\s+TRANSACTION\b/i.test(normalized(st)));
  if (prepare) return { problem: { line: prepare.line, message: 'PREPARE TRANSACTION (two-phase commit) cannot run inside a migration', hint: SPLIT_HINT } };
  const controls = findTransactionControl(statements).filter((c) => !isSavepointControl(c));
  if (controls.length === 0) return { body: { text: sql, stripped: null } };

  const first = statements[0];
  const last = statements[statements.length - 1];
  const [open, close] = controls;
  if (
    controls.length === 2 && open && close && first && last && first !== last
    && open.statement.start === first.start && PLAIN_BEGIN.test(normalized(open.statement))
    && close.statement.start === last.start && PLAIN_COMMIT.test(normalized(close.statement))
  ) {
    let text = blank(sql, open.statement.start, open.statement.end);
    text = blank(text, close.statement.start, close.statement.end);
    return { body: { text, stripped: { beginLine: open.line, commitLine: close.line } } };
  }
  return { problem: describeProblem(controls, statements) };
}

function describeProblem(controls: readonly TransactionControl[], statements: readonly Statement[]): BodyProblem {
  const first = statements[0]!;
  const last = statements[statements.length - 1]!;
  for (const c of controls) {
    const text = normalized(c.statement);
    const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
    if (PREPARED.test(text)) {
      return { line: c.line, message: `${shown} (two-phase commit) cannot run inside a migration`, hint: SPLIT_HINT };
    }
    if (c.keyword === 'BEGIN' || c.keyword === 'START TRANSACTION') {
      if (c.statement.start !== first.start) {
        return { line: c.line, message: `${shown} starts a second transaction in the middle of the file; the statements before it would be committed separately`, hint: SPLIT_HINT };
      }
      if (!PLAIN_BEGIN.test(text)) {
        return { line: c.line, message: `${shown} sets transaction options that archon-migrate cannot apply to its own transaction`, hint: SPLIT_HINT };
      }
      continue;
    }
    if (c.keyword === 'ROLLBACK' || c.keyword === 'ABORT') {
      return { line: c.line, message: `${shown} would discard the migration while its ledger row says applied`, hint: SPLIT_HINT };
    }
    // COMMIT / END
    if (c.statement.start !== last.start) {
      return { line: c.line, message: `${shown} in the middle of the file would commit part of the migration, breaking all-or-nothing`, hint: SPLIT_HINT };
    }
    if (!PLAIN_COMMIT.test(text)) {
      return { line: c.line, message: `${shown} is not a plain COMMIT`, hint: SPLIT_HINT };
    }
    if (!controls.some((o) => o.keyword === 'BEGIN' || o.keyword === 'START TRANSACTION')) {
      return { line: c.line, message: `${shown} without a matching BEGIN at the top of the file`, hint: SPLIT_HINT };
    }
  }
  const c = controls[0]!;
  return { line: c.line, message: `${normalized(c.statement)} without a matching COMMIT at the end of the file`, hint: SPLIT_HINT };
}
