/**
 * Config `supabaseHistory: true` (DESIGN §9): the ledger's writes also keep the Supabase CLI's
 * `supabase_migrations.schema_migrations(version, name, statements)` current, in the same message
 * (so the same transaction) as the ledger row, so that `supabase migration list` stays true. The
 * flag rides on the ledger table name, so the ledger's SQL builders are the only hook.
 */
import { quoteLiteral, type TableName } from '../core/sql-quote.js';
import { isEmptySql, splitStatements } from '../core/sql-lexer.js';

export interface LedgerTable extends TableName {
  /** also keep supabase_migrations.schema_migrations current */
  supabaseHistory?: boolean;
}

const TABLE = 'supabase_migrations.schema_migrations';

/** What the Supabase CLI itself runs before it writes its history (idempotent). */
export const ENSURE_SUPABASE_HISTORY_SQL = [
  'CREATE SCHEMA IF NOT EXISTS supabase_migrations',
  `CREATE TABLE IF NOT EXISTS ${TABLE} (version text NOT NULL PRIMARY KEY)`,
  `ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS statements text[]`,
  `ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS name text`,
].join(';\n');

export function keepsSupabaseHistory(table: TableName): boolean {
  return (table as LedgerTable).supabaseHistory === true;
}

/** The file's statements as the Supabase CLI stores them: trimmed, without the final `;`. */
export function supabaseStatements(sql: string): string[] {
  return splitStatements(sql).map((s) => s.text.trim().replace(/;$/, '').trim()).filter((s) => s !== '' && !isEmptySql(s));
}

/** `001_add_users` → `add_users` (Supabase keeps the name without its version). */
function supabaseName(version: string, migration: string): string {
  return migration.startsWith(`${version}_`) ? migration.slice(version.length + 1) : migration;
}

export function supabaseInsertSql(key: { version: string; name: string }, sql?: string): string {
  const statements = sql === undefined ? 'NULL' : `ARRAY[${supabaseStatements(sql).map(quoteLiteral).join(', ')}]::text[]`;
  return `INSERT INTO ${TABLE} (version, name, statements) VALUES (${quoteLiteral(key.version)}, ${quoteLiteral(supabaseName(key.version, key.name))}, ${statements}) ON CONFLICT DO NOTHING`;
}

/** Guarded: `down` never creates Supabase's table, and one that is not there has nothing to delete. */
export function supabaseDeleteSql(key: { version: string }): string {
  return `DO $archon$ BEGIN IF to_regclass('${TABLE}') IS NOT NULL THEN DELETE FROM ${TABLE} WHERE version = ${quoteLiteral(key.version)}; END IF; END $archon$`;
}
