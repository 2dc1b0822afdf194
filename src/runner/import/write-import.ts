/**
 * Carrying out an import plan that has no problem: the files first (each written atomically; a
 * second run finds them identical), then every ledger row in ONE transaction, then the seals,
 * and last, with `--move`, the removal of their files — so a failure at any step leaves their
 * folder as it was and a re-run finishes the job.
 */
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { failedError } from '../../core/errors.js';
import type { ImportPlan } from '../../core/import/import-plan.js';
import type { ResolvedConfig } from '../../config/load-config.js';
import type { Database } from '../../db/database.js';
import { ensureLedger, insertLedgerRowSql } from '../../db/ledger.js';
import { qualifiedTable } from '../../core/sql-quote.js';
import type { EventSink } from '../events.js';
import { asDatabaseError } from '../failure.js';
import { addSeals } from '../seal-store.js';

function writeBytesAtomically(file: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean
    }
    throw error;
  }
}

export function writeImportedFiles(config: ResolvedConfig, plan: ImportPlan): string[] {
  const written: string[] = [];
  for (const p of plan.migrations) {
    if (p.file === 'write') {
      writeBytesAtomically(path.join(config.migrationsDir, p.migration.file), p.migration.content);
      written.push(p.migration.file);
    }
    if (p.rollback === 'write') writeBytesAtomically(path.join(config.rollbacksDir, p.migration.file), p.migration.rollback!);
  }
  return written;
}

export const IMPORT_APPLIED_BY = 'import';

export async function recordImported(db: Database, config: ResolvedConfig, plan: ImportPlan, tool: string, emit: EventSink): Promise<string[]> {
  const record = plan.migrations.filter((p) => p.ledger === 'record');
  if (record.length === 0) return [];
  const report = await ensureLedger(db, config.table);
  if (report.created || report.adopted) emit({ type: 'ledger', table: qualifiedTable(config.table), created: report.created, adopted: report.adopted, changes: report.changes });
  const statements = record.map((p) => insertLedgerRowSql(config.table, {
    version: p.migration.version, name: p.migration.stem, checksum: p.migration.checksum, status: 'applied',
    appliedBy: `${IMPORT_APPLIED_BY} (${tool})`, ...(p.appliedAt === undefined ? {} : { appliedAt: p.appliedAt }),
  }));
  try {
    await db.transaction(async (tx) => {
      for (const sql of statements) await tx.exec(sql);
    });
  } catch (e) {
    const error = asDatabaseError(e);
    if (error.code === '23505') {
      throw failedError('import stopped: another runner recorded one of these migrations meanwhile; the files are written, nothing was recorded', 'Run `archon-migrate status`, then the same import again.');
    }
    throw error;
  }
  return record.map((p) => p.migration.stem);
}

export async function sealImported(config: ResolvedConfig, plan: ImportPlan): Promise<string[]> {
  const seals = plan.migrations.filter((p) => p.seal === 'add').map((p) => ({ file: p.migration.file, checksum: p.migration.checksum }));
  return (await addSeals(config, seals)).map((s) => s.file);
}

/** `--move`: their files go once ours are written, recorded and sealed. */
export function removeTheirFiles(theirDir: string, plan: ImportPlan): string[] {
  for (const file of plan.remove) unlinkSync(path.join(theirDir, file));
  return plan.remove;
}
