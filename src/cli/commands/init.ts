/**
 * `archon-migrate init` — wires the repository in --cwd (DESIGN §5). Every action is reported;
 * a second run changes nothing and says so. Installs nothing: prints the npm command to run.
 */
import type { CommandContext } from '../context.js';
import { runInit } from '../../git/init.js';

export default async function run(ctx: CommandContext, _args: string[], _opts: Record<string, unknown>): Promise<number> {
  const config = await ctx.loadConfig();
  const result = await runInit({
    root: ctx.cwd,
    env: ctx.env,
    ...(config.configFile === undefined ? {} : { configFile: config.configFile }),
    migrationsDir: config.migrationsDir,
    lockfile: config.lockfile,
  });
  const { out } = ctx;
  const c = out.color;
  for (const a of result.actions) {
    if (a.kind === 'added') out.result(`${c.green('added')}    ${a.message}`);
    else if (a.kind === 'updated') out.result(`${c.yellow('updated')}  ${a.message}`);
    else if (a.kind === 'kept') out.result(`${c.dim('kept')}     ${a.message}`);
    else out.result(`${c.cyan('note')}     ${a.message}`);
  }
  out.result(result.changed ? 'archon-migrate init: done.' : 'archon-migrate init: nothing to change — this repository is already set up.');
  if (result.installCommand) out.result(`Next: ${result.installCommand}`);
  if (result.changed) out.result('Then run `npm run prepare` once so git uses the hook (npm install does it too).');
  return 0;
}
