/**
 * When another runner holds a migration: wait while its row says running (a no-transaction
 * migration in progress), unless its runner is gone; then say what it did.
 */
import { readLedger, type LedgerRow } from '../db/ledger.js';
import type { ApplyContext, ApplyOutcome } from './apply.js';
import type { LoadedMigration } from './migration-files.js';
import { goneRunners, isApplying } from './runner-liveness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ledgerRowFor(ctx: ApplyContext, migration: string): Promise<LedgerRow | undefined> {
  const rows = await readLedger(ctx.db, ctx.table);
  const mine = rows.filter((r) => r.name === migration);
  return mine.find((r) => r.status === 'running') ?? mine.find((r) => r.status === 'failed') ?? mine[0];
}

/**
 * Which runner is applying `migration` right now (its marker is in a server session): for the
 * message of a runner that timed out waiting. Null when none is visible.
 */
export async function describeHolder(ctx: ApplyContext, migration: string): Promise<{ holder: string | null; since: string | null }> {
  const active = await ctx.db.activeRunners().catch(() => undefined);
  const applying = active && isApplying(active, null, migration);
  if (!applying) return { holder: null, since: null };
  return { holder: `runner ${applying.appliedBy} applying ${migration} (server pid ${applying.pid})`, since: applying.since ? applying.since.toISOString() : null };
}

/** Waits while another live runner's row for `migration` says running; undefined row when none. */
async function waitWhileRunning(ctx: ApplyContext, migration: string): Promise<{ row: LedgerRow | undefined; timedOut: boolean; gone: boolean }> {
  const deadline = Date.now() + ctx.waitTimeoutMs;
  let announced = false;
  for (;;) {
    const row = await ledgerRowFor(ctx, migration);
    if (!row || row.status !== 'running') return { row, timedOut: false, gone: false };
    if ((await goneRunners(ctx.db, [row])).has(migration)) return { row, timedOut: false, gone: true };
    if (!announced) {
      ctx.onEvent({ type: 'waiting', migration, holder: row.appliedBy, since: row.appliedAt.toISOString() });
      announced = true;
    }
    if (Date.now() >= deadline) return { row, timedOut: true, gone: false };
    await sleep(Math.min(500, Math.max(10, deadline - Date.now())));
  }
}

/** After a unique violation or a ledger wait: what did the other runner do? */
export async function resolveTaken(ctx: ApplyContext, m: LoadedMigration): Promise<ApplyOutcome | undefined> {
  const { row, timedOut, gone } = await waitWhileRunning(ctx, m.name.stem);
  if (!row) return undefined;
  if (timedOut) {
    const { holder, since } = await describeHolder(ctx, m.name.stem);
    return { kind: 'timeout', holder: holder ?? row.appliedBy, since: since ?? row.appliedAt.toISOString() };
  }
  if (row.status === 'applied') return { kind: 'skipped', by: row.appliedBy, checksum: row.checksum };
  const message = gone
    ? `runner ${row.appliedBy ?? 'unknown'} was applying it without a transaction since ${row.appliedAt.toISOString()} and is gone (it stopped or lost its connection); it may be partly applied`
    : `another runner (${row.appliedBy ?? 'unknown'}) failed to apply it at ${row.appliedAt.toISOString()}`;
  return {
    kind: 'failed',
    durationMs: 0,
    failure: {
      migration: m.name.stem, file: m.displayPath, line: null, column: null, message,
      code: null, detail: null, hint: null, where: null, transaction: m.transaction, recordedAsFailed: true, connectionLost: false, blockedBy: null,
    },
  };
}
