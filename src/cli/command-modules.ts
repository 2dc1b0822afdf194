/**
 * The command modules, each imported only when its command runs. Kept apart from program.ts so
 * that running a command does not require commander (run-cli.ts runs the pre-commit hook's
 * `guard` call without it).
 */
import type { CommandContext } from './context.js';

export type CommandName = 'status' | 'up' | 'down' | 'create' | 'lock' | 'guard' | 'verify' | 'baseline' | 'repair' | 'import' | 'init';

export type CommandModule = {
  default: (ctx: CommandContext, args: string[], opts: Record<string, unknown>) => Promise<number>;
};

/** Static import strings, so the bundler emits one chunk per command. */
export const COMMANDS: Record<CommandName, () => Promise<CommandModule>> = {
  status: () => import('./commands/status.js'),
  up: () => import('./commands/up.js'),
  down: () => import('./commands/down.js'),
  create: () => import('./commands/create.js'),
  lock: () => import('./commands/lock.js'),
  guard: () => import('./commands/guard.js'),
  verify: () => import('./commands/verify.js'),
  baseline: () => import('./commands/baseline.js'),
  repair: () => import('./commands/repair.js'),
  import: () => import('./commands/import.js'),
  init: () => import('./commands/init.js'),
};
