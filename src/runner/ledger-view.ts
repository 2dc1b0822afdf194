/**
 * Reading the ledger without changing anything (for `status` and `up --dry-run`): a missing
 * table means "nothing applied", and an Archon-shaped table that has not been adopted yet is read
 * with defaults for the columns it lacks (status applied, no execution time, no runner).
 */
import { qualifiedTable, quoteIdent, type TableName } from '../core/sql-quote.js';
import type { Queryable } from '../db/database.js';
import { CHECKSUM_WIDTH, describeLedgerTable, LEDGER_COLUMNS, readLedger, type LedgerRow, type LedgerStatus } from '../db/ledger.js';

export interface LedgerSnapshot {
  exists: boolean;
  /** columns ensureLedger would add (an Archon table before adoption); empty when none */
  missingColumns: string[];
  /** the table exists in the shape ensureLedger makes: it would change nothing */
  ready: boolean;
  rows: LedgerRow[];
}

export async function peekLedger(db: Queryable, table: TableName): Promise<LedgerSnapshot> {
  const columns = await describeLedgerTable(db, table);
  if (columns === undefined) return { exists: false, missingColumns: [], ready: false, rows: [] };
  const have = new Set(columns.map((c) => c.name));
  const missingColumns = LEDGER_COLUMNS.map((c) => c.name).filter((n) => n !== 'id' && !have.has(n));
  if (missingColumns.length === 0) {
    const checksumWidth = columns.find((c) => c.name === 'checksum')?.maxLength ?? null;
    const ready = checksumWidth === null || checksumWidth >= CHECKSUM_WIDTH;
    return { exists: true, missingColumns, ready, rows: await readLedger(db, table) };
  }
  const pick = (name: string, fallback: string) => (have.has(name) ? quoteIdent(name) : `${fallback} AS ${quoteIdent(name)}`);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${quoteIdent('version')}, ${quoteIdent('migration_name')}, ${pick('checksum', 'NULL')}, ${pick('applied_at', 'NULL')}, `
    + `${pick('execution_ms', 'NULL')}, ${pick('status', "'applied'")}, ${pick('applied_by', 'NULL')} FROM ${qualifiedTable(table)}`,
  );
  return {
    exists: true,
    missingColumns,
    ready: false,
    rows: rows.map((r) => ({
      version: String(r.version),
      name: String(r.migration_name),
      checksum: r.checksum === null || r.checksum === undefined ? null : String(r.checksum),
      appliedAt: r.applied_at instanceof Date ? r.applied_at : new Date(String(r.applied_at ?? 0)),
      executionMs: r.execution_ms === null || r.execution_ms === undefined ? null : Number(r.execution_ms),
      status: String(r.status ?? 'applied') as LedgerStatus,
      appliedBy: r.applied_by === null || r.applied_by === undefined ? null : String(r.applied_by),
    })),
  };
}
