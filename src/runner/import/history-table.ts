/**
 * Their history table: whether it exists, which columns it has, and the check that it has the
 * shape their tool gives it (so that `--from dbmate` never reads golang-migrate's table).
 */
import { parseTableName, qualifiedTable, quoteLiteral, type TableName } from '../../core/sql-quote.js';
import type { Queryable } from '../../db/database.js';

export interface HistoryTable {
  name: TableName;
  /** as shown and as used in SQL: quoted, schema-qualified when given */
  sql: string;
  /** undefined when the table does not exist */
  columns?: string[];
}

export async function describeHistoryTable(db: Queryable, table: string): Promise<HistoryTable> {
  const name = parseTableName(table);
  const schema = name.schema === undefined ? 'current_schema()' : quoteLiteral(name.schema);
  const rows = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = ${quoteLiteral(name.name)} ORDER BY ordinal_position`,
  );
  const found = rows.map((r) => r.column_name);
  return { name, sql: qualifiedTable(name), ...(found.length === 0 ? {} : { columns: found }) };
}

export function historyShapeMessage(table: string, tool: string, missing: readonly string[]): string {
  return `table ${table} is not ${tool}'s history table (it has no column ${missing.join(', ')}); pass --table with the table ${tool} writes, or check --from`;
}

export function golangMigrateTableMessage(table: string): string {
  return `table ${table} has golang-migrate's shape (version, dirty), not dbmate's; import it with --from golang-migrate`;
}

/** The problem when `columns` lacks one of `required`, else undefined. */
export function shapeProblem(table: HistoryTable, tool: string, required: readonly string[]): string | undefined {
  const missing = required.filter((c) => !table.columns!.includes(c));
  return missing.length === 0 ? undefined : historyShapeMessage(table.sql, tool, missing);
}

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d;
}
