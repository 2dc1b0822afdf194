/**
 * Text that psql or another tool understands but PostgreSQL does not: meta-commands (`\set`,
 * `\i`, `\connect`), `COPY … FROM stdin` with its data lines, and a dbmate `-- migrate:down`
 * section. Sent to the server, a no-transaction file would run its first statements and then
 * fail half-applied; so they are refused before anything runs, naming the line.
 */
import { isTrivia, lineAt, lineStarts, tokenize, type Statement } from './sql-lexer.js';

export interface PsqlOnlyProblem {
  line: number;
  message: string;
  hint: string;
}

const DBMATE_DOWN = /^--\s*migrate:down\b/i;
const COPY_STDIN = /^COPY\b[\s\S]*\bFROM\s+(STDIN|PSTDIN)\b/i;

export const META_HINT = 'Replace it with SQL (archon-migrate sends the file to the server, which does not know psql commands), or keep this file for psql.';
export const COPY_HINT = 'Turn the data into INSERT … VALUES statements (or COPY from a file the server can read); archon-migrate sends SQL only, not the data lines psql streams after COPY … FROM stdin.';
export const DBMATE_DOWN_HINT = 'Move the statements after `-- migrate:down` into the rollback file (migrations/rollbacks/<same name>); `archon-migrate import --from dbmate` does it for a whole folder.';

export function psqlOnlyProblem(sql: string, statements: () => readonly Statement[]): PsqlOnlyProblem | undefined {
  const found = [
    /copy/i.test(sql) ? copyFromStdin(statements()) : undefined,
    /\\|migrate:down/i.test(sql) ? metaCommandOrDown(sql) : undefined,
  ].filter((p): p is PsqlOnlyProblem => p !== undefined);
  return found.sort((a, b) => a.line - b.line)[0];
}

function copyFromStdin(statements: readonly Statement[]): PsqlOnlyProblem | undefined {
  const copy = statements.find((s) => COPY_STDIN.test(s.text.replace(/\s+/g, ' ')));
  return copy && { line: copy.line, message: 'COPY … FROM stdin needs psql to send the data lines that follow it', hint: COPY_HINT };
}

function metaCommandOrDown(sql: string): PsqlOnlyProblem | undefined {
  const starts = lineStarts(sql);
  let downLine: number | undefined;
  for (const t of tokenize(sql)) {
    const text = sql.slice(t.start, t.end);
    if (t.type === 'line-comment' && downLine === undefined && DBMATE_DOWN.test(text)) {
      downLine = lineAt(starts, t.start);
      continue;
    }
    if (isTrivia(t) || t.type === 'semicolon') continue;
    if (downLine !== undefined) {
      return { line: downLine, message: 'holds a dbmate `-- migrate:down` section: its statements would run as part of the migration', hint: DBMATE_DOWN_HINT };
    }
    if (t.type === 'other' && text === '\\') {
      const command = /^\\[A-Za-z!?.]*/.exec(sql.slice(t.start, t.start + 20))![0];
      return { line: lineAt(starts, t.start), message: `\`${command}\` is a psql meta-command, not SQL`, hint: META_HINT };
    }
  }
  return undefined;
}
