/**
 * postgres-migrations 5: `<id>[-_]<name>.sql` (or `.js`), ids consecutive integers from 1 (its
 * own table-creation migration is id 0). `-- postgres-migrations disable-transaction` anywhere
 * in a file runs it outside a transaction. History: `migrations(id, name, hash, executed_at)`,
 * `hash` being SHA-1 over the file name followed by the file's text: an imported file can be
 * checked to be the one that ran.
 */
import { createHash } from 'node:crypto';
import { decodeMigration } from '../migration-source.js';
import type { Conversion, HistoryVerdict, IgnoredFile, SourceFile } from './converted-migration.js';
import { emptyVerdict } from './converted-migration.js';
import { notUtf8ImportMessage } from './dbmate.js';
import { finishConversion, type Draft } from './finish-conversion.js';
import { withOurNoTransaction } from './no-transaction-marker.js';

const VALID = /\.(sql|js)$/i;
const FILE = /^(-?\d+)[-_]?(.*).(sql|js)$/i;
const THEIR_MARKER = '-- postgres-migrations disable-transaction';
/** Their own first migration, which every database they migrated records with id 0. */
export const OWN_MIGRATION_ID = '0';

export function jsMigrationMessage(file: string): string {
  return `${file}: a JavaScript migration; archon-migrate runs SQL files only: write the SQL it generates into a .sql file before importing`;
}

export function badIdMessage(file: string): string {
  return `${file}: its id is not an integer of 1 or more (postgres-migrations keeps 0 for itself); renumber it before importing`;
}

export function changedSinceAppliedMessage(file: string, tool: string): string {
  return `${file} is not the file ${tool} applied (its recorded hash differs): importing it would seal SQL that never ran; restore the applied version (git log -- ${file}) before importing`;
}

const encoder = new TextEncoder();

function content(f: SourceFile, notes: string[], problems: string[]): Uint8Array | undefined {
  const text = decodeMigration(f.bytes);
  if (text === undefined) {
    problems.push(notUtf8ImportMessage(f.path));
    return undefined;
  }
  if (!text.includes(THEIR_MARKER)) return f.bytes;
  notes.push('-- postgres-migrations disable-transaction turned into -- archon-migrate: no-transaction');
  return encoder.encode(withOurNoTransaction(text, /^\s*-- postgres-migrations disable-transaction\s*$/));
}

export function convertPostgresMigrations(files: readonly SourceFile[]): Conversion {
  const ignored: IgnoredFile[] = [];
  const problems: string[] = [];
  const drafts: Draft[] = [];
  for (const f of files) {
    if (!VALID.test(f.path)) {
      ignored.push({ path: f.path, reason: 'neither .sql nor .js: postgres-migrations skips it' });
      continue;
    }
    const m = FILE.exec(f.path);
    if (f.path.toLowerCase().endsWith('.js')) {
      problems.push(jsMigrationMessage(f.path));
      continue;
    }
    if (!m || m[1]!.startsWith('-') || /^0+$/.test(m[1]!)) {
      problems.push(badIdMessage(f.path));
      continue;
    }
    const notes: string[] = [];
    const bytes = content(f, notes, problems);
    if (bytes === undefined) continue;
    drafts.push({ version: m[1]!, rawName: m[2]!, source: f.path, sources: [f.path], content: bytes, ref: String(BigInt(m[1]!)), notes });
  }
  drafts.sort((a, b) => (BigInt(a.ref) < BigInt(b.ref) ? -1 : BigInt(a.ref) > BigInt(b.ref) ? 1 : 0));
  return finishConversion('postgres-migrations', drafts, ignored, problems);
}

/** postgres-migrations' hash of a file: SHA-1 of its name and its text. */
export function postgresMigrationsHash(file: string, bytes: Uint8Array): string {
  return createHash('sha1').update(file, 'utf8').update(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), 'utf8').digest('hex');
}

export interface PostgresMigrationsRow {
  id: string;
  hash: string;
  executedAt: Date | null;
}

/** `files`: ref (id) → their original file, to check each applied file's hash. */
export function postgresMigrationsHistory(rows: readonly PostgresMigrationsRow[], files: ReadonlyMap<string, SourceFile>): HistoryVerdict {
  const verdict = emptyVerdict();
  for (const row of rows) {
    if (row.id === OWN_MIGRATION_ID) continue;
    const file = files.get(row.id);
    if (file === undefined) {
      verdict.unknown.push(row.id);
      continue;
    }
    if (postgresMigrationsHash(file.path, file.bytes) !== row.hash) verdict.problems.push(changedSinceAppliedMessage(file.path, 'postgres-migrations'));
    verdict.applied.add(row.id);
    if (row.executedAt !== null) verdict.appliedAt.set(row.id, row.executedAt);
  }
  return verdict;
}
