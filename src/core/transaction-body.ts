/**
 * What a transactional migration sends to the database, given that archon-migrate wraps it in
 * its own transaction (DESIGN §2: files with their own BEGIN/COMMIT must never break atomicity
 * silently).
 *
 * - No top-level transaction control, or only savepoints (SAVEPOINT, RELEASE, ROLLBACK TO):
 *   the file runs as written. (Savepoints are harmless inside our one transaction, so they stay
 *   allowed although DESIGN §2 lists SAVEPOINT among the refused shapes.)
 * - Exactly one plain `BEGIN;` / `START TRANSACTION;` and one plain `COMMIT;` / `END;` after it,
 *   anywhere in the file (hand-written Supabase and Archon SQL: `SET …; BEGIN; … COMMIT;
 *   SELECT 'done';`): those two statements are blanked out (replaced by spaces, line breaks
 *   kept) so the whole file runs inside our transaction and every offset, line and column still
 *   matches the file.
 * - Anything else (two pairs, ROLLBACK, a COMMIT without BEGIN, BEGIN with an isolation level,
 *   PREPARE TRANSACTION…) is refused before anything runs, naming the line and what the file
 *   really holds.
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

export function prepareTransactionalBody(sql: string, statements: readonly Statement[] = splitStatements(sql)): { body: PreparedBody } | { problem: BodyProblem } {
  const prepare = /prepare/i.test(sql) ? statements.find((st) => /^PREPARE\s+TRANSACTION\b/i.test(normalized(st))) : undefined;
  if (prepare) return { problem: { line: prepare.line, message: 'PREPARE TRANSACTION (two-phase commit) cannot run inside a migration', hint: SPLIT_HINT } };
  const controls = findTransactionControl(statements).filter((c) => !isSavepointControl(c));
  if (controls.length === 0) return { body: { text: sql, stripped: null } };
  const problem = describeProblem(controls);
  if (problem) return { problem };
  // Exactly one plain BEGIN, then one plain COMMIT: the file's one transaction becomes ours.
  const [open, close] = controls as [TransactionControl, TransactionControl];
  let text = blank(sql, open.statement.start, open.statement.end);
  text = blank(text, close.statement.start, close.statement.end);
  return { body: { text, stripped: { beginLine: open.line, commitLine: close.line } } };
}

function shown(c: TransactionControl): string {
  const text = normalized(c.statement);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const isOpen = (c: TransactionControl) => c.keyword === 'BEGIN' || c.keyword === 'START TRANSACTION';
const isClose = (c: TransactionControl) => c.keyword === 'COMMIT' || c.keyword === 'END';

/** Why the file's transaction control is not one plain BEGIN … COMMIT pair; undefined when it is. */
function describeProblem(controls: readonly TransactionControl[]): BodyProblem | undefined {
  for (const c of controls) {
    const text = normalized(c.statement);
    if (PREPARED.test(text)) return { line: c.line, message: `${shown(c)} (two-phase commit) cannot run inside a migration`, hint: SPLIT_HINT };
    if (c.keyword === 'ROLLBACK' || c.keyword === 'ABORT') {
      return { line: c.line, message: `${shown(c)} would discard the migration while its ledger row says applied`, hint: SPLIT_HINT };
    }
    if (isOpen(c) && !PLAIN_BEGIN.test(text)) {
      return { line: c.line, message: `${shown(c)} sets transaction options that archon-migrate cannot apply to its own transaction`, hint: SPLIT_HINT };
    }
    if (isClose(c) && !PLAIN_COMMIT.test(text)) return { line: c.line, message: `${shown(c)} is not a plain COMMIT`, hint: SPLIT_HINT };
  }
  const opens = controls.filter(isOpen);
  const closes = controls.filter(isClose);
  if (opens.length === 1 && closes.length === 1 && opens[0]!.statement.start < closes[0]!.statement.start) return undefined;
  if (opens.length === 0) {
    return { line: closes[0]!.line, message: `${shown(closes[0]!)} has no BEGIN before it: there is no transaction for it to commit`, hint: SPLIT_HINT };
  }
  if (closes.length === 0) {
    return { line: opens[0]!.line, message: `${shown(opens[0]!)} is never committed: the file has no COMMIT after it`, hint: SPLIT_HINT };
  }
  if (opens.length === 1 && closes.length === 1) {
    return { line: closes[0]!.line, message: `${shown(closes[0]!)} comes before the BEGIN on line ${opens[0]!.line}: it has no transaction to commit`, hint: SPLIT_HINT };
  }
  const lines = (cs: readonly TransactionControl[]) => cs.map((c) => c.line).join(', ');
  const second = opens[1] ?? closes[1]!;
  return {
    line: second.line,
    message: `the file opens ${opens.length} transactions (BEGIN on line${opens.length > 1 ? 's' : ''} ${lines(opens)}) and commits ${closes.length} (line${closes.length > 1 ? 's' : ''} ${lines(closes)}); archon-migrate runs a migration as exactly one transaction`,
    hint: SPLIT_HINT,
  };
}
