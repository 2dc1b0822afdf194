/**
 * What guard and verify are given to read the config at another revision: the files the search
 * would try (from --cwd and --config) and how to turn them into paths — with this run's
 * environment, `--env` and flags, so both revisions are judged under the same settings.
 */
import type { ResolvedConfig } from '../config/load-config.js';
import { configCandidates } from '../config/find-config.js';
import type { ConfigAtRevision } from '../git/config-at-revision.js';
import type { CommandContext } from './context.js';

export function configAtRevision(ctx: CommandContext, current: ResolvedConfig): ConfigAtRevision {
  return {
    candidates: configCandidates(ctx.cwd, ctx.global.config),
    async paths(files, label) {
      const { configPathsAt } = await import('../config/config-at-revision.js');
      return configPathsAt(files, current, {
        cwd: ctx.cwd, env: ctx.env,
        ...(ctx.global.env === undefined ? {} : { envName: ctx.global.env }),
        ...(ctx.global.databaseUrl === undefined ? {} : { flags: { databaseUrl: ctx.global.databaseUrl } }),
      }, label);
    },
  };
}
