/**
 * `baseline --to VERSION`: adopt an existing database whose schema already matches the
 * migrations up to VERSION. Records them as applied (applied_by 'baseline') without running them,
 * in one transaction, and seals them. Refuses, recording nothing, if one of them is already
 * applied with another checksum, or failed/running.
 */
import { failedError } from '../core/errors.js';
import { isVerifiedChecksum, planBaseline, resolveTargetVersion } from '../core/plan.js';
import { ensureLedger, insertLedgerRowSql, readLedger, updateLedgerRowSql } from '../db/ledger.js';
import { asDatabaseError } from './failure.js';
import { applyContext, lockfileDisplay, tableName, type RunnerOptions } from './context.js';
import { loadMigrations, readSeals } from './migration-files.js';
import { addSeals } from './seal-store.js';

export const BASELINE_APPLIED_BY = 'baseline';

export interface BaselineOptions extends RunnerOptions {
  to: string;
}

export interface BaselineResult {
  database: string;
  table: string;
  /** recorded as applied now */
  recorded: string[];
  /** already applied with the same checksum: left as they were */
  alreadyApplied: string[];
  checksumsFilled: { migration: string; checksum: string }[];
  /** files newly sealed */
  sealed: string[];
}

export async function baseline(options: BaselineOptions): Promise<BaselineResult> {
  const { config, db } = options;
  const files = await loadMigrations(config);
  const { seals } = await readSeals(config);
  const sealByFile = new Map(seals.map((s) => [s.file, s.checksum]));
  resolveTargetVersion(files, options.to); // unknown --to: exit 2 before the ledger is touched
  const release = await db.lock();
  try {
    const ctx = await applyContext(options);
    const emit = ctx.onEvent;
    const report = await ensureLedger(db, ctx.table);
    if (report.created || report.adopted) emit({ type: 'ledger', table: tableName(options), created: report.created, adopted: report.adopted, changes: report.changes });
    const rows = await readLedger(db, ctx.table);
    const plan = planBaseline(files, rows, options.to);
    const covered = files.filter((f) => plan.record.includes(f) || plan.alreadyApplied.includes(f.name.stem));
    const mismatched = covered.filter((f) => sealByFile.has(f.name.file) && sealByFile.get(f.name.file) !== f.checksum);
    if (mismatched.length > 0) {
      throw failedError(
        `baseline refused, nothing recorded: ${mismatched.map((f) => `${f.displayPath} does not match its seal in ${lockfileDisplay(options)} (sealed ${sealByFile.get(f.name.file)}, file ${f.checksum})`).join('; ')}`,
        'A sealed migration is immutable: restore it with `git checkout -- <file>`.',
      );
    }
    const statements = plan.record.map((f) => insertLedgerRowSql(ctx.table, {
      version: f.name.version, name: f.name.stem, checksum: f.checksum, status: 'applied', appliedBy: BASELINE_APPLIED_BY,
    }));
    for (const fill of plan.fillChecksums) {
      for (const row of rows.filter((r) => r.name === fill.migration && !isVerifiedChecksum(r.checksum))) {
        statements.push(updateLedgerRowSql(ctx.table, { version: row.version, name: row.name }, { checksum: fill.checksum }));
      }
    }
    if (statements.length > 0) {
      try {
        await db.transaction(async (tx) => {
          for (const sql of statements) await tx.exec(sql);
        });
      } catch (e) {
        const error = asDatabaseError(e);
        if (error.code === '23505') {
          throw failedError('baseline refused, nothing recorded: another runner recorded one of these migrations meanwhile', 'Run `archon-migrate status`, then `archon-migrate baseline` again.');
        }
        throw error;
      }
    }
    for (const fill of plan.fillChecksums) emit({ type: 'checksum-filled', migration: fill.migration, checksum: fill.checksum });
    const added = await addSeals(config, covered.map((f) => ({ file: f.name.file, checksum: f.checksum })));
    for (const s of added) emit({ type: 'sealed', file: s.file, lockfile: lockfileDisplay(options) });
    return {
      database: db.description,
      table: tableName(options),
      recorded: plan.record.map((f) => f.name.stem),
      alreadyApplied: plan.alreadyApplied,
      checksumsFilled: plan.fillChecksums,
      sealed: added.map((s) => s.file),
    };
  } finally {
    await release();
  }
}
