/**
 * Is the runner behind a 'running' ledger row (a no-transaction migration in progress) still
 * alive? A dead one must never block anyone for the wait timeout (DESIGN §2): its row is
 * reported as failed at once, with `repair <name>` as the fix.
 *
 * - exclusive backends (PGlite, pg-mem): whoever holds the database is the only runner, so a
 *   'running' row of anyone else is a dead runner's;
 * - same host: the runner's pid (applied_by is "host pid") no longer exists;
 * - any host: no session of the server carries the runner's marker for that migration any more
 *   (its connection closed with it). Through a transaction-mode pooler a server session can keep
 *   a dead client's last query for a while, so a dead runner may look alive until then.
 */
import { hostname } from 'node:os';
import type { ActiveRunner, Database } from '../db/database.js';
import type { LedgerRow } from '../db/ledger.js';

/** True when applied_by names a process on this host that no longer exists. */
export function deadOnThisHost(appliedBy: string | null): boolean {
  const m = appliedBy === null ? null : /^(.*) ([0-9]+)$/.exec(appliedBy);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function isApplying(runners: readonly ActiveRunner[], appliedBy: string | null, migration: string): ActiveRunner | undefined {
  return runners.find((r) => r.migration === migration && (appliedBy === null || r.appliedBy === appliedBy));
}

/** Names of the 'running' rows whose runner is gone. One query to the server, only when there are such rows. */
export async function goneRunners(db: Database, rows: readonly LedgerRow[]): Promise<Set<string>> {
  const running = rows.filter((r) => r.status === 'running');
  const gone = new Set<string>();
  if (running.length === 0) return gone;
  const active = db.capabilities.exclusive ? [] : await db.activeRunners();
  for (const row of running) {
    if (deadOnThisHost(row.appliedBy)) gone.add(row.name);
    else if (active !== undefined && !isApplying(active, row.appliedBy, row.name)) gone.add(row.name);
  }
  return gone;
}

/** The rows with the 'running' rows of dead runners marked, for the plan to report them as failed. */
export async function withGoneRunners(db: Database, rows: LedgerRow[]): Promise<LedgerRow[]> {
  const gone = await goneRunners(db, rows);
  if (gone.size === 0) return rows;
  return rows.map((r) => (r.status === 'running' && gone.has(r.name) ? { ...r, runnerGone: true } : r));
}

/**
 * Positive evidence that the runner of a 'running' row is alive (its marker is in a server
 * session, or its process runs on this host), for `repair` to refuse to touch the row. Null
 * when there is none.
 */
export async function liveRunner(db: Database, row: { appliedBy: string | null; migration: string }): Promise<string | null> {
  const active = db.capabilities.exclusive ? [] : await db.activeRunners();
  const session = active && isApplying(active, row.appliedBy, row.migration);
  if (session) return `runner ${session.appliedBy} (server pid ${session.pid})`;
  const m = row.appliedBy === null ? null : /^(.*) ([0-9]+)$/.exec(row.appliedBy);
  if (!m || m[1] !== hostname() || Number(m[2]) === process.pid || deadOnThisHost(row.appliedBy)) return null;
  return `runner ${row.appliedBy} (a live process on this machine)`;
}
