/**
 * `repair [NAME] [--applied]`: the explicit, recorded resolution of a failed migration
 * (deleted so `up` retries it, or `--applied` marks it applied), a checksum drift (the recorded
 * checksum becomes the file's) or an adopted row without checksum (filled). Prints each repair;
 * exit 0, also when there is nothing to repair.
 */
import { repair } from '../../runner/repair.js';
import type { CommandContext } from '../context.js';
import { eventRenderer, plural } from '../runner-output.js';
import { validateProject } from '../../runner/migration-files.js';

export default async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const config = await ctx.loadConfig();
  await validateProject(config); // bad input exits 2 before any connection is opened
  const db = await ctx.openDatabase(config);
  let result;
  try {
    result = await repair({
      config, db, onEvent: eventRenderer(ctx.out),
      ...(args[0] === undefined ? {} : { name: args[0] }),
      ...(opts.applied === true ? { applied: true } : {}),
    });
  } finally {
    await db.close();
  }
  const out = ctx.out;
  for (const w of result.warnings) out.warn(`${out.color.yellow('warning:')} ${w}`);
  if (result.repaired.length === 0) {
    out.result(args[0] === undefined ? 'Nothing to repair.' : `Nothing to repair for ${args[0]}.`);
    return 0;
  }
  for (const r of result.repaired) out.result(`  repaired  ${r.description}`);
  out.result(`Repaired ${plural(result.repaired.length, 'migration')} in ${result.table}.`);
  return 0;
}
