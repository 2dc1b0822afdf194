/**
 * The whole CLI as a function: arguments, environment and streams in, exit code out. main.ts
 * calls it with the real process; tests call it in-process.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../core/errors.js';
import { COMMANDS, type CommandName } from './command-modules.js';
import { createContext, type GlobalOptions } from './context.js';
import { debugEnabled, renderError } from './errors.js';
import { CliOutput, colorEnabled, urlSecrets, type Writer } from './output.js';
import type { RunCommand } from './program.js';
import { packageVersion } from './version.js';

export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: Writer;
  stderr: Writer;
  /** Whether stdout is a terminal (colours, progress). */
  isTTY: boolean;
}

/** Options that matter before commander has parsed anything (its own error messages). */
function prescan(argv: readonly string[]): { noColor: boolean; quiet: boolean; verbose: boolean; databaseUrl?: string } {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  const result: { noColor: boolean; quiet: boolean; verbose: boolean; databaseUrl?: string } = {
    noColor: args.includes('--no-color'),
    quiet: args.includes('--quiet') || args.includes('-q'),
    verbose: args.includes('--verbose'),
  };
  args.forEach((arg, i) => {
    if (arg === '--database-url' && args[i + 1] !== undefined) result.databaseUrl = args[i + 1]!;
    else if (arg.startsWith('--database-url=')) result.databaseUrl = arg.slice('--database-url='.length);
  });
  return result;
}

/**
 * The pre-commit hook's call — `guard` with only file arguments — which runs on every commit and
 * does not need commander (loading it is a noticeable share of the guard's time). It gets exactly
 * what commander would pass: the files, no command options, and the global defaults (`--no-color`
 * defines `color: true`). Anything else, an option included, goes through commander.
 */
function hookCall(argv: readonly string[]): { name: CommandName; args: string[]; global: GlobalOptions } | undefined {
  if (argv[0] !== 'guard') return undefined;
  const args = argv.slice(1);
  if (args.some((a) => a.startsWith('-'))) return undefined;
  return { name: 'guard', args, global: { color: true } };
}

function commandIn(argv: readonly string[]): string | undefined {
  return argv.find((a) => Object.hasOwn(COMMANDS, a));
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const early = prescan(argv);
  const out = new CliOutput(io, {
    isTTY: io.isTTY,
    color: colorEnabled({ flag: !early.noColor, env: io.env, isTTY: io.isTTY }),
    quiet: early.quiet,
  });
  // Passwords known before anything runs are redacted from the very first line.
  out.addSecrets([
    ...urlSecrets(early.databaseUrl),
    ...urlSecrets(io.env.ARCHON_MIGRATE_DATABASE_URL),
    ...urlSecrets(io.env.DATABASE_URL),
  ]);

  let verbose = early.verbose || debugEnabled(io.env);
  let exitCode = 0;

  const run: RunCommand = async (name, args, opts, globalOpts) => {
    const global = globalOpts as GlobalOptions;
    verbose = global.verbose === true || debugEnabled(io.env);
    out.quiet = global.quiet === true;
    out.jsonMode = opts.json === true || opts.format === 'json';
    const cwd = resolveCwd(io.cwd, global.cwd);
    const ctx = createContext({ cwd, env: io.env, global, out });
    const mod = await COMMANDS[name]();
    exitCode = await mod.default(ctx, args, opts);
  };

  let isCommanderError = (_error: unknown): _error is { exitCode: number; code: string } => false;
  try {
    const hook = hookCall(argv);
    if (hook) {
      await run(hook.name, hook.args, {}, { ...hook.global });
      return exitCode;
    }
    const [{ buildProgram }, { CommanderError }] = await Promise.all([import('./program.js'), import('commander')]);
    isCommanderError = (error): error is InstanceType<typeof CommanderError> => error instanceof CommanderError;
    const program = buildProgram({
      version: packageVersion(),
      writeOut: (text) => out.writeOut(text),
      writeErr: (text) => out.writeErr(text),
      run,
    });
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (isCommanderError(error)) {
      if (error.exitCode === 0) return 0;
      if (error.code !== 'commander.help') {
        const command = commandIn(argv);
        out.writeErr(`  fix: run \`archon-migrate ${command === undefined ? '' : command + ' '}--help\` to see the ${command === undefined ? 'commands and options' : 'options'}.`);
      }
      return 2;
    }
    const rendered = renderError(error, { verbose });
    rendered.lines[0] = rendered.lines[0]!.replace(/^error:/, out.color.red('error:'));
    for (const line of rendered.lines) out.warn(line);
    return rendered.exitCode;
  }
}

function resolveCwd(base: string, flag: string | undefined): string {
  if (flag === undefined) return base;
  const dir = path.resolve(base, flag);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw usageError(`--cwd: no such directory: ${flag}`);
  return dir;
}
