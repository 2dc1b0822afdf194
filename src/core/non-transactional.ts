/**
 * Statements PostgreSQL refuses inside a transaction block (DESIGN §2), found before any database
 * work so that such a file is never sent inside a transaction only to fail after the migrations
 * before it have committed.
 */
import { isTrivia, tokenize, type Statement } from './sql-lexer.js';

export interface NonTransactionalStatement {
  statement: Statement;
  /** what it is, as a reader would name it: "CREATE INDEX CONCURRENTLY" */
  kind: string;
}

/** A file that mentions none of these words holds no such statement (and needs no lexing). */
const MAYBE = /concurrently|vacuum|system|database|tablespace|subscription/i;

/** The statement's words outside parentheses, upper-cased, comments skipped (quoted names are not words). */
function wordsOf(text: string, limit: number): string[] {
  const words: string[] = [];
  let depth = 0;
  for (const t of tokenize(text)) {
    if (isTrivia(t)) continue;
    if (t.type === 'open-paren') depth++;
    else if (t.type === 'close-paren') depth = Math.max(0, depth - 1);
    else if (t.type === 'word' && depth === 0) words.push(text.slice(t.start, t.end).toUpperCase());
    if (words.length >= limit) break;
  }
  return words;
}

/** What `words` is, when PostgreSQL cannot run it in a transaction block. */
export function nonTransactionalKind(words: readonly string[]): string | undefined {
  const [a, b, c] = words;
  switch (a) {
    case 'CREATE':
      if ((b === 'INDEX' && c === 'CONCURRENTLY') || (b === 'UNIQUE' && c === 'INDEX' && words[3] === 'CONCURRENTLY')) return 'CREATE INDEX CONCURRENTLY';
      if (b === 'DATABASE' || b === 'TABLESPACE' || b === 'SUBSCRIPTION') return `CREATE ${b}`;
      return undefined;
    case 'DROP':
      if (b === 'INDEX' && c === 'CONCURRENTLY') return 'DROP INDEX CONCURRENTLY';
      if (b === 'DATABASE' || b === 'TABLESPACE' || b === 'SUBSCRIPTION') return `DROP ${b}`;
      return undefined;
    case 'REINDEX':
      // REINDEX [ ( options ) ] { INDEX | TABLE | SCHEMA | DATABASE | SYSTEM } [ CONCURRENTLY ] name
      if (c === 'CONCURRENTLY') return 'REINDEX CONCURRENTLY';
      if (b === 'SCHEMA' || b === 'DATABASE' || b === 'SYSTEM') return `REINDEX ${b}`;
      return undefined;
    case 'VACUUM':
      return 'VACUUM';
    case 'ALTER':
      if (b === 'SYSTEM') return 'ALTER SYSTEM';
      if (b === 'TABLE' && words.includes('DETACH') && words.at(-1) === 'CONCURRENTLY') return 'DETACH PARTITION CONCURRENTLY';
      if (b === 'DATABASE' && words.includes('TABLESPACE') && words.includes('SET')) return 'ALTER DATABASE SET TABLESPACE';
      return undefined;
    default:
      return undefined;
  }
}

/** `SET …` / `RESET …`: session settings, allowed beside non-transactional statements. */
export function isSessionSetting(statement: Statement): boolean {
  const [first] = wordsOf(statement.text, 1);
  return first === 'SET' || first === 'RESET';
}

/** False when `sql` certainly holds no such statement: a cheap test before any lexing. */
export function mayHoldNonTransactional(sql: string): boolean {
  return MAYBE.test(sql);
}

export function findNonTransactional(sql: string, statements: () => readonly Statement[]): NonTransactionalStatement[] {
  if (!MAYBE.test(sql)) return [];
  const found: NonTransactionalStatement[] = [];
  for (const statement of statements()) {
    const kind = nonTransactionalKind(wordsOf(statement.text, 64));
    if (kind) found.push({ statement, kind });
  }
  return found;
}
