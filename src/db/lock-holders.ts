/**
 * After a lock timeout: which other sessions hold locks on the database's own tables, oldest
 * transaction first — what a user needs to find the session that blocked a migration. (The
 * waiting itself is over, so pg_blocking_pids() no longer answers; the holders usually still
 * hold their locks.)
 */
import type { Queryable } from './database.js';

const LOCK_HOLDERS_SQL = `SELECT a.pid, a.usename AS "user", a.state, a.xact_start AS since, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120) AS query,
  string_agg(DISTINCT n.nspname || '.' || c.relname || ' (' || l.mode || ')', ', ') AS locks
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
JOIN pg_catalog.pg_class c ON c.oid = l.relation
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE l.granted AND l.locktype = 'relation' AND a.pid <> pg_catalog.pg_backend_pid()
  AND a.datname = pg_catalog.current_database() AND a.xact_start IS NOT NULL
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
GROUP BY a.pid, a.usename, a.state, a.xact_start, a.query
ORDER BY a.xact_start
LIMIT 3`;

/** "backend 4242 (user app, idle in transaction since …, holds public.pages (AccessShareLock)): SELECT …"; null when none is visible. */
export async function describeLockHolders(db: Queryable): Promise<string | null> {
  try {
    const rows = await db.query<{ pid: number; user: string | null; state: string | null; since: Date | null; query: string | null; locks: string }>(LOCK_HOLDERS_SQL);
    if (rows.length === 0) return null;
    return rows.map((r) => {
      const since = r.since ? ` since ${new Date(r.since).toISOString()}` : '';
      return `backend ${r.pid} (user ${r.user ?? 'unknown'}, ${r.state ?? 'unknown state'}${since}, holds ${r.locks}): ${r.query ?? ''}`.trim();
    }).join('; ');
  } catch {
    return null;
  }
}
