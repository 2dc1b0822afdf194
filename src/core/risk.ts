/**
 * Risky statements in a migration, for verify's review summary (DESIGN §5): statements that lose
 * data (`DROP TABLE`, `DROP COLUMN`, `TRUNCATE`), rewrite or lock a table that already holds
 * data (`ALTER COLUMN … TYPE`, `SET NOT NULL`, `CREATE INDEX` without `CONCURRENTLY`), or break
 * code that still uses an old name (`RENAME`).
 *
 * Statements come from the core lexer, and only SQL tokens are matched — words inside strings,
 * comments and quoted identifiers never trigger a finding. `DO` blocks are looked into (they run
 * at migration time); function bodies are not (they run when called).
 *
 * A table created earlier in the same migration — or in an earlier migration of the same branch,
 * passed in `newTables` — holds no production data yet: index builds, `SET NOT NULL` and type
 * changes on it are not flagged. Table names are compared case-folded, quotes removed, with the
 * `public.` schema dropped.
 */
import { splitStatements, tokenize, type Token } from './sql-lexer.js';

export type RiskKind = 'drop-table' | 'drop-column' | 'truncate' | 'alter-column-type' | 'set-not-null' | 'index-not-concurrent' | 'rename';

export interface Risk {
  kind: RiskKind;
  /** 1-based line of the statement in the file. */
  line: number;
  /** Table key: "users", "audit.events". */
  table: string;
  column?: string;
  /** One line for a reviewer: what it does and why it is risky. */
  message: string;
}

export interface RiskAnalysis {
  risks: Risk[];
  /** Tables this SQL creates (keys), to pass on as `newTables` for later migrations of the branch. */
  createdTables: string[];
}

interface Tok {
  type: Token['type'];
  text: string;
  /** Upper-cased word, '' for anything else. */
  word: string;
  start: number;
}

function sqlTokens(text: string): Tok[] {
  const out: Tok[] = [];
  for (const t of tokenize(text)) {
    if (t.type === 'space' || t.type === 'line-comment' || t.type === 'block-comment') continue;
    const s = text.slice(t.start, t.end);
    out.push({ type: t.type, text: s, word: t.type === 'word' ? s.toUpperCase() : '', start: t.start });
  }
  return out;
}

function identPart(t: Tok | undefined): string | undefined {
  if (!t) return undefined;
  if (t.type === 'word') return t.text.toLowerCase();
  if (t.type === 'quoted-ident') return t.text.slice(1, -1).replace(/""/g, '"');
  return undefined;
}

/** Reads `a`, `a.b`, `"A"."b"` at tokens[i]; returns its key and the index after it. */
function readName(tokens: readonly Tok[], i: number): { key: string; next: number } | undefined {
  const parts: string[] = [];
  let k = i;
  for (;;) {
    const part = identPart(tokens[k]);
    if (part === undefined) return parts.length === 0 ? undefined : { key: nameKey(parts), next: k };
    parts.push(part);
    k++;
    if (tokens[k]?.text !== '.') return { key: nameKey(parts), next: k };
    k++;
  }
}

function nameKey(parts: readonly string[]): string {
  const p = parts.length > 1 && parts[0] === 'public' ? parts.slice(1) : parts;
  return p.join('.');
}

/** Table name as users write it in SQL, for keys passed in from outside. */
export function tableKey(name: string): string {
  const read = readName(sqlTokens(name), 0);
  return read ? read.key : name.toLowerCase();
}

function skipWords(tokens: readonly Tok[], i: number, ...words: string[]): number {
  let k = i;
  for (const w of words) {
    if (tokens[k]?.word !== w) return i;
    k++;
  }
  return k;
}

/** Splits tokens[from..] at top-level commas. */
function splitActions(tokens: readonly Tok[], from: number): Tok[][] {
  const actions: Tok[][] = [[]];
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === 'semicolon') break;
    if (t.type === 'open-paren') depth++;
    else if (t.type === 'close-paren') depth--;
    if (depth === 0 && t.text === ',') actions.push([]);
    else actions[actions.length - 1]!.push(t);
  }
  return actions.filter((a) => a.length > 0);
}

export function findRisks(sql: string, options: { newTables?: Iterable<string> } = {}): RiskAnalysis {
  const created = new Set<string>();
  const isNew = new Set<string>([...(options.newTables ?? [])].map(tableKey));
  const risks: Risk[] = [];
  analyse(sql, 0, { created, isNew, risks });
  return { risks, createdTables: [...created] };
}

interface State {
  created: Set<string>;
  isNew: Set<string>;
  risks: Risk[];
}

function analyse(sql: string, lineOffset: number, state: State): void {
  for (const statement of splitStatements(sql)) {
    const line = statement.line + lineOffset;
    const t = sqlTokens(statement.text);
    const add = (kind: RiskKind, table: string, message: string, column?: string): void => {
      state.risks.push({ kind, line, table, ...(column === undefined ? {} : { column }), message });
    };
    const existing = (table: string): boolean => !state.isNew.has(table);
    const w0 = t[0]?.word;

    if (w0 === 'DO') {
      // DO [LANGUAGE plpgsql] $$ … $$ runs now: look inside.
      const body = t.find((x) => x.type === 'dollar-body');
      if (body) {
        const tag = /^\$[^$]*\$/.exec(body.text)![0];
        const inner = body.text.slice(tag.length, body.text.endsWith(tag) && body.text.length >= 2 * tag.length ? -tag.length : undefined);
        const before = statement.text.slice(0, body.start + tag.length);
        analyse(inner, line - 1 + (before.split(/\r\n|\r|\n/).length - 1), state);
      }
      continue;
    }

    if (w0 === 'CREATE') {
      let i = 1;
      i = skipWords(t, i, 'OR', 'REPLACE');
      if (t[i]?.word === 'GLOBAL' || t[i]?.word === 'LOCAL') i++;
      if (t[i]?.word === 'TEMP' || t[i]?.word === 'TEMPORARY' || t[i]?.word === 'UNLOGGED') i++;
      if (t[i]?.word === 'TABLE') {
        i = skipWords(t, i + 1, 'IF', 'NOT', 'EXISTS');
        const name = readName(t, i);
        if (name) {
          state.created.add(name.key);
          state.isNew.add(name.key);
        }
        continue;
      }
      i = 1;
      if (t[i]?.word === 'UNIQUE') i++;
      if (t[i]?.word !== 'INDEX') continue;
      i++;
      let concurrently = false;
      if (t[i]?.word === 'CONCURRENTLY') {
        concurrently = true;
        i++;
      }
      const on = t.findIndex((x, k) => k >= i && x.word === 'ON');
      if (on === -1) continue;
      const name = readName(t, skipWords(t, on + 1, 'ONLY'));
      if (name && !concurrently && existing(name.key)) {
        add('index-not-concurrent', name.key, `CREATE INDEX on existing table ${name.key} without CONCURRENTLY — blocks writes to the table while the index builds (use CREATE INDEX CONCURRENTLY in a migration with \`-- archon-migrate: no-transaction\`)`);
      }
      continue;
    }

    if (w0 === 'DROP' && t[1]?.word === 'TABLE') {
      let i = skipWords(t, 2, 'IF', 'EXISTS');
      for (;;) {
        const name = readName(t, i);
        if (!name) break;
        add('drop-table', name.key, `DROP TABLE ${name.key} — deletes the table and all its rows`);
        state.created.delete(name.key);
        if (t[name.next]?.text !== ',') break;
        i = name.next + 1;
      }
      continue;
    }

    if (w0 === 'TRUNCATE') {
      let i = skipWords(t, 1, 'TABLE');
      for (;;) {
        i = skipWords(t, i, 'ONLY');
        const name = readName(t, i);
        if (!name) break;
        add('truncate', name.key, `TRUNCATE ${name.key} — deletes every row`);
        i = name.next;
        if (t[i]?.text === '*') i++;
        if (t[i]?.text !== ',') break;
        i++;
      }
      continue;
    }

    if (w0 === 'ALTER' && t[1]?.word === 'TABLE') {
      let i = skipWords(t, 2, 'IF', 'EXISTS');
      i = skipWords(t, i, 'ONLY');
      const name = readName(t, i);
      if (!name) continue;
      const table = name.key;
      i = name.next;
      if (t[i]?.text === '*') i++;
      for (const a of splitActions(t, i)) {
        const aw = a.map((x) => x.word);
        if (aw[0] === 'DROP' && aw[1] !== 'CONSTRAINT') {
          let k = aw[1] === 'COLUMN' ? 2 : 1;
          k = skipWords(a, k, 'IF', 'EXISTS');
          const col = identPart(a[k]);
          if (col !== undefined) add('drop-column', table, `DROP COLUMN ${table}.${col} — deletes the column and its data (deploy code that no longer uses it first)`, col);
        } else if (aw[0] === 'ALTER') {
          const k = aw[1] === 'COLUMN' ? 2 : 1;
          const col = identPart(a[k]);
          if (col === undefined) continue;
          const rest = aw.slice(k + 1);
          const typeAt = rest[0] === 'TYPE' || (rest[0] === 'SET' && rest[1] === 'DATA' && rest[2] === 'TYPE');
          if (typeAt && existing(table)) {
            add('alter-column-type', table, `ALTER COLUMN ${table}.${col} TYPE — may rewrite the whole table under an ACCESS EXCLUSIVE lock`, col);
          } else if (rest[0] === 'SET' && rest[1] === 'NOT' && rest[2] === 'NULL' && existing(table)) {
            add('set-not-null', table, `SET NOT NULL on ${table}.${col} — scans the table under an ACCESS EXCLUSIVE lock and fails if a row is NULL (add a CHECK (${col} IS NOT NULL) NOT VALID constraint and VALIDATE it first)`, col);
          }
        } else if (aw[0] === 'RENAME') {
          if (aw[1] === 'TO') {
            const to = readName(a, 2);
            add('rename', table, `RENAME ${table} TO ${to?.key ?? '?'} — breaks code that still uses the old name`);
            if (to && state.isNew.has(table)) state.isNew.add(to.key);
          } else if (aw[1] !== 'CONSTRAINT') {
            const k = aw[1] === 'COLUMN' ? 2 : 1;
            const col = identPart(a[k]);
            const to = identPart(a[k + 2]);
            if (col !== undefined) add('rename', table, `RENAME COLUMN ${table}.${col} TO ${to ?? '?'} — breaks code that still uses the old name`, col);
          }
        }
      }
    }
  }
}
