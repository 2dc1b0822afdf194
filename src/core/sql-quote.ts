/**
 * Quoting for the few names and values the tool pastes into SQL text (the ledger table, SET LOCAL
 * values). Identifiers are always quoted; literals assume standard_conforming_strings = on.
 */
import { usageError } from './errors.js';

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes; we refuse instead. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Always quotes: `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw usageError(`identifier ${JSON.stringify(name)} contains a NUL character`, 'Remove the NUL character from the name.');
  return '"' + name.replace(/"/g, '""') + '"';
}

/** `it's` → `'it''s'`. Backslashes are literal (standard_conforming_strings = on). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw usageError('a SQL string literal cannot contain a NUL character', 'Remove the NUL character from the value.');
  return "'" + value.replace(/'/g, "''") + "'";
}

export interface TableName {
  schema?: string;
  name: string;
}

const TABLE_FORM = '<table> or <schema>.<table> (double-quote a part that holds dots, upper-case letters or other characters: "My.Schema"."t")';

/**
 * Parses a configured table name: `archon_migrations`, `ops.archon_migrations`,
 * `"My.Schema"."t""x"`. Unquoted parts fold to lower case, as PostgreSQL does; quoted parts are
 * kept as written, with `""` meaning `"`. Throws an ArchonError (exit 2) naming the value and the
 * expected form for empty input, empty parts, unbalanced quotes, more than two parts, invalid
 * unquoted characters and names longer than 63 bytes.
 */
export function parseTableName(value: string): TableName {
  const bad = (problem: string): never => {
    throw usageError(`invalid table name ${JSON.stringify(value)}: ${problem}; expected ${TABLE_FORM}`,
      'Fix the `table` setting (or ARCHON_MIGRATE_TABLE).');
  };
  const text = value.trim();
  const lead = value.length - value.trimStart().length; // positions in messages refer to `value`
  if (text === '') bad('it is empty');
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part: string;
    if (text[i] === '"') {
      part = '';
      i++;
      let closed = false;
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
          } else {
            i++;
            closed = true;
            break;
          }
        } else {
          part += text[i];
          i++;
        }
      }
      if (!closed) bad('unbalanced double quote');
      if (part === '') bad('a quoted part is empty');
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
      if (!m) {
        if (text[i] === '.') bad(i === 0 ? 'it starts with a dot' : 'it has an empty part');
        bad(`unexpected character ${JSON.stringify(text[i])} at position ${lead + i + 1}`);
      }
      part = m![0].toLowerCase();
      i += m![0].length;
    }
    if (part.includes('\0')) bad('it contains a NUL character');
    if (new TextEncoder().encode(part).length > MAX_IDENTIFIER_BYTES) bad(`${JSON.stringify(part)} is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
    parts.push(part);
    if (i >= text.length) break;
    if (text[i] !== '.') bad(`unexpected character ${JSON.stringify(text[i])} at position ${lead + i + 1}`);
    i++;
    if (i >= text.length) bad('it ends with a dot');
    if (parts.length === 2) bad('it has more than two parts');
  }
  if (parts.length === 2) return { schema: parts[0]!, name: parts[1]! };
  return { name: parts[0]! };
}

/** `"schema"."name"` or `"name"`. */
export function qualifiedTable(t: TableName): string {
  return t.schema === undefined ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}
