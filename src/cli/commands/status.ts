/**
 * `status [--json]`: every migration with its state (applied with its time, pending, modified,
 * missing file, failed, running), its seal, and summary counts. Reads only.
 *
 * Exit code: 0, or 1 when something would make `up` refuse (a modified applied migration, a
 * failed one, a file that does not match its seal), so CI can use `status` as a drift check.
 */
import { failedError } from '../../core/errors.js';
import type { StatusRow } from '../../core/plan.js';
import { statusJson } from '../../runner/json.js';
import { status } from '../../runner/status.js';
import type { CommandContext, Output } from '../context.js';
import { eventRenderer, formatMs, plural } from '../runner-output.js';
import { validateProject } from '../../runner/migration-files.js';

function stateLabel(row: StatusRow, out: Output): string {
  const c = out.color;
  const label = row.state === 'missing-file' ? 'missing file' : row.state;
  const padded = label.padEnd(12);
  switch (row.state) {
    case 'applied': return c.green(padded);
    case 'pending': return c.cyan(padded);
    case 'running': return c.yellow(padded);
    default: return c.red(padded);
  }
}

function details(row: StatusRow): string {
  const parts: string[] = [];
  if (row.appliedAt && row.state !== 'pending') {
    parts.push(`${row.appliedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}${row.executionMs !== null ? ` (${formatMs(row.executionMs)})` : ''}`);
  }
  if (row.state === 'modified') parts.push(`recorded ${row.recordedChecksum}, file ${row.checksum}`);
  if (row.state === 'failed' || row.state === 'running') parts.push(`by ${row.appliedBy ?? 'unknown runner'}`);
  if (row.runnerGone) parts.push('its runner is gone: may be partly applied');
  if (row.transaction === false) parts.push(row.detectedNoTransaction ? 'no transaction (detected)' : 'no transaction');
  if (row.unverified) parts.push('checksum not recorded yet');
  if (row.seal === 'unsealed') parts.push('unsealed');
  if (row.seal === 'mismatch') parts.push(`does not match its seal (${row.sealedChecksum})`);
  return parts.join('; ');
}

export default async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const config = await ctx.loadConfig();
  const project = await validateProject(config); // bad input exits 2 before any connection is opened
  const db = await ctx.openDatabase(config);
  let result;
  try {
    result = await status({ config, db, project, onEvent: eventRenderer(ctx.out) });
  } finally {
    await db.close();
  }
  const s = result.summary;
  const blocked = s.modified + s.failed + s.sealMismatch > 0 || result.refusals.length > 0;
  if (opts.json === true) {
    ctx.out.json(statusJson(result));
    return blocked ? 1 : 0;
  }
  const out = ctx.out;
  for (const w of result.warnings) out.warn(`${out.color.yellow('warning:')} ${w}`);
  if (result.rows.length === 0) {
    out.result('No migrations yet. Create one with `archon-migrate create <name>`.');
    return 0;
  }
  const width = Math.max(...result.rows.map((r) => r.migration.length));
  for (const row of result.rows) {
    const d = details(row);
    out.result(`  ${stateLabel(row, out)} ${row.migration.padEnd(width)}${d ? `  ${out.color.dim(d)}` : ''}`);
  }
  const counts = [
    `${s.applied} applied`, `${s.pending} pending`,
    ...(s.modified ? [`${s.modified} modified`] : []),
    ...(s.missingFile ? [`${s.missingFile} missing file${s.missingFile === 1 ? '' : 's'}`] : []),
    ...(s.failed ? [`${s.failed} failed`] : []),
    ...(s.running ? [`${s.running} running`] : []),
    ...(s.unsealed ? [`${s.unsealed} unsealed`] : []),
    ...(s.sealMismatch ? [`${s.sealMismatch} not matching the lockfile`] : []),
  ];
  out.result(`${plural(s.total, 'migration')}: ${counts.join(', ')}.`);
  if (!result.ledger.exists) out.info(out.color.dim(`The ledger table ${result.ledger.table} does not exist yet: \`archon-migrate up\` creates it.`));
  if (s.modified) out.info('Modified migrations block `up`: restore the file, or accept the edit with `archon-migrate repair <name>`.');
  const failed = result.rows.filter((r) => r.state === 'failed').map((r) => r.migration);
  if (failed.length > 0) out.info(`Failed migrations block \`up\` until \`archon-migrate repair ${failed.length === 1 ? failed[0] : '<name>'}\`.`);
  const appliedUnsealed = result.rows.filter((r) => r.state === 'applied' && r.seal === 'unsealed' && r.recordedChecksum === r.checksum).length;
  if (appliedUnsealed > 0) {
    out.info(`${plural(appliedUnsealed, 'applied migration is', 'applied migrations are')} not sealed (an up stopped before sealing, or the lockfile lost lines): the next \`archon-migrate up\` seals ${appliedUnsealed === 1 ? 'it' : 'them'}.`);
  }
  if (result.refusals.length > 0) {
    const [first, ...rest] = result.refusals;
    const hints = [...new Set(result.refusals.map((r) => r.hint).filter((h) => h !== ''))];
    throw failedError(`up would refuse to run: ${first!.message}${rest.map((r) => `\n  ${r.message}`).join('')}`, hints.join('\n') || undefined);
  }
  return blocked ? 1 : 0;
}
