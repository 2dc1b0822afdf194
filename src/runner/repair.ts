/**
 * `repair [NAME]`: the explicit, recorded resolution of what makes `up` refuse.
 *
 * - failed or running row → deleted, so `up` runs the migration again (default), or marked
 *   applied with the file's checksum (`applied: true`, after fixing the database by hand);
 * - drift (the file changed after it was applied) → the recorded checksum becomes the file's;
 * - an adopted Archon row without our checksum → filled with the file's.
 *
 * Without a name every repairable migration is repaired. All changes commit in one transaction.
 */
import { computeStatus, isVerifiedChecksum, planRepair, type RepairAction } from '../core/plan.js';
import { deleteLedgerRowSql, ensureLedger, readLedger, updateLedgerRowSql, type LedgerRow } from '../db/ledger.js';
import { failedError } from '../core/errors.js';
import { liveRunner, withGoneRunners } from './runner-liveness.js';
import { applyContext, lockfileDisplay, tableName, type RunnerOptions } from './context.js';
import { loadMigrations, readSeals } from './migration-files.js';
import { addSeals } from './seal-store.js';

export interface RepairOptions extends RunnerOptions {
  /** migration name, file name or version; every repairable migration when absent */
  name?: string;
  /** mark failed/running migrations applied instead of deleting their rows */
  applied?: boolean;
}

export interface RepairedMigration {
  action: RepairAction;
  /** one line: what was done */
  description: string;
}

export interface RepairResult {
  database: string;
  table: string;
  repaired: RepairedMigration[];
  /** files newly sealed (migrations marked applied) */
  sealed: string[];
  warnings: string[];
}

export function describeRepair(a: RepairAction): string {
  switch (a.kind) {
    case 'delete-failed': {
      const who = [a.appliedBy ? `runner ${a.appliedBy}` : '', a.since ? `since ${a.since}` : ''].filter((x) => x !== '').join(', ');
      return `${a.migration}: deleted its ${a.state} record${who ? ` (${who})` : ''}; \`up\` will run it again`;
    }
    case 'mark-applied':
      return `${a.migration}: marked applied (was ${a.state})${a.checksum ? ` with checksum ${a.checksum}` : ''}`;
    case 'accept-checksum':
      return `${a.migration}: recorded checksum changed from ${a.recorded} to ${a.current} (the file was edited after it was applied)`;
    case 'fill-checksum':
      return `${a.migration}: recorded checksum filled with ${a.checksum} (the adopted row had none)`;
  }
}

function statementsFor(table: RunnerOptions['config']['table'], a: RepairAction, rows: readonly LedgerRow[]): string[] {
  const mine = rows.filter((r) => r.name === a.migration);
  const key = (r: LedgerRow) => ({ version: r.version, name: r.name });
  switch (a.kind) {
    case 'delete-failed':
      return mine.filter((r) => r.status !== 'applied').map((r) => deleteLedgerRowSql(table, key(r)));
    case 'mark-applied':
      return mine.filter((r) => r.status !== 'applied').map((r) => updateLedgerRowSql(table, key(r), {
        status: 'applied', ...(a.checksum === null ? {} : { checksum: a.checksum }),
      }));
    case 'accept-checksum':
      return mine.filter((r) => r.status === 'applied' && r.checksum === a.recorded).map((r) => updateLedgerRowSql(table, key(r), { checksum: a.current }));
    case 'fill-checksum':
      return mine.filter((r) => !isVerifiedChecksum(r.checksum)).map((r) => updateLedgerRowSql(table, key(r), { checksum: a.checksum }));
  }
}

export async function repair(options: RepairOptions): Promise<RepairResult> {
  const { config, db } = options;
  const files = await loadMigrations(config);
  const { seals } = await readSeals(config);
  const release = await db.lock();
  try {
    const ctx = await applyContext(options);
    const emit = ctx.onEvent;
    const report = await ensureLedger(db, ctx.table);
    if (report.created || report.adopted) emit({ type: 'ledger', table: tableName(options), created: report.created, adopted: report.adopted, changes: report.changes });
    const rows = await withGoneRunners(db, await readLedger(db, ctx.table));
    const status = computeStatus(files, seals, rows);
    const actions = planRepair(status, {
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.applied ? { applied: true } : {}),
    });
    const result: RepairResult = { database: db.description, table: tableName(options), repaired: [], sealed: [], warnings: [] };
    if (actions.length === 0) return result;
    for (const a of actions) {
      if ((a.kind === 'delete-failed' || a.kind === 'mark-applied') && a.state === 'running') {
        const live = await liveRunner(db, { appliedBy: a.appliedBy, migration: a.migration });
        if (live !== null) {
          throw failedError(`${a.migration} is still being applied by ${live}; nothing repaired`,
            'Wait for it to finish; repair is for a runner that crashed.');
        }
      }
    }
    const statements = actions.flatMap((a) => statementsFor(ctx.table, a, rows));
    if (statements.length > 0) {
      await db.transaction(async (tx) => {
        for (const sql of statements) await tx.exec(sql);
      });
    }
    result.repaired = actions.map((action) => ({ action, description: describeRepair(action) }));

    const sealByFile = new Map(seals.map((s) => [s.file, s.checksum]));
    const toSeal: { file: string; checksum: string }[] = [];
    for (const a of actions) {
      const file = files.find((f) => f.name.stem === a.migration);
      if (!file) continue;
      const sealed = sealByFile.get(file.name.file);
      if (a.kind === 'mark-applied' && sealed === undefined) toSeal.push({ file: file.name.file, checksum: file.checksum });
      if ((a.kind === 'accept-checksum' || a.kind === 'mark-applied') && sealed !== undefined && sealed !== file.checksum) {
        result.warnings.push(`${lockfileDisplay(options)} still seals ${file.name.file} with ${sealed}; a sealed line is never rewritten, so \`archon-migrate lock --check\` will report the edit`);
      }
    }
    const added = await addSeals(config, toSeal);
    for (const s of added) {
      result.sealed.push(s.file);
      emit({ type: 'sealed', file: s.file, lockfile: lockfileDisplay(options) });
    }
    return result;
  } finally {
    await release();
  }
}
