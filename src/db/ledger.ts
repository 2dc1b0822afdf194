/**
 * The ledger table (DESIGN §4): SQL as pure string builders (identifiers always quoted, values as
 * literals, because the runner sends them inside one simple-query message) and a few functions
 * over Queryable that work on pg, PGlite and pg-mem alike.
 */
import { failedError, usageError } from '../core/errors.js';
import { qualifiedTable, quoteIdent, quoteLiteral, type TableName } from '../core/sql-quote.js';
import { DatabaseError, type Database, type Queryable } from './database.js';
import { ENSURE_SUPABASE_HISTORY_SQL, keepsSupabaseHistory, supabaseDeleteSql, supabaseInsertSql } from './supabase-history.js';

export type LedgerStatus = 'applied' | 'failed' | 'running';
export const LEDGER_STATUSES: readonly LedgerStatus[] = ['applied', 'failed', 'running'];

export interface LedgerRow {
  version: string;
  /** migration_name: the file name without `.sql`. */
  name: string;
  checksum: string | null;
  appliedAt: Date;
  executionMs: number | null;
  status: LedgerStatus;
  appliedBy: string | null;
  /** set by the runner: a 'running' row whose runner is gone */
  runnerGone?: boolean;
}

export interface LedgerKey {
  version: string;
  name: string;
}

/** Width of the checksum column: "sha256:" + 64 hex = 71, with room. */
export const CHECKSUM_WIDTH = 80;

interface ColumnSpec {
  name: string;
  /** Definition used by CREATE TABLE and by ADD COLUMN when adopting. */
  definition: string;
}

/** The canonical columns, in table order. `id` is only created, never added to an adopted table. */
export const LEDGER_COLUMNS: readonly ColumnSpec[] = [
  { name: 'id', definition: 'uuid PRIMARY KEY DEFAULT gen_random_uuid()' },
  { name: 'version', definition: 'varchar(20) NOT NULL' },
  { name: 'migration_name', definition: 'varchar(255) NOT NULL' },
  { name: 'applied_at', definition: 'timestamptz NOT NULL DEFAULT now()' },
  { name: 'checksum', definition: `varchar(${CHECKSUM_WIDTH})` },
  { name: 'execution_ms', definition: 'integer' },
  { name: 'status', definition: "varchar(16) NOT NULL DEFAULT 'applied'" },
  { name: 'applied_by', definition: 'varchar(255)' },
];

const REQUIRED_TO_ADOPT = ['version', 'migration_name'];
const ADDABLE = LEDGER_COLUMNS.filter((c) => c.name !== 'id' && !REQUIRED_TO_ADOPT.includes(c.name));

export function createSchemaSql(table: TableName): string | undefined {
  return table.schema === undefined ? undefined : `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`;
}

export function createLedgerSql(table: TableName): string {
  const columns = LEDGER_COLUMNS.map((c) => `  ${quoteIdent(c.name)} ${c.definition}`);
  return `CREATE TABLE ${qualifiedTable(table)} (\n${columns.join(',\n')},\n  UNIQUE (${quoteIdent('version')}, ${quoteIdent('migration_name')})\n)`;
}

export function selectLedgerSql(table: TableName): string {
  const cols = ['version', 'migration_name', 'checksum', 'applied_at', 'execution_ms', 'status', 'applied_by'].map(quoteIdent).join(', ');
  return `SELECT ${cols} FROM ${qualifiedTable(table)} ORDER BY ${quoteIdent('applied_at')}, ${quoteIdent('version')}, ${quoteIdent('migration_name')}`;
}

function literalOrNull(value: string | null | undefined): string {
  return value === null || value === undefined ? 'NULL' : quoteLiteral(value);
}

function integerLiteral(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647) throw usageError(`execution time ${value} is not a valid integer of milliseconds`);
  return String(value);
}

function statusLiteral(status: LedgerStatus): string {
  if (!LEDGER_STATUSES.includes(status)) throw usageError(`invalid ledger status ${JSON.stringify(status)}`);
  return quoteLiteral(status);
}

function timestampLiteral(value: Date): string {
  if (Number.isNaN(value.getTime())) throw usageError('invalid applied_at date');
  return `${quoteLiteral(value.toISOString())}::timestamptz`;
}

export interface LedgerInsert extends LedgerKey {
  checksum: string | null;
  status?: LedgerStatus;
  appliedBy?: string | null;
  executionMs?: number | null;
  /** Default: now() (the transaction's start). */
  appliedAt?: Date;
  /** the migration's SQL: its statements go to Supabase's history (config supabaseHistory) */
  sql?: string;
}

/** INSERT of one ledger row as literal SQL (no trailing semicolon). */
export function insertLedgerRowSql(table: TableName, row: LedgerInsert): string {
  const columns = ['version', 'migration_name', 'checksum', 'status', 'applied_by', 'execution_ms'];
  const values = [
    quoteLiteral(row.version),
    quoteLiteral(row.name),
    literalOrNull(row.checksum),
    statusLiteral(row.status ?? 'applied'),
    literalOrNull(row.appliedBy),
    row.executionMs === undefined || row.executionMs === null ? 'NULL' : integerLiteral(row.executionMs),
  ];
  if (row.appliedAt !== undefined) {
    columns.push('applied_at');
    values.push(timestampLiteral(row.appliedAt));
  }
  const insert = `INSERT INTO ${qualifiedTable(table)} (${columns.map(quoteIdent).join(', ')}) VALUES (${values.join(', ')})`;
  return keepsSupabaseHistory(table) && (row.status ?? 'applied') === 'applied' ? `${insert};\n${supabaseInsertSql(row, row.sql)}` : insert;
}

/**
 * `'elapsed'` sets execution_ms to the time since applied_at (= the transaction's start) when the
 * statement runs: use it as the last statement of a migration's message. Not on pg-mem (it has no
 * timestamptz arithmetic): give a number there.
 */
export const ELAPSED_MS_SQL = `(extract(epoch from (clock_timestamp() - ${quoteIdent('applied_at')})) * 1000)::integer`;

export interface LedgerUpdate {
  checksum?: string | null;
  status?: LedgerStatus;
  appliedBy?: string | null;
  executionMs?: number | null | 'elapsed';
  appliedAt?: Date | 'now';
  /** with status 'applied': the migration's SQL, for Supabase's history (config supabaseHistory) */
  sql?: string;
}

function whereKey(key: LedgerKey): string {
  return `${quoteIdent('version')} = ${quoteLiteral(key.version)} AND ${quoteIdent('migration_name')} = ${quoteLiteral(key.name)}`;
}

/** UPDATE of one row by (version, migration_name) as literal SQL. */
export function updateLedgerRowSql(table: TableName, key: LedgerKey, set: LedgerUpdate): string {
  const assignments: string[] = [];
  if (set.checksum !== undefined) assignments.push(`${quoteIdent('checksum')} = ${literalOrNull(set.checksum)}`);
  if (set.status !== undefined) assignments.push(`${quoteIdent('status')} = ${statusLiteral(set.status)}`);
  if (set.appliedBy !== undefined) assignments.push(`${quoteIdent('applied_by')} = ${literalOrNull(set.appliedBy)}`);
  if (set.executionMs !== undefined) {
    const value = set.executionMs === null ? 'NULL' : set.executionMs === 'elapsed' ? ELAPSED_MS_SQL : integerLiteral(set.executionMs);
    assignments.push(`${quoteIdent('execution_ms')} = ${value}`);
  }
  if (set.appliedAt !== undefined) {
    assignments.push(`${quoteIdent('applied_at')} = ${set.appliedAt === 'now' ? 'now()' : timestampLiteral(set.appliedAt)}`);
  }
  if (assignments.length === 0) throw usageError('updateLedgerRowSql: nothing to update');
  const update = `UPDATE ${qualifiedTable(table)} SET ${assignments.join(', ')} WHERE ${whereKey(key)}`;
  return keepsSupabaseHistory(table) && set.status === 'applied' ? `${update};\n${supabaseInsertSql(key, set.sql)}` : update;
}

/**
 * A statement that fails with division by zero (22012) unless `migration` is applied: what `up`
 * checks right after writing the next migration's row, so that a concurrent `down` that removed
 * it (under its table lock) can never leave a hole. No plpgsql needed; the count is not a
 * constant, so the planner cannot fold the division away.
 */
export function predecessorCheckSql(table: TableName, migration: string): string {
  return `SELECT 1 / (SELECT count(*)::int FROM ${qualifiedTable(table)} WHERE ${quoteIdent('migration_name')} = ${quoteLiteral(migration)} AND ${quoteIdent('status')} = 'applied') AS ${quoteIdent('archon_predecessor_applied')}`;
}

export function deleteLedgerRowSql(table: TableName, key: LedgerKey): string {
  const del = `DELETE FROM ${qualifiedTable(table)} WHERE ${whereKey(key)}`;
  return keepsSupabaseHistory(table) ? `${del};\n${supabaseDeleteSql(key)}` : del;
}

export interface LedgerReport {
  table: TableName;
  /** The table did not exist and was created. */
  created: boolean;
  /** An existing table (Archon's shape or an older one) was altered to the canonical shape. */
  adopted: boolean;
  /** Human-readable changes, e.g. "added column execution_ms integer". Empty when nothing changed. */
  changes: string[];
}

interface ColumnInfo {
  name: string;
  /** character_maximum_length when the backend reports it. */
  maxLength: number | null;
}

function isUndefinedTable(error: unknown): boolean {
  return error instanceof DatabaseError && error.code === '42P01';
}

function isUndefinedColumn(error: unknown): boolean {
  return error instanceof DatabaseError && error.code === '42703';
}

/**
 * Columns of `table`, or undefined when it does not exist. Uses information_schema where it works
 * (pg, PGlite) and, where it does not (pg-mem ignores the schema and loses varchar lengths),
 * probes the table and each known column with `SELECT … WHERE false`.
 */
export async function describeLedgerTable(db: Queryable, table: TableName): Promise<ColumnInfo[] | undefined> {
  const schemaExpr = table.schema === undefined ? 'current_schema()' : quoteLiteral(table.schema);
  const rows = await db.query<{ column_name: string; character_maximum_length: number | string | null }>(
    `SELECT column_name, character_maximum_length FROM information_schema.columns WHERE table_schema = ${schemaExpr} AND table_name = ${quoteLiteral(table.name)}`,
  );
  if (rows.length > 0) {
    return rows.map((r) => ({
      name: r.column_name,
      maxLength: r.character_maximum_length === null || r.character_maximum_length === undefined ? null : Number(r.character_maximum_length),
    }));
  }
  try {
    await db.query(`SELECT 1 FROM ${qualifiedTable(table)} WHERE false`);
  } catch (error) {
    if (isUndefinedTable(error) || (error instanceof DatabaseError && error.code === '3F000')) return undefined;
    throw error;
  }
  const columns: ColumnInfo[] = [];
  for (const column of LEDGER_COLUMNS) {
    try {
      await db.query(`SELECT ${quoteIdent(column.name)} FROM ${qualifiedTable(table)} WHERE false`);
      columns.push({ name: column.name, maxLength: null });
    } catch (error) {
      if (!isUndefinedColumn(error)) throw error;
    }
  }
  return columns;
}

async function schemaExists(db: Queryable, schema: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 AS found FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(schema)}`);
  return rows.length > 0;
}

async function runScript(db: Queryable, statements: string[]): Promise<void> {
  try {
    await db.exec(`BEGIN;\n${statements.map((s) => `${s};\n`).join('')}COMMIT;`);
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Makes sure the ledger exists in the canonical shape: creates it (and its schema) when missing;
 * adopts an existing Archon-shaped table by widening `checksum` and adding the missing columns in
 * ONE transaction, keeping every row. Returns what changed. Idempotent.
 */
export async function ensureLedger(db: Database, table: TableName): Promise<LedgerReport> {
  const report: LedgerReport = { table, created: false, adopted: false, changes: [] };
  if (keepsSupabaseHistory(table)) await db.exec(ENSURE_SUPABASE_HISTORY_SQL);
  let columns = await describeLedgerTable(db, table);
  if (columns === undefined) {
    const statements: string[] = [];
    if (table.schema !== undefined && !(await schemaExists(db, table.schema))) statements.push(createSchemaSql(table)!);
    statements.push(createLedgerSql(table));
    try {
      await runScript(db, statements);
      report.created = true;
      report.changes.push(`created table ${qualifiedTable(table)}`);
      return report;
    } catch (error) {
      // Another runner may have created it at the same moment: use theirs.
      columns = await describeLedgerTable(db, table).catch(() => undefined);
      if (columns === undefined) throw error;
    }
  }

  const plan = adoptionPlan(table, columns);
  if (plan.alters.length === 0) return report;
  if (!db.capabilities.exclusive) {
    // Several runners may adopt at once: the first takes the table, the others find it adopted.
    const done = await db.transaction(async (tx) => {
      await tx.exec(`LOCK TABLE ${qualifiedTable(table)} IN ACCESS EXCLUSIVE MODE`);
      const now = adoptionPlan(table, (await describeLedgerTable(tx, table)) ?? []);
      if (now.alters.length > 0) await tx.exec(now.alters.map((a) => `${a};`).join('\n'));
      return now;
    });
    return { ...report, adopted: done.alters.length > 0, changes: done.changes };
  }
  await runScript(db, plan.alters);
  return { ...report, adopted: true, changes: plan.changes };
}

/** The ALTERs that bring an existing table to the canonical shape, and their descriptions. */
function adoptionPlan(table: TableName, columns: readonly ColumnInfo[]): { alters: string[]; changes: string[] } {
  const have = new Map(columns.map((c) => [c.name, c]));
  const missingRequired = REQUIRED_TO_ADOPT.filter((name) => !have.has(name));
  if (missingRequired.length > 0) {
    throw usageError(
      `table ${qualifiedTable(table)} exists but is not a migration ledger (it has no column ${missingRequired.join(', ')})`,
      'Configure another `table` for archon-migrate, or rename the existing table.',
    );
  }
  const alters: string[] = [];
  const changes: string[] = [];
  const target = qualifiedTable(table);
  const checksum = have.get('checksum');
  const missing = ADDABLE.filter((c) => !have.has(c.name));
  const checksumTooNarrow = checksum !== undefined && checksum.maxLength !== null && checksum.maxLength < CHECKSUM_WIDTH;
  // pg-mem reports no lengths: widen as part of an adoption that happens anyway.
  const checksumUnknown = checksum !== undefined && checksum.maxLength === null && missing.length > 0;
  if (checksumTooNarrow || checksumUnknown) {
    alters.push(`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent('checksum')} TYPE varchar(${CHECKSUM_WIDTH})`);
    changes.push(`widened column checksum from ${checksum.maxLength === null ? 'its type' : `varchar(${checksum.maxLength})`} to varchar(${CHECKSUM_WIDTH})`);
  }
  for (const column of missing) {
    alters.push(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(column.name)} ${column.definition}`);
    changes.push(`added column ${column.name} ${column.definition}`);
  }
  return { alters, changes };
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(String(value));
}

function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** All ledger rows, oldest first. Throws an ArchonError for a status the tool does not know. */
export async function readLedger(db: Queryable, table: TableName): Promise<LedgerRow[]> {
  const rows = await db.query<Record<string, unknown>>(selectLedgerSql(table));
  return rows.map((r) => {
    const status = String(r.status ?? 'applied') as LedgerStatus;
    if (!LEDGER_STATUSES.includes(status)) {
      throw failedError(`ledger ${qualifiedTable(table)} has migration ${String(r.migration_name)} with unknown status ${JSON.stringify(status)}`,
        `Set its status to one of ${LEDGER_STATUSES.join(', ')}, or run \`archon-migrate repair\`.`);
    }
    return {
      version: String(r.version),
      name: String(r.migration_name),
      checksum: r.checksum === null || r.checksum === undefined ? null : String(r.checksum),
      appliedAt: toDate(r.applied_at),
      executionMs: toNullableNumber(r.execution_ms),
      status,
      appliedBy: r.applied_by === null || r.applied_by === undefined ? null : String(r.applied_by),
    };
  });
}

/** Run one builder's SQL. */
export async function insertLedgerRow(db: Queryable, table: TableName, row: LedgerInsert): Promise<void> {
  await db.exec(insertLedgerRowSql(table, row));
}

export async function updateLedgerRow(db: Queryable, table: TableName, key: LedgerKey, set: LedgerUpdate): Promise<void> {
  await db.exec(updateLedgerRowSql(table, key, set));
}

export async function deleteLedgerRow(db: Queryable, table: TableName, key: LedgerKey): Promise<void> {
  await db.exec(deleteLedgerRowSql(table, key));
}
