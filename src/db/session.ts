/**
 * Session state a migration body may change — `SET search_path`, `set_config(…, false)` (the
 * first line of every pg_dump file), `SET ROLE` — must never break the bookkeeping, nor leak
 * into the next migration of the run (psql runs each file in a fresh session). So, once per run:
 * the ledger's schema is resolved (every statement the tool sends names it), and the session's
 * own settings are captured, to be restored after each migration body.
 */
import { failedError } from '../core/errors.js';
import { quoteIdent, quoteLiteral, type TableName } from '../core/sql-quote.js';
import type { Queryable, Database } from './database.js';

/** The ledger table with its schema: the configured one, or the schema the session creates tables in. */
export async function resolveLedgerTable(db: Queryable, table: TableName): Promise<TableName> {
  if (table.schema !== undefined) return table;
  const [row] = await db.query<{ schema: string | null }>('SELECT pg_catalog.current_schema() AS schema');
  if (!row?.schema) {
    throw failedError(
      `no schema for the ledger table ${quoteIdent(table.name)}: the connection's search_path names no existing schema`,
      "Set `table` in the config to a qualified name (e.g. 'public.archon_migrations'), or fix the role's search_path.",
    );
  }
  return { ...table, schema: row.schema };
}

/**
 * SQL that puts the session back as the run found it: every setting reset, then the ones the
 * session itself had set (pg_settings source 'session') and a role it had switched to, set again.
 * Empty on backends without session settings (pg-mem).
 */
export async function sessionRestoreSql(db: Database): Promise<string> {
  if (!db.capabilities.sessionSettings) return '';
  const settings = await db.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_catalog.pg_settings WHERE source = 'session' ORDER BY name",
  );
  const [who] = await db.query<{ current: string; session: string }>('SELECT current_user AS current, session_user AS session');
  const parts = ['RESET ALL;', 'RESET ROLE;'];
  if (who && who.current !== who.session) parts.push(`SET ROLE ${quoteIdent(who.current)};`);
  if (settings.length > 0) {
    parts.push(`SELECT ${settings.map((s) => `pg_catalog.set_config(${quoteLiteral(s.name)}, ${quoteLiteral(s.setting)}, false)`).join(', ')};`);
  }
  return parts.join('\n');
}
