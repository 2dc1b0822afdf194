/**
 * `archon-migrate guard [FILES...]` — the pre-commit check of the git index (DESIGN §5).
 *
 * FILES (what lint-staged passes) narrow nothing: the guard always reads the whole staged change
 * list itself, because lint-staged never passes deletions or a rename's old path. Exit 1 blocks
 * the commit; every refusal goes to stderr with the file, both checksums and the fix.
 *
 * It imports only core and git (never the database modules): it runs on every commit.
 */
import { moveNote } from '../../core/guard-rules.js';
import type { CommandContext } from '../context.js';
import { readStagedState, runGuard } from '../../git/guard.js';
import { configAtRevision } from '../config-at-revision.js';

export default async function run(ctx: CommandContext, _args: string[], _opts: Record<string, unknown>): Promise<number> {
  // git reads the index while the config loads (the config dominates the guard's time).
  const staged = readStagedState({ cwd: ctx.cwd, env: ctx.env });
  staged.catch(() => undefined); // awaited below; avoid an unhandled rejection if the config fails first
  const config = await ctx.loadConfig();
  const result = await runGuard({
    cwd: ctx.cwd,
    env: ctx.env,
    migrationsDir: config.migrationsDir,
    lockfile: config.lockfile,
    allowOutOfOrder: config.allowOutOfOrder,
    config: configAtRevision(ctx, config),
  }, staged);
  const { out } = ctx;
  const c = out.color;
  for (const w of result.warnings) out.warn(`${c.yellow('warning:')} ${w}`);
  for (const m of result.moved) out.warn(`${c.yellow('note:')} ${moveNote(m, result.violations.length > 0)}`);
  if (result.violations.length > 0) {
    const n = result.violations.length;
    out.warn(`${c.red(c.bold('archon-migrate guard: commit blocked'))} — ${n} problem${n === 1 ? '' : 's'} with staged migrations:`);
    for (const v of result.violations) {
      out.warn(`  ${c.red('✗')} ${v.message}`);
      out.warn(`    fix: ${v.hint}`);
    }
    out.warn(c.dim('Sealed migrations are history: the database ledgers of every environment record them. (Bypassing with --no-verify is caught by `archon-migrate verify` in CI.)'));
    return 1;
  }
  if (result.checked) {
    const n = result.changes.length;
    out.info(`archon-migrate guard: ok (${n} staged change${n === 1 ? '' : 's'} in ${result.migrationsDir || '.'} checked)`);
  }
  return 0;
}
