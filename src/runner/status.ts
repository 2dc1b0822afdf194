/**
 * `status`: every migration known to the files, the lockfile or the ledger, with its state, its
 * seal and when it was applied, and summary counts. Reads only: a missing ledger table means
 * nothing is applied yet; an Archon table is shown as it is, before adoption. A 'running' row
 * whose runner is gone is shown as failed. `refusals` says what would make `up` refuse, so that
 * `status` exits 1 exactly when `up` would not run.
 */
import { EMPTY_HINT, formatSourceProblem } from '../core/migration-source.js';
import { blockerHints, planUp, type StatusReport } from '../core/plan.js';
import { applyContext, lockfileDisplay, tableName, type RunnerOptions } from './context.js';
import { peekLedger } from './ledger-view.js';
import { validateProject } from './migration-files.js';
import { withGoneRunners } from './runner-liveness.js';
import { detectVersioning, misnumbered } from '../core/versioning.js';

export interface StatusResult extends StatusReport {
  database: string;
  ledger: { table: string; exists: boolean; missingColumns: string[] };
  lockfile: { path: string; exists: boolean };
  warnings: string[];
  /** why `up` would refuse to run now (empty when it would run): drift, failed rows, files it cannot run… */
  refusals: { message: string; hint: string }[];
}

export async function status(options: RunnerOptions): Promise<StatusResult> {
  const { config, db } = options;
  const { migrations: files, seals, lockfileExists } = options.project ?? await validateProject(config);
  const release = await db.lock();
  try {
    const ctx = await applyContext(options);
    const ledger = await peekLedger(db, ctx.table);
    const rows = await withGoneRunners(db, ledger.rows);
    // The plan holds the status report too: one pass over files, seals and rows.
    const plan = planUp(files, seals, rows, { allowOutOfOrder: config.allowOutOfOrder, lockfilePath: lockfileDisplay(options) });
    const report = plan.status;
    const warnings: string[] = [];
    const blockers = plan.blockers.filter((b) => b.kind !== 'running');
    const refusals = blockers.map((b) => ({ message: b.message, hint: blockerHints([b])[0] ?? '' }));
    const pending = new Set(report.rows.filter((r) => r.state === 'pending').map((r) => r.migration));
    for (const f of files) {
      if (!pending.has(f.name.stem)) continue;
      if (f.empty) refusals.push({ message: `${f.displayPath} is empty (only whitespace and comments)`, hint: EMPTY_HINT });
      else if (f.problem) refusals.push({ message: formatSourceProblem(f.displayPath, f.problem), hint: f.problem.hint });
    }
    const versions = files.map((f) => f.name.version);
    const wrong = misnumbered(files.map((f) => ({ file: f.displayPath, version: f.name.version, name: f.name.name })), config.versioning ?? detectVersioning(versions));
    warnings.push(...wrong.map((w) => w.message));
    if (ledger.missingColumns.length > 0) {
      warnings.push(`the ledger table ${tableName(options)} has the Archon shape; the next up adopts it (adds ${ledger.missingColumns.join(', ')})`);
    }
    return {
      ...report,
      database: db.description,
      ledger: { table: tableName(options), exists: ledger.exists, missingColumns: ledger.missingColumns },
      lockfile: { path: lockfileDisplay(options), exists: lockfileExists },
      warnings,
      refusals,
    };
  } finally {
    await release();
  }
}
