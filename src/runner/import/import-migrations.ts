/**
 * `import --from TOOL` (DESIGN §9): another tool's folder becomes ours, and — with a database —
 * what its history table records as applied is recorded in our ledger (with our checksums) and
 * sealed, in one transaction; their table is only read. Everything is read and checked first:
 * any problem refuses the import with every problem named, and nothing is written.
 */
import path from 'node:path';
import { failedError, type ArchonError } from '../../core/errors.js';
import type { HistoryVerdict, IgnoredFile, ImportTool } from '../../core/import/converted-migration.js';
import { planImport, type ImportPlan } from '../../core/import/import-plan.js';
import type { ResolvedConfig } from '../../config/load-config.js';
import type { Database } from '../../db/database.js';
import type { LedgerRow } from '../../db/ledger.js';
import type { EventSink } from '../events.js';
import { displayPath, readSeals } from '../migration-files.js';
import { describeHistoryTable, shapeProblem } from './history-table.js';
import type { ImportSource } from './import-source.js';
import { readOurLedger, readOurMigrations, readOurRollbacks } from './our-side.js';
import { readSourceFolder } from './source-folder.js';
import { IMPORT_SOURCES } from './sources.js';
import { recordImported, removeTheirFiles, sealImported, writeImportedFiles } from './write-import.js';

export interface ImportOptions {
  config: ResolvedConfig;
  /** given when a database is configured: their history is read, and recorded in ours */
  db?: Database;
  from: ImportTool;
  /** absolute; default: the tool's usual folder under the project root */
  dir?: string;
  /** their history table; default: the tool's */
  table?: string;
  dryRun?: boolean;
  move?: boolean;
  onEvent?: EventSink;
}

export interface ImportResult {
  ok: boolean;
  tool: ImportTool;
  label: string;
  /** their folder, relative to the project root */
  dir: string;
  dryRun: boolean;
  database: string | null;
  /** null without a database */
  history: { table: string; found: boolean; applied: number } | null;
  plan: ImportPlan;
  ignored: IgnoredFile[];
  written: string[];
  recorded: string[];
  sealed: string[];
  removed: string[];
  error?: ArchonError;
}

async function readHistory(db: Database, source: ImportSource, table: string, read: Parameters<ImportSource['history']>[2], files: Parameters<ImportSource['history']>[3]) {
  const described = await describeHistoryTable(db, table);
  if (described.columns === undefined) return { table: described.sql, found: false, verdict: undefined };
  const shape = shapeProblem(described, source.label, source.columns);
  if (shape !== undefined) return { table: described.sql, found: true, verdict: { applied: new Set<string>(), unknown: [], problems: [shape], appliedAt: new Map() } as HistoryVerdict };
  return { table: described.sql, found: true, verdict: await source.history(db, described, read, files) };
}

export function importRefusedMessage(count: number): string {
  return `import refused, nothing written: ${count === 1 ? 'one problem' : `${count} problems`}`;
}

export async function importMigrations(options: ImportOptions): Promise<ImportResult> {
  const { config, db } = options;
  const source = IMPORT_SOURCES[options.from];
  const theirDir = options.dir ?? path.join(config.root, source.defaultDir);
  const shownDir = displayPath(config, theirDir);
  const files = readSourceFolder(theirDir, shownDir, source.recursive);
  const conversion = source.convert(files);
  const ours = readOurMigrations(config);
  const { seals } = await readSeals(config);
  const release = db === undefined ? undefined : await db.lock();
  try {
    let ledger: LedgerRow[] | undefined;
    let history: Awaited<ReturnType<typeof readHistory>> | undefined;
    if (db !== undefined) {
      history = await readHistory(db, source, options.table ?? source.defaultTable, conversion, files);
      ledger = await readOurLedger(db, config);
    }
    const plan = planImport({
      tool: source.label, theirDir: shownDir, ourDir: displayPath(config, config.migrationsDir), conversion,
      sameFolder: path.resolve(theirDir) === path.resolve(config.migrationsDir), move: options.move === true,
      ours, rollbacks: readOurRollbacks(config, conversion.migrations), seals,
      ...(ledger === undefined ? {} : { ledger }), ...(history?.verdict === undefined ? {} : { history: history.verdict }),
      refVersion: source.refVersion,
    });
    const result: ImportResult = {
      ok: plan.problems.length === 0, tool: source.tool, label: source.label, dir: shownDir, dryRun: options.dryRun === true,
      database: db?.description ?? null,
      history: history === undefined ? null : { table: history.table, found: history.found, applied: plan.migrations.filter((p) => p.applied).length },
      plan, ignored: conversion.ignored, written: [], recorded: [], sealed: [], removed: [],
    };
    if (!result.ok) {
      result.error = failedError(`${importRefusedMessage(plan.problems.length)}\n${plan.problems.map((p) => `  ${p}`).join('\n')}`,
        'Fix each problem above (in their folder, their history table or ours), then run the import again; `--dry-run` shows the plan.');
      return result;
    }
    if (result.dryRun) return result;
    result.written = writeImportedFiles(config, plan);
    if (db !== undefined) result.recorded = await recordImported(db, config, plan, source.tool, options.onEvent ?? (() => {}));
    result.sealed = await sealImported(config, plan);
    if (options.move === true) result.removed = removeTheirFiles(theirDir, plan);
    return result;
  } finally {
    await release?.();
  }
}
