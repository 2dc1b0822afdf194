/**
 * golang-migrate: `<version>_<title>.up.<ext>` and `<version>_<title>.down.<ext>`, version an
 * unsigned integer (leading zeros allowed, compared as a number); files that do not match are
 * skipped by it. History: `schema_migrations(version bigint, dirty boolean)`, ONE row: every
 * migration up to that version is applied; `dirty = true` means it stopped half-way.
 */
import { compareVersions, versionKey } from '../migration-name.js';
import { isEmptySql } from '../sql-lexer.js';
import { decodeMigration } from '../migration-source.js';
import type { Conversion, HistoryVerdict, IgnoredFile, SourceFile } from './converted-migration.js';
import { emptyVerdict } from './converted-migration.js';
import { finishConversion, type Draft } from './finish-conversion.js';

const FILE = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/;

export function notSqlMessage(file: string, ext: string): string {
  return `${file}: a golang-migrate migration with the extension .${ext}, not .sql; archon-migrate runs SQL files only`;
}

export function downWithoutUpMessage(file: string): string {
  return `${file}: a down migration without its up migration (no ${file.replace(/\.down\./, '.up.')}); add the up file or remove this one before importing`;
}

export function duplicateUpMessage(first: string, second: string): string {
  return `${first} and ${second} are both up migrations of one version; golang-migrate refuses this too: renumber one of them before importing`;
}

interface Pair {
  up?: SourceFile & { title: string; version: string };
  down?: SourceFile;
}

function pairUp(files: readonly SourceFile[], ignored: IgnoredFile[], problems: string[]): Map<string, Pair> {
  const pairs = new Map<string, Pair>();
  for (const f of files) {
    const m = FILE.exec(f.path);
    if (!m) {
      ignored.push({ path: f.path, reason: 'not named <version>_<title>.up.sql or .down.sql: golang-migrate skips it' });
      continue;
    }
    const [, version, title, direction, ext] = m as unknown as [string, string, string, 'up' | 'down', string];
    if (ext !== 'sql') {
      problems.push(notSqlMessage(f.path, ext));
      continue;
    }
    const key = versionKey(version);
    const pair = pairs.get(key) ?? {};
    pairs.set(key, pair);
    if (direction === 'down') {
      pair.down = f;
    } else if (pair.up !== undefined) {
      problems.push(duplicateUpMessage(pair.up.path, f.path));
    } else {
      pair.up = { ...f, title, version };
    }
  }
  return pairs;
}

export function convertGolangMigrate(files: readonly SourceFile[]): Conversion {
  const ignored: IgnoredFile[] = [];
  const problems: string[] = [];
  const pairs = pairUp(files, ignored, problems);
  const drafts: Draft[] = [];
  for (const pair of pairs.values()) {
    if (pair.up === undefined) {
      problems.push(downWithoutUpMessage(pair.down!.path));
      continue;
    }
    const { up, down } = pair;
    const downText = down === undefined ? undefined : decodeMigration(down.bytes);
    const emptyDown = down !== undefined && downText !== undefined && isEmptySql(downText);
    drafts.push({
      version: up.version,
      rawName: up.title,
      source: up.path,
      sources: down === undefined ? [up.path] : [up.path, down.path],
      content: up.bytes,
      ...(down === undefined || emptyDown ? {} : { rollback: down.bytes }),
      ref: versionKey(up.version),
      notes: emptyDown ? [`${down!.path} is empty: no rollback`] : [],
    });
  }
  drafts.sort((a, b) => compareVersions(a.version, b.version));
  return finishConversion('golang-migrate', drafts, ignored, problems);
}

export interface GolangMigrateRow {
  version: string;
  dirty: boolean;
}

export function dirtyMessage(version: string): string {
  return `golang-migrate's schema_migrations is dirty at version ${version}: that migration failed half-way, so what it changed is unknown; finish or undo it by hand, run \`migrate force ${version}\` (or the version before it), then import again`;
}

export function manyRowsMessage(count: number): string {
  return `golang-migrate's schema_migrations has ${count} rows; golang-migrate keeps exactly one (the current version): keep the row of the current version, then import again`;
}

/** `refs`: every imported migration's numeric version key. */
export function golangMigrateHistory(rows: readonly GolangMigrateRow[], refs: readonly string[]): HistoryVerdict {
  const verdict = emptyVerdict();
  if (rows.length === 0) return verdict;
  if (rows.length > 1) {
    verdict.problems.push(manyRowsMessage(rows.length));
    return verdict;
  }
  const { version, dirty } = rows[0]!;
  if (dirty) {
    verdict.problems.push(dirtyMessage(version));
    return verdict;
  }
  if (version.startsWith('-')) return verdict; // NilVersion: nothing applied
  const current = versionKey(version);
  for (const ref of refs) if (compareVersions(ref, current) <= 0) verdict.applied.add(ref);
  if (!refs.includes(current)) verdict.unknown.push(current);
  return verdict;
}
