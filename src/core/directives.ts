/**
 * Directives: `-- archon-migrate: …` comments at the top of a migration (DESIGN §2), and the
 * no-transaction markers of other tools, which mean the same as ours so that their files run
 * unedited: postgres-migrations (anywhere in the file, as it reads them), Atlas, graphile-migrate
 * and dbmate (in the leading comment block, as they read them).
 */
import { isTrivia, lineAt, lineStarts, tokenize } from './sql-lexer.js';

export type TransactionMarker = 'postgres-migrations' | 'atlas' | 'graphile-migrate' | 'dbmate';

export interface Directives {
  /** false with `-- archon-migrate: no-transaction` or another tool's no-transaction marker */
  transaction: boolean;
  /** set when another tool's marker (not ours) turned the transaction off */
  marker?: TransactionMarker;
  /** PostgreSQL interval text for `SET LOCAL lock_timeout`, e.g. "5s" */
  lockTimeout?: string;
  statementTimeout?: string;
}

export interface DirectiveProblem {
  line: number;
  /** the problem and the fix, without the file or line (callers prefix `file:line: `) */
  message: string;
}

export const VALID_DIRECTIVES = 'no-transaction, lock-timeout=<duration>, statement-timeout=<duration> (duration: an integer with ms, s, min or h, or plain milliseconds)';

const DIRECTIVE_COMMENT = /^--\s*archon-migrate\s*:(.*)$/i;
/** A lint opt-out (`-- archon-migrate: allow <rule> -- <why>`) may sit above any statement. */
const ALLOW_ITEM = /^allow\b/i;
/** Every comment this file reads contains one of these; a file without them needs no lexing. */
const ANY_MARKER = /archon-migrate|postgres-migrations|atlas:txmode|--!|migrate:up/i;
const LEADING_MARKERS: readonly { tool: TransactionMarker; pattern: RegExp }[] = [
  { tool: 'atlas', pattern: /^--\s*atlas:txmode\s+none\s*$/i },
  { tool: 'graphile-migrate', pattern: /^--!\s*no-transaction\s*$/i },
  { tool: 'dbmate', pattern: /^--\s*migrate:up\b.*\btransaction:false\b/i },
];
const POSTGRES_MIGRATIONS_MARKER = /^--\s*postgres-migrations\s+disable-transaction\b/i;
const DURATION = /^([0-9]+)(ms|s|min|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };
/** PostgreSQL's timeouts are int milliseconds. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Reads `-- archon-migrate: …` directives from the leading comment block of a migration (the
 * `--` comments and blank lines before the first SQL token), and other tools' no-transaction
 * markers. Several directives may share a line, separated by commas. Problems (unknown
 * directive, bad value, repeated directive, directive after the first statement) are all
 * collected; `directives` holds what was understood.
 */
export function parseDirectives(sql: string): { directives: Directives; problems: DirectiveProblem[] } {
  const directives: Directives = { transaction: true };
  const problems: DirectiveProblem[] = [];
  if (!ANY_MARKER.test(sql)) return { directives, problems };
  const starts = lineStarts(sql);
  const seen = new Map<string, number>();
  let sawSql = false;
  for (const t of tokenize(sql)) {
    if (!isTrivia(t)) {
      sawSql = true;
      continue;
    }
    if (t.type !== 'line-comment') continue;
    const comment = sql.slice(t.start, t.end).trimEnd();
    const marker = markerOf(comment, sawSql);
    if (marker) {
      if (directives.transaction) directives.marker = marker;
      directives.transaction = false;
      continue;
    }
    const m = DIRECTIVE_COMMENT.exec(comment);
    if (!m) continue;
    if (ALLOW_ITEM.test(m[1]!.trim())) continue;
    const line = lineAt(starts, t.start);
    if (sawSql) {
      problems.push({ line, message: 'directives must be at the top of the file, before the first SQL statement; move this line up' });
      continue;
    }
    for (const item of m[1]!.split(',').map((s) => s.trim())) {
      const problem = applyDirective(item, directives, seen, line);
      if (problem) problems.push({ line, message: problem });
    }
  }
  return { directives, problems };
}

function markerOf(comment: string, sawSql: boolean): TransactionMarker | undefined {
  if (POSTGRES_MIGRATIONS_MARKER.test(comment)) return 'postgres-migrations';
  if (sawSql) return undefined;
  return LEADING_MARKERS.find((m) => m.pattern.test(comment))?.tool;
}

function applyDirective(item: string, directives: Directives, seen: Map<string, number>, line: number): string | undefined {
  if (item === '') return `empty directive; valid directives: ${VALID_DIRECTIVES}`;
  const eq = item.indexOf('=');
  const key = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
  const value = eq === -1 ? undefined : item.slice(eq + 1).trim();
  if (key !== 'no-transaction' && key !== 'lock-timeout' && key !== 'statement-timeout') {
    return `unknown directive ${JSON.stringify(item)}; valid directives: ${VALID_DIRECTIVES}`;
  }
  const previous = seen.get(key);
  if (previous !== undefined) return `directive ${key} is given twice (first on line ${previous}); keep one`;
  seen.set(key, line);
  if (key === 'no-transaction') {
    if (value !== undefined) return `directive no-transaction takes no value, found ${JSON.stringify(item)}; write "-- archon-migrate: no-transaction"`;
    directives.transaction = false;
    delete directives.marker;
    return undefined;
  }
  const d = value === undefined ? null : DURATION.exec(value.toLowerCase());
  const ms = d ? Number(d[1]) * UNIT_MS[d[2] ?? 'ms']! : NaN;
  if (!d || !(ms <= MAX_TIMEOUT_MS)) {
    return `bad value for ${key}: ${JSON.stringify(value ?? '')}; expected an integer with ms, s, min or h (e.g. ${key}=5s), at most 2147483647 ms; valid directives: ${VALID_DIRECTIVES}`;
  }
  const text = d[1]!.replace(/^0+(?=[0-9])/, '') + (d[2] ?? 'ms');
  if (key === 'lock-timeout') directives.lockTimeout = text;
  else directives.statementTimeout = text;
  return undefined;
}
