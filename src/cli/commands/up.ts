/**
 * `up [--dry-run] [--to VERSION] [--frozen] [--json]`: apply pending migrations in version order,
 * sealing them in the lockfile. Exit 0 when everything ran (or nothing was pending), 1 when up
 * refused (drift, failed migration, out of order, --frozen) or a migration failed, 2 on bad input.
 * `ARCHON_MIGRATE_WAIT_TIMEOUT` sets how long to wait for another runner (default 60 s).
 */
import path from 'node:path';
import { upJson } from '../../runner/json.js';
import { up, type UpResult } from '../../runner/up.js';
import type { CommandContext, Output } from '../context.js';
import { eventRenderer, formatMs, plural, waitTimeoutMs } from '../runner-output.js';
import { validateProject } from '../../runner/migration-files.js';

function renderDryRun(result: UpResult, out: Output): void {
  const c = out.color;
  if (result.pending.length === 0) {
    out.result('Dry run: nothing to apply; the database is up to date.');
    return;
  }
  out.result(`Dry run: ${plural(result.pending.length, 'migration')} would be applied to ${result.database}; nothing is changed.`);
  for (const change of result.ledger.changes) out.result(c.dim(`-- ledger: ${change}`));
  for (const p of result.pending) {
    const mode = p.transaction
      ? p.ownTransactionControl
        ? `transaction (its own BEGIN on line ${p.ownTransactionControl.beginLine} and COMMIT on line ${p.ownTransactionControl.commitLine} are replaced by archon-migrate's)`
        : 'transaction'
      : p.detectedNoTransaction ? 'no transaction (detected: every statement must run outside one; statement by statement)' : 'no transaction (statement by statement)';
    out.result('');
    out.result(c.bold(`-- ${p.file}`));
    out.result(c.dim(`-- checksum: ${p.checksum}`));
    out.result(c.dim(`-- mode: ${mode}`));
    out.result((p.sql ?? '').replace(/\n$/, ''));
  }
}

export default async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const config = await ctx.loadConfig();
  const wait = waitTimeoutMs(ctx);
  const project = await validateProject(config); // bad input exits 2 before any connection is opened
  const db = await ctx.openDatabase(config);
  const started = performance.now();
  let result: UpResult;
  try {
    result = await up({
      config, db, project, onEvent: eventRenderer(ctx.out),
      dryRun: opts.dryRun === true,
      frozen: opts.frozen === true,
      ...(typeof opts.to === 'string' ? { to: opts.to } : {}),
      ...(wait === undefined ? {} : { waitTimeoutMs: wait }),
    });
  } finally {
    await db.close();
  }
  const out = ctx.out;
  if (opts.json === true) {
    ctx.out.json(upJson(result));
  } else {
    for (const w of result.warnings) out.warn(`${out.color.yellow('warning:')} ${w}`);
    if (result.dryRun && result.ok) {
      renderDryRun(result, out);
    } else if (result.ok) {
      const elapsed = formatMs(Math.round(performance.now() - started));
      if (result.applied.length === 0 && result.skipped.length === 0) {
        out.result('Nothing to apply: the database is up to date.');
        const lockfile = path.relative(ctx.cwd, config.lockfile) || config.lockfile;
        const adopted = result.sealedAdopted.length;
        if (adopted > 0) out.result(`Sealed ${plural(adopted, 'migration')} the existing ledger records as applied in ${lockfile}.`);
        if (result.sealed.length > adopted) {
          out.result(`Sealed ${plural(result.sealed.length - adopted, 'applied migration')} missing from ${lockfile} (an earlier up stopped before sealing them).`);
        }
      } else {
        const parts = [`Applied ${plural(result.applied.length, 'migration')} in ${elapsed}`];
        if (result.skipped.length > 0) parts.push(`${result.skipped.length} already applied by another runner`);
        if (result.sealed.length > 0) parts.push(`sealed ${result.sealed.length} in ${path.relative(ctx.cwd, config.lockfile) || config.lockfile}`);
        out.result(`${parts.join('; ')}.`);
      }
      if (result.pending.length > 0) out.result(`${plural(result.pending.length, 'migration')} still pending (after --to ${String(opts.to)}).`);
    } else if (result.applied.length > 0) {
      out.info(`Applied ${plural(result.applied.length, 'migration')} before stopping; they stay applied.`);
    }
  }
  if (!result.ok && result.error) throw result.error;
  return 0;
}
