/**
 * `status`: every migration known to the files, the lockfile or the ledger, with its state, its
 * seal and when it was applied, and summary counts. Reads only: a missing ledger table means
 * nothing is applied yet; an Archon table is shown as it is, before adoption.
 */
import { computeStatus, type StatusReport } from '../core/plan.js';
import { lockfileDisplay, tableName, type RunnerOptions } from './context.js';
import { peekLedger } from './ledger-view.js';
import { validateProject } from './migration-files.js';

export interface StatusResult extends StatusReport {
  database: string;
  ledger: { table: string; exists: boolean; missingColumns: string[] };
  lockfile: { path: string; exists: boolean };
  warnings: string[];
}

export async function status(options: RunnerOptions): Promise<StatusResult> {
  const { config, db } = options;
  const { migrations: files, seals, lockfileExists } = options.project ?? await validateProject(config);
  const release = await db.lock();
  try {
    const ledger = await peekLedger(db, config.table);
    const report = computeStatus(files, seals, ledger.rows);
    const warnings: string[] = [];
    const pending = new Set(report.rows.filter((r) => r.state === 'pending').map((r) => r.migration));
    for (const f of files) {
      if (pending.has(f.name.stem) && f.problem) warnings.push(`${f.displayPath}:${f.problem.line}: ${f.problem.message}; up will refuse it`);
    }
    if (ledger.missingColumns.length > 0) {
      warnings.push(`the ledger table ${tableName(options)} has the Archon shape; the next up adopts it (adds ${ledger.missingColumns.join(', ')})`);
    }
    return {
      ...report,
      database: db.description,
      ledger: { table: tableName(options), exists: ledger.exists, missingColumns: ledger.missingColumns },
      lockfile: { path: lockfileDisplay(options), exists: lockfileExists },
      warnings,
    };
  } finally {
    await release();
  }
}
