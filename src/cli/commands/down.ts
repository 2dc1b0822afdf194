/**
 * `down [NAME|VERSION] [--steps N] [--dry-run] [--json]`: run rollback files newest first.
 * Without a target: the last applied migration; with one: that migration and every applied one
 * above it; `--steps N`: the last N. HEAD's lockfile decides whether a seal may be removed: it is
 * read here (through src/git) and handed to the runner.
 */
import path from 'node:path';
import { parseLockfile, type Seal } from '../../core/lockfile.js';
import type { ResolvedConfig } from '../../config/load-config.js';
import { readRevisionFile } from '../../git/blobs.js';
import { repoInfo, toRepoPath } from '../../git/repo.js';
import { down, type DownResult } from '../../runner/down.js';
import { downJson } from '../../runner/json.js';
import type { CommandContext } from '../context.js';
import { eventRenderer, plural, waitTimeoutMs } from '../runner-output.js';
import { validateProject } from '../../runner/migration-files.js';

/** Seals in HEAD's lockfile: [] before the first commit or when HEAD has no lockfile; null when unknown (not a git repository, unreadable). */
export async function headSeals(ctx: CommandContext, config: ResolvedConfig): Promise<Seal[] | null> {
  const git = { cwd: config.root, env: ctx.env };
  try {
    const info = await repoInfo(git);
    if (info.head === undefined) return [];
    const text = await readRevisionFile(git, 'HEAD', toRepoPath(info.root, config.lockfile));
    return text === undefined ? [] : parseLockfile(text.toString('utf8'), `HEAD:${path.relative(info.root, config.lockfile)}`);
  } catch {
    return null;
  }
}

export default async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const config = await ctx.loadConfig();
  const wait = waitTimeoutMs(ctx);
  const head = await headSeals(ctx, config);
  await validateProject(config); // bad input exits 2 before any connection is opened
  const db = await ctx.openDatabase(config);
  let result: DownResult;
  try {
    result = await down({
      config, db, onEvent: eventRenderer(ctx.out), headSeals: head,
      dryRun: opts.dryRun === true,
      ...(args[0] === undefined ? {} : { target: args[0] }),
      ...(typeof opts.steps === 'number' ? { steps: opts.steps } : {}),
      ...(wait === undefined ? {} : { waitTimeoutMs: wait }),
    });
  } finally {
    await db.close();
  }
  const out = ctx.out;
  if (opts.json === true) {
    out.json(downJson(result));
  } else {
    for (const w of result.warnings) out.result(w.charAt(0).toUpperCase() + w.slice(1) + '.');
    if (result.dryRun && result.planned.length > 0) {
      out.result(`Dry run: ${plural(result.planned.length, 'migration')} would be rolled back from ${result.database}, newest first; nothing is changed.`);
      for (const p of result.planned) {
        out.result('');
        out.result(out.color.bold(`-- ${p.file} (rolls back ${p.migration})`));
        out.result(out.color.dim(`-- checksum: ${p.checksum}`));
        out.result(out.color.dim(`-- mode: ${p.transaction ? 'transaction' : 'no transaction (statement by statement)'}`));
        out.result((p.sql ?? '').replace(/\n$/, ''));
      }
    } else if (result.rolledBack.length > 0) {
      const kept = result.rolledBack.filter((r) => r.seal === 'kept').length;
      out.result(`Rolled back ${plural(result.rolledBack.length, 'migration')}${kept ? `; ${kept} seal${kept === 1 ? '' : 's'} kept in the lockfile (committed)` : ''}.`);
    }
  }
  if (!result.ok && result.error) throw result.error;
  return 0;
}
