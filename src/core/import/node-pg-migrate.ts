/**
 * node-pg-migrate's SQL migrations: `<number><separator><name>.sql` holding `-- Up Migration`
 * and `-- Down Migration` sections (its template), or an `<id>.up.sql` / `<id>.down.sql` pair
 * (its `sql` loader). Files are ordered by their numeric prefix (a 17-digit prefix is read as a
 * UTC date-time). History: `pgmigrations(id, name, run_on)`, a row per applied migration, named
 * by its file name without `.sql`.
 */
import { decodeMigration } from '../migration-source.js';
import { isEmptySql } from '../sql-lexer.js';
import type { Conversion, HistoryVerdict, IgnoredFile, SourceFile } from './converted-migration.js';
import { emptyVerdict } from './converted-migration.js';
import { notUtf8ImportMessage } from './dbmate.js';
import { finishConversion, type Draft } from './finish-conversion.js';
import { downWithoutUpMessage } from './golang-migrate.js';

const SCRIPT = /\.(js|cjs|mjs|ts|cts|mts)$/i;
const PREFIX = /^([0-9]+)[-_.]?(.*)$/;

export function scriptMigrationMessage(file: string): string {
  return `${file}: a JavaScript/TypeScript migration; archon-migrate runs SQL files only: turn it into a .sql file (e.g. from \`node-pg-migrate up --dry-run\` output) before importing`;
}

export function noNumericPrefixMessage(file: string): string {
  return `${file}: its name does not start with a number, which node-pg-migrate needs too; rename it before importing`;
}

const encoder = new TextEncoder();
const marker = (direction: string): RegExp => new RegExp(`^\\s*--[\\s-]*${direction}\\s+migration`, 'im');

/** The up and down SQL exactly as node-pg-migrate's SQL loader cuts a file. */
export function nodePgMigrateSections(content: string): { up: string; down?: string } {
  const upStart = content.search(marker('up'));
  const downStart = content.search(marker('down'));
  const up = upStart >= 0 ? content.slice(upStart, downStart < upStart ? undefined : downStart) : content;
  const down = downStart >= 0 ? content.slice(downStart, upStart < downStart ? undefined : upStart) : undefined;
  return down === undefined ? { up } : { up, down };
}

/** node-pg-migrate's order: the numeric prefix, a 17-digit one read as a UTC date-time. */
function theirOrderKey(name: string): number {
  const prefix = /^\d+/.exec(name)![0];
  if (prefix.length !== 17) return Number(prefix);
  const d = prefix;
  return Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(8, 10), +d.slice(10, 12), +d.slice(12, 14), +d.slice(14, 17));
}

interface Unit {
  id: string;
  up?: SourceFile;
  down?: SourceFile;
  single?: SourceFile;
}

function units(files: readonly SourceFile[], ignored: IgnoredFile[], problems: string[]): Unit[] {
  const byId = new Map<string, Unit>();
  for (const f of files) {
    if (f.path.startsWith('.')) continue;
    if (SCRIPT.test(f.path)) {
      problems.push(scriptMigrationMessage(f.path));
      continue;
    }
    if (!f.path.endsWith('.sql')) {
      ignored.push({ path: f.path, reason: 'not a .sql file' });
      continue;
    }
    const base = f.path.slice(0, -'.sql'.length);
    const direction = base.endsWith('.up') ? 'up' : base.endsWith('.down') ? 'down' : 'single';
    const id = direction === 'single' ? base : base.slice(0, base.lastIndexOf('.'));
    if (!/^\d/.test(id)) {
      problems.push(noNumericPrefixMessage(f.path));
      continue;
    }
    const unit = byId.get(id) ?? { id };
    byId.set(id, unit);
    unit[direction] = f;
  }
  return [...byId.values()].sort((a, b) => theirOrderKey(a.id) - theirOrderKey(b.id) || a.id.localeCompare(b.id, undefined, { numeric: true }));
}

function draft(unit: Unit, problems: string[]): Draft | undefined {
  const main = unit.single ?? unit.up;
  if (main === undefined) {
    problems.push(downWithoutUpMessage(unit.down!.path));
    return undefined;
  }
  const text = decodeMigration(main.bytes);
  if (text === undefined) {
    problems.push(notUtf8ImportMessage(main.path));
    return undefined;
  }
  const cut = unit.single !== undefined ? nodePgMigrateSections(text) : { up: text, down: unit.down && decodeMigration(unit.down.bytes) };
  const hasDown = cut.down !== undefined && !isEmptySql(cut.down);
  const [, version, rawName] = PREFIX.exec(unit.id)!;
  return {
    version: version!, rawName: rawName!, source: main.path,
    sources: [unit.single, unit.up, unit.down].filter((f) => f !== undefined).map((f) => f.path),
    content: unit.single !== undefined ? encoder.encode(cut.up) : main.bytes,
    ...(hasDown ? { rollback: encoder.encode(cut.down!) } : {}),
    ref: unit.id,
    notes: hasDown ? [] : ['no down migration: no rollback'],
  };
}

export function convertNodePgMigrate(files: readonly SourceFile[]): Conversion {
  const ignored: IgnoredFile[] = [];
  const problems: string[] = [];
  const drafts = units(files, ignored, problems).map((u) => draft(u, problems)).filter((d) => d !== undefined);
  return finishConversion('node-pg-migrate', drafts, ignored, problems);
}

export function nodePgMigrateHistory(rows: readonly { name: string; runOn: Date | null }[], refs: ReadonlySet<string>): HistoryVerdict {
  const verdict = emptyVerdict();
  for (const row of rows) {
    if (!refs.has(row.name)) {
      verdict.unknown.push(row.name);
      continue;
    }
    verdict.applied.add(row.name);
    if (row.runOn !== null) verdict.appliedAt.set(row.name, row.runOn);
  }
  return verdict;
}
