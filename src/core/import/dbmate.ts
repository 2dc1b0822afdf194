/**
 * dbmate: `<version><anything>.sql` (version = the leading digits, kept as written), files run
 * in file-name order. One file holds an up section (`-- migrate:up`) and a down section
 * (`-- migrate:down`); `transaction:false` after either runs that section outside a transaction.
 * History: `schema_migrations(version varchar primary key)`, a row per applied version.
 */
import { decodeMigration } from '../migration-source.js';
import { isEmptySql } from '../sql-lexer.js';
import type { Conversion, HistoryVerdict, IgnoredFile, SourceFile } from './converted-migration.js';
import { emptyVerdict } from './converted-migration.js';
import { finishConversion, type Draft } from './finish-conversion.js';
import { withOurNoTransaction } from './no-transaction-marker.js';

const FILE = /^([0-9]+)(.*)\.sql$/;
const UP = /^--\s*migrate:up(\s*$|\s+\S+)/gm;
const DOWN = /^--\s*migrate:down(\s*$|\s+\S+)/gm;
const NO_TRANSACTION = /\btransaction:false\b/;
const THEIR_MARKER = /^--\s*migrate:(up|down)\b/;

export function dbmateSectionMessage(file: string, problem: string): string {
  return `${file}: ${problem} (dbmate refuses this file too); fix the file before importing`;
}

export function notUtf8ImportMessage(file: string): string {
  return `${file} is not valid UTF-8 text; save it as UTF-8 before importing`;
}

const encoder = new TextEncoder();

/** The up and down sections as dbmate cuts them, or what is wrong with the file. */
function sections(text: string): { up: string; down: string } | string {
  const ups = [...text.matchAll(UP)].map((m) => m.index);
  const downs = [...text.matchAll(DOWN)].map((m) => m.index);
  if (ups.length === 0) return 'it has no `-- migrate:up` section';
  if (ups.length > 1) return `it has ${ups.length} \`-- migrate:up\` sections; archon-migrate runs a file as one migration: split it into one file per section`;
  if (downs.length === 0) return 'it has no `-- migrate:down` section';
  if (downs.length > 1) return 'it has more than one `-- migrate:down` section';
  const [up] = ups as [number];
  const [down] = downs as [number];
  if (down < up) return '`-- migrate:down` comes before `-- migrate:up`';
  const before = text.slice(0, up).split('\n').filter((l) => !/^\s*(--.*)?$/.test(l));
  if (before.length > 0) return 'it has statements before `-- migrate:up`';
  return { up: text.slice(up, down), down: text.slice(down) };
}

/** A section as we write it: their directive line replaced by ours when it says transaction:false. */
function section(text: string, notes: string[], what: string): string {
  const firstLine = text.split('\n', 1)[0]!;
  if (!NO_TRANSACTION.test(firstLine)) return text;
  notes.push(`${what}: transaction:false turned into -- archon-migrate: no-transaction`);
  return withOurNoTransaction(text, THEIR_MARKER);
}

export function convertDbmate(files: readonly SourceFile[]): Conversion {
  const ignored: IgnoredFile[] = [];
  const problems: string[] = [];
  const drafts: Draft[] = [];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const m = FILE.exec(f.path);
    if (!m) {
      ignored.push({ path: f.path, reason: 'does not start with a version and end in .sql: dbmate skips it' });
      continue;
    }
    const text = decodeMigration(f.bytes);
    if (text === undefined) {
      problems.push(notUtf8ImportMessage(f.path));
      continue;
    }
    const cut = sections(text);
    if (typeof cut === 'string') {
      problems.push(dbmateSectionMessage(f.path, cut));
      continue;
    }
    const notes: string[] = [];
    const up = section(cut.up, notes, 'up');
    const down = isEmptySql(cut.down) ? undefined : section(cut.down, notes, 'down');
    if (down === undefined) notes.push('empty down section: no rollback');
    drafts.push({
      version: m[1]!, rawName: m[2]!, source: f.path, sources: [f.path],
      content: encoder.encode(up),
      ...(down === undefined ? {} : { rollback: encoder.encode(down) }),
      ref: m[1]!, notes,
    });
  }
  return finishConversion('dbmate', drafts, ignored, problems);
}

export function dbmateHistory(rows: readonly { version: string }[], refs: ReadonlySet<string>): HistoryVerdict {
  const verdict = emptyVerdict();
  for (const row of rows) {
    if (refs.has(row.version)) verdict.applied.add(row.version);
    else verdict.unknown.push(row.version);
  }
  return verdict;
}
