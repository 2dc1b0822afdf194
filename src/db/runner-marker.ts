/**
 * The comment every message of a runner starts with: `/* archon-migrate: <host pid> applying
 * <migration> *\/`. PostgreSQL shows it at the start of the session's query in pg_stat_activity,
 * which is how one runner tells who holds a migration, and whether a 'running' row's runner is
 * still alive.
 */

/** A comment that cannot close early: the applied_by text is the host name and pid. */
export function runnerMarker(appliedBy: string, migration: string): string {
  return `/* archon-migrate: ${clean(appliedBy)} applying ${clean(migration)} */`;
}

function clean(text: string): string {
  return text.replace(/\*\/|\/\*/g, '');
}

const MARKER = /^\/\* archon-migrate: (.*) applying (.+?) \*\//;

/** The runner and migration of a query that starts with a marker. */
export function parseRunnerMarker(query: string): { appliedBy: string; migration: string } | undefined {
  const m = MARKER.exec(query);
  return m ? { appliedBy: m[1]!, migration: m[2]! } : undefined;
}

/**
 * pg_stat_activity's sessions that carry a marker. A role sees the query text of its own
 * sessions (and of all, with pg_read_all_stats): runners that share a database URL see each other.
 */
export const ACTIVE_RUNNERS_SQL = `SELECT pid, state, coalesce(xact_start, query_start) AS since, left(query, 600) AS query
FROM pg_catalog.pg_stat_activity
WHERE pid <> pg_catalog.pg_backend_pid() AND datname = pg_catalog.current_database() AND query LIKE '/* archon-migrate: %'`;
