/**
 * Rendering of the runner's progress events and the pieces the status/up/down/baseline/repair
 * commands share: one line per migration with its time, plain text (no cursor tricks), so the
 * same output reads well on a TTY and in CI logs.
 */
import { usageError } from '../core/errors.js';
import type { RunnerEvent } from '../runner/events.js';
import type { CommandContext, Output } from './context.js';

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The event callback for a command: progress lines through `out.info` (hidden by --quiet and --json), warnings to stderr. */
export function eventRenderer(out: Output): (event: RunnerEvent) => void {
  const c = out.color;
  return (event) => {
    switch (event.type) {
      case 'ledger':
        if (event.created) out.info(c.dim(`Created the ledger table ${event.table}.`));
        else if (event.adopted) out.info(`Adopted the existing ledger table ${event.table}: ${event.changes.join('; ')}.`);
        break;
      case 'migration-start':
        break;
      case 'migration-applied':
        out.info(`  ${c.green('applied')}      ${event.file}  ${c.dim(formatMs(event.durationMs))}${event.transaction ? '' : c.dim('  (no transaction)')}`);
        break;
      case 'migration-skipped':
        out.info(`  ${c.yellow('skipped')}      ${event.file}  ${c.dim(event.reason)}`);
        break;
      case 'migration-failed':
        out.info(`  ${c.red('failed')}       ${event.file}  ${c.dim(`after ${formatMs(event.durationMs)}`)}`);
        break;
      case 'transaction-control-stripped':
        out.info(c.dim(`  note: ${event.file} has its own BEGIN (line ${event.beginLine}) and COMMIT (line ${event.commitLine}); the whole file runs as one transaction, archon-migrate's, instead`));
        break;
      case 'waiting':
        out.info(`  ${c.yellow('waiting')}      for ${event.migration}: being applied by ${event.holder ?? 'another runner'}${event.since ? ` since ${event.since}` : ''}`);
        break;
      case 'checksum-filled':
        out.info(`  ${c.cyan('verified')}     ${event.migration}: recorded checksum ${event.checksum} (the adopted row had none)`);
        break;
      case 'sealed':
        break; // summarised by the command
      case 'unsealed':
        out.info(c.dim(`               removed the seal of ${event.file} from ${event.lockfile} (never committed)`));
        break;
      case 'seal-kept':
        out.info(c.dim(`               kept the seal of ${event.file} in ${event.lockfile}: ${event.reason}`));
        break;
      case 'rollback-start':
        break;
      case 'rolled-back':
        out.info(`  ${c.green('rolled back')}  ${event.file}  ${c.dim(formatMs(event.durationMs))}`);
        break;
      case 'warning':
        out.warn(`${c.yellow('warning:')} ${event.message}`);
        break;
    }
  };
}

/**
 * How long to wait for another runner: `ARCHON_MIGRATE_WAIT_TIMEOUT` (e.g. `30s`, `2min`,
 * `500ms`, plain milliseconds); default 60 s.
 */
export function waitTimeoutMs(ctx: CommandContext): number | undefined {
  const raw = ctx.env.ARCHON_MIGRATE_WAIT_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return undefined;
  const m = /^([0-9]+)\s*(ms|s|min|h)?$/.exec(raw.trim());
  if (!m) throw usageError(`ARCHON_MIGRATE_WAIT_TIMEOUT: got ${raw}, expected a duration like 30s, 500ms or 2min`);
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'min' | 'h'];
  return Number(m[1]) * unit;
}
