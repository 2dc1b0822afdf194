/**
 * `baseline --to VERSION`: record (and seal) the migrations up to VERSION as applied without
 * running them — for a database whose schema already has them.
 */
import { baseline } from '../../runner/baseline.js';
import type { CommandContext } from '../context.js';
import { eventRenderer, plural } from '../runner-output.js';
import { validateProject } from '../../runner/migration-files.js';

export default async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const config = await ctx.loadConfig();
  await validateProject(config); // bad input exits 2 before any connection is opened
  const db = await ctx.openDatabase(config);
  let result;
  try {
    result = await baseline({ config, db, onEvent: eventRenderer(ctx.out), to: String(opts.to) });
  } finally {
    await db.close();
  }
  const out = ctx.out;
  for (const m of result.recorded) out.info(`  ${out.color.green('recorded')}  ${m}`);
  const parts = [`Baseline at ${String(opts.to)}: recorded ${plural(result.recorded.length, 'migration')} as applied without running them`];
  if (result.alreadyApplied.length > 0) parts.push(`${result.alreadyApplied.length} already applied`);
  if (result.sealed.length > 0) parts.push(`sealed ${result.sealed.length}`);
  out.result(`${parts.join('; ')}.`);
  return 0;
}
