/**
 * A small PostgreSQL lexer: enough to split a migration into statements the way psql does,
 * find directives and top-level transaction control, and map error positions to line:column.
 *
 * It knows: '…' strings with '' escapes (standard_conforming_strings on), E'…' strings with
 * backslash escapes, "…" identifiers, $$…$$ and $tag$…$tag$ bodies (`$1` is a parameter, not a
 * tag), -- comments, nested block comments, and SQL-standard function bodies
 * (`CREATE FUNCTION … BEGIN ATOMIC … END`, PostgreSQL 14+), whose inner semicolons do not end
 * the statement. Like psql, a `;` inside parentheses does not end a statement either.
 */

export type TokenType =
  | 'space'
  | 'line-comment'
  | 'block-comment'
  | 'string'
  | 'quoted-ident'
  | 'dollar-body'
  | 'word'
  | 'semicolon'
  | 'open-paren'
  | 'close-paren'
  | 'other';

export interface Token {
  type: TokenType;
  /** JS string offsets into the source: text = source.slice(start, end) */
  start: number;
  end: number;
  /** a string, identifier, body or block comment that runs to the end of the source */
  unterminated?: true;
}

export interface Statement {
  /** source.slice(start, end), including the terminating ';' if any */
  text: string;
  start: number;
  end: number;
  /** 1-based line of the first non-blank character */
  line: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const SPACE = /[ \t\n\r\f\v]/;
const SPACE_RUN = /[ \t\n\r\f\v]+/y;
const IDENT_RUN = /[A-Za-z0-9_$\u0080-\uffff]*/y;
const DIGIT_RUN = /[0-9.]*/y;
const LINE_COMMENT_END = /[\n\r]/g;

/** End of the run matched by a sticky regex at `i`. */
function runEnd(re: RegExp, sql: string, i: number): number {
  re.lastIndex = i;
  return re.exec(sql) ? re.lastIndex : i;
}

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && SPACE.test(ch);
}

/** Tokenises `sql` losslessly: the tokens cover the source exactly. Never throws. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  scanTokens(sql, (t) => { tokens.push(t); });
  return tokens;
}

/**
 * The tokens of `sql`, one at a time, without holding them all: a 60 MB migration has tens of
 * millions of tokens. `visit` returning false stops the scan.
 */
export function scanTokens(sql: string, visit: (t: Token) => boolean | void): void {
  const n = sql.length;
  let i = 0;
  let stop = false;
  const push = (type: TokenType, start: number, end: number, unterminated = false): void => {
    if (visit(unterminated ? { type, start, end, unterminated: true } : { type, start, end }) === false) stop = true;
  };
  while (i < n && !stop) {
    const start = i;
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (isSpace(ch)) {
      i = runEnd(SPACE_RUN, sql, i);
      push('space', start, i);
    } else if (ch === '-' && next === '-') {
      LINE_COMMENT_END.lastIndex = i;
      i = LINE_COMMENT_END.exec(sql) ? LINE_COMMENT_END.lastIndex - 1 : n;
      push('line-comment', start, i);
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else {
          i++;
        }
      }
      push('block-comment', start, i, depth > 0);
    } else if (ch === "'") {
      const closed = { value: false };
      i = scanStandardString(sql, i + 1, closed);
      push('string', start, i, !closed.value);
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < n) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') i += 2;
          else {
            i++;
            closed = true;
            break;
          }
        } else i++;
      }
      push('quoted-ident', start, i, !closed);
    } else if (ch === '$') {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(sql);
      if (m) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        i = close === -1 ? n : close + tag.length;
        push('dollar-body', start, i, close === -1);
      } else {
        // `$1` parameter or a stray `$`
        i++;
        while (i < n && /[0-9]/.test(sql[i]!)) i++;
        push('other', start, i);
      }
    } else if (IDENT_START.test(ch)) {
      i = runEnd(IDENT_RUN, sql, i + 1);
      if (i - start === 1 && (ch === 'E' || ch === 'e') && sql[i] === "'") {
        const closed = { value: false };
        i = scanEscapeString(sql, i + 1, closed);
        push('string', start, i, !closed.value);
      } else {
        push('word', start, i);
      }
    } else if (ch === ';') {
      i++;
      push('semicolon', start, i);
    } else if (ch === '(') {
      i++;
      push('open-paren', start, i);
    } else if (ch === ')') {
      i++;
      push('close-paren', start, i);
    } else if (ch >= '0' && ch <= '9') {
      i = runEnd(DIGIT_RUN, sql, i + 1);
      push('other', start, i);
    } else {
      i++;
      push('other', start, i);
    }
  }
}

/** From just after the opening quote of a standard string to just after its closing quote. */
function scanStandardString(sql: string, i: number, closed: { value: boolean }): number {
  for (;;) {
    const q = sql.indexOf("'", i);
    if (q === -1) return sql.length;
    if (sql[q + 1] === "'") i = q + 2;
    else {
      closed.value = true;
      return q + 1;
    }
  }
}


/** E'…': backslash escapes any character, '' is a quote. */
function scanEscapeString(sql: string, i: number, closed: { value: boolean }): number {
  const n = sql.length;
  while (i < n) {
    const ch = sql[i];
    if (ch === '\\') i += 2;
    else if (ch === "'") {
      if (sql[i + 1] === "'") i += 2;
      else {
        closed.value = true;
        return i + 1;
      }
    } else i++;
  }
  return Math.min(i, n);
}

export function isTrivia(t: Token): boolean {
  return t.type === 'space' || t.type === 'line-comment' || t.type === 'block-comment';
}

/** A token that makes a piece of source a statement (not whitespace, comments or a bare `;`). */
function isSqlToken(t: Token): boolean {
  return !isTrivia(t) && t.type !== 'semicolon';
}

/** Line-start offsets, for fast offset → line lookups. */
export function lineStarts(sql: string): number[] {
  const starts = [0];
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '\n') starts.push(i + 1);
    else if (ch === '\r') {
      if (sql[i + 1] === '\n') i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** A run of the source ending after a top-level `;` (or at the end), summarised while scanning. */
interface Piece {
  start: number;
  end: number;
  /** the first token that is not whitespace, or -1 */
  firstNonSpace: number;
  /** start of the first SQL token, or -1 */
  firstSql: number;
  /** end of the last SQL token (or unterminated comment after one) */
  lastSqlEnd: number;
  endsWithSemicolon: boolean;
}

/** Splits the source after each top-level `;` (psql's rules), one piece at a time. */
function scanPieces(sql: string, visit: (p: Piece) => void): void {
  let piece: Piece = { start: 0, end: 0, firstNonSpace: -1, firstSql: -1, lastSqlEnd: -1, endsWithSemicolon: false };
  let parenDepth = 0;
  let beginDepth = 0;
  // psql's heuristic: BEGIN/CASE/END are tracked only in CREATE [OR REPLACE] FUNCTION|PROCEDURE
  const firstWords: string[] = [];
  scanTokens(sql, (t) => {
    if (t.type !== 'space' && piece.firstNonSpace === -1) piece.firstNonSpace = t.start;
    if (t.type === 'open-paren') parenDepth++;
    else if (t.type === 'close-paren') {
      if (parenDepth > 0) parenDepth--;
    } else if (t.type === 'word') {
      if (firstWords.length < 4) firstWords.push(sql.slice(t.start, t.end).toLowerCase());
      if (parenDepth === 0 && isCreateRoutine(firstWords)) {
        const word = sql.slice(t.start, t.end).toLowerCase();
        if (word === 'begin') beginDepth++;
        else if (word === 'case') {
          if (beginDepth >= 1) beginDepth++;
        } else if (word === 'end') {
          if (beginDepth > 0) beginDepth--;
        }
      }
    }
    if (t.type === 'semicolon' && parenDepth === 0 && beginDepth === 0) {
      visit({ ...piece, end: t.end, endsWithSemicolon: true });
      piece = { start: t.end, end: t.end, firstNonSpace: -1, firstSql: -1, lastSqlEnd: -1, endsWithSemicolon: false };
      firstWords.length = 0;
      return;
    }
    // an unterminated block comment stays with its statement, so the server reports it
    if (isSqlToken(t) || (piece.firstSql !== -1 && t.unterminated)) {
      if (piece.firstSql === -1) piece.firstSql = t.start;
      piece.lastSqlEnd = t.end;
    }
  });
  if (piece.start < sql.length) visit({ ...piece, end: sql.length });
}

function isCreateRoutine(w: readonly string[]): boolean {
  if (w[0] !== 'create' || w.length < 2) return false;
  if (w[1] === 'function' || w[1] === 'procedure') return true;
  return w[1] === 'or' && w[2] === 'replace' && (w[3] === 'function' || w[3] === 'procedure');
}

/**
 * Lossless covering of the source, split after each top-level `;`:
 * `splitSegments(sql).map(s => s.text).join('') === sql`. A segment may hold only whitespace and
 * comments. `line` is the line of the segment's first non-whitespace character (or of its start).
 */
export function splitSegments(sql: string): Statement[] {
  const starts = lineStarts(sql);
  const segments: Statement[] = [];
  scanPieces(sql, (p) => {
    const first = p.firstNonSpace === -1 ? p.start : p.firstNonSpace;
    segments.push({ text: sql.slice(p.start, p.end), start: p.start, end: p.end, line: lineAt(starts, first) });
  });
  return segments;
}

/**
 * The statements of `sql`, in order: each runs from its first SQL token to its terminating `;`
 * (or its last token when the file does not end with `;`). Comments and whitespace between
 * statements, and empty statements (`;;`), are not statements.
 */
export function splitStatements(sql: string): Statement[] {
  const starts = lineStarts(sql);
  const statements: Statement[] = [];
  scanPieces(sql, (p) => {
    if (p.firstSql === -1) return;
    const end = p.endsWithSemicolon ? p.end : p.lastSqlEnd;
    statements.push({ text: sql.slice(p.firstSql, end), start: p.firstSql, end, line: lineAt(starts, p.firstSql) });
  });
  return statements;
}

/** True when `sql` holds only whitespace, comments and empty statements. */
export function isEmptySql(sql: string): boolean {
  let empty = true;
  scanTokens(sql, (t) => {
    if (!isSqlToken(t)) return true;
    empty = false;
    return false;
  });
  return empty;
}

/**
 * 1-based line and column of a JS string offset. Lines break at LF, CRLF and lone CR; the column
 * counts characters (Unicode code points), so an emoji is one column. Offsets are clamped to the
 * source.
 */
export function offsetToLineColumn(sql: string, offset: number): { line: number; column: number } {
  const o = Math.max(0, Math.min(Math.trunc(Number.isFinite(offset) ? offset : 0), sql.length));
  const starts = lineStarts(sql);
  const line = lineAt(starts, o);
  const lineStart = starts[line - 1]!;
  let column = 1;
  for (let i = lineStart; i < o; i++) {
    const code = sql.charCodeAt(i);
    // the high half of a surrogate pair counts; the low half does not
    if (code >= 0xdc00 && code <= 0xdfff && i > lineStart && isHighSurrogate(sql.charCodeAt(i - 1))) continue;
    column++;
  }
  return { line, column };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * JS string offset of PostgreSQL's error `position`, which is 1-based and counts characters
 * (code points), so astral characters (two UTF-16 units) count once. Clamped to [0, sql.length].
 */
export function pgPositionToOffset(sql: string, position: number): number {
  if (!Number.isFinite(position) || position <= 1) return 0;
  let remaining = Math.trunc(position) - 1;
  let i = 0;
  while (remaining > 0 && i < sql.length) {
    i += isHighSurrogate(sql.charCodeAt(i)) && i + 1 < sql.length && isLowSurrogate(sql.charCodeAt(i + 1)) ? 2 : 1;
    remaining--;
  }
  return i;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

// ---------------------------------------------------------------------------------------------
// Transaction control

export interface TransactionControl {
  keyword: 'BEGIN' | 'START TRANSACTION' | 'COMMIT' | 'END' | 'ROLLBACK' | 'ABORT' | 'SAVEPOINT' | 'RELEASE';
  line: number;
  statement: Statement;
}

/** The first two words of a statement, upper-cased, skipping comments, and the first one's offset. */
function leadingWords(text: string): { words: string[]; firstNonSpace: number; firstWord: number } {
  const words: string[] = [];
  let firstNonSpace = -1;
  let firstWord = -1;
  scanTokens(text, (t) => {
    if (t.type !== 'space' && firstNonSpace === -1) firstNonSpace = t.start;
    if (isTrivia(t)) return true;
    if (t.type !== 'word') return false;
    if (firstWord === -1) firstWord = t.start;
    words.push(text.slice(t.start, t.end).toUpperCase());
    return words.length < 2;
  });
  return { words, firstNonSpace, firstWord };
}

function countLineBreaks(text: string): number {
  return lineStarts(text).length - 1;
}

/**
 * Top-level statements that control the transaction (BEGIN, START TRANSACTION, COMMIT [AND
 * CHAIN], END, ROLLBACK [TO SAVEPOINT], ABORT, SAVEPOINT, RELEASE, COMMIT/ROLLBACK PREPARED).
 * Statements inside DO or function bodies are never seen: they are inside quotes.
 * `BEGIN ATOMIC` is not transaction control.
 */
export function findTransactionControl(statements: readonly Statement[]): TransactionControl[] {
  const found: TransactionControl[] = [];
  for (const statement of statements) {
    const { words, firstNonSpace, firstWord } = leadingWords(statement.text);
    const [first, second] = words;
    let keyword: TransactionControl['keyword'] | undefined;
    switch (first) {
      case 'BEGIN':
        if (second !== 'ATOMIC') keyword = 'BEGIN';
        break;
      case 'START':
        if (second === 'TRANSACTION') keyword = 'START TRANSACTION';
        break;
      case 'COMMIT':
      case 'END':
      case 'ROLLBACK':
      case 'ABORT':
      case 'SAVEPOINT':
      case 'RELEASE':
        keyword = first;
        break;
    }
    if (keyword) {
      // statement.line is the line of its first non-blank character; comments may come before the keyword
      const line = statement.line + countLineBreaks(statement.text.slice(firstNonSpace, firstWord));
      found.push({ keyword, line, statement });
    }
  }
  return found;
}
