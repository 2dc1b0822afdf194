/**
 * The command line (DESIGN §5): every command and option is registered here; each command's
 * behaviour lives in commands/<name>.ts and is imported only when that command runs
 * (command-modules.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { IMPORT_TOOLS } from '../core/import/converted-migration.js';
import type { CommandName } from './command-modules.js';

export { COMMANDS, type CommandModule, type CommandName } from './command-modules.js';

export type RunCommand = (name: CommandName, args: string[], opts: Record<string, unknown>, global: Record<string, unknown>) => Promise<void>;

function positiveInteger(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return Number(value);
}

function version(value: string): string {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('expected a migration version (digits, e.g. 012).');
  return value;
}

export function buildProgram(options: {
  version: string;
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
  run: RunCommand;
}): Command {
  const program = new Command('archon-migrate')
    .description('Safe, reviewable PostgreSQL and Supabase schema migrations: numbered SQL files, a checksummed ledger, a committed lockfile and a git guard.')
    .version(options.version, '-V, --version', 'print the version')
    .option('--config <path>', 'config file (default: search for archon-migrate.config.ts and friends)')
    .option('--env <name>', 'environment from the config file (also ARCHON_MIGRATE_ENV)')
    .option('--database-url <url>', 'database URL (also ARCHON_MIGRATE_DATABASE_URL, DATABASE_URL)')
    .option('--cwd <dir>', 'run as if started in this directory')
    .option('-q, --quiet', 'print only results and errors')
    .option('--no-color', 'disable colours (also NO_COLOR)')
    .option('--verbose', 'show stack traces of errors')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: options.writeOut, writeErr: options.writeErr })
    .addHelpText('after', '\nExit codes: 0 ok, 1 failed or blocked, 2 bad usage, config or input.');

  const action = (name: CommandName) =>
    async function (this: Command): Promise<void> {
      const args = this.processedArgs.flat().filter((a): a is string => typeof a === 'string');
      await options.run(name, args, this.opts(), program.opts());
    };

  program.command('status')
    .description('show every migration: applied, pending, modified, missing, failed, unsealed')
    .option('--json', 'machine-readable output')
    .action(action('status'));

  program.command('up')
    .description('apply pending migrations in version order and seal them in the lockfile')
    .option('--dry-run', 'print what would run (name, checksum, transaction mode, SQL); change nothing')
    .option('--to <version>', 'stop after this version', version)
    .option('--frozen', 'apply only migrations sealed with a matching checksum; never write the lockfile (CI, production)')
    .option('--json', 'machine-readable output')
    .action(action('up'));

  program.command('down')
    .description('run rollback files, newest first (default: the last applied migration)')
    .argument('[target]', 'roll back down to and including this migration (name or version)')
    .option('--steps <n>', 'number of migrations to roll back', positiveInteger)
    .option('--dry-run', 'print what would run; change nothing')
    .option('--json', 'machine-readable output')
    .action(action('down'));

  program.command('create')
    .description('write the next-numbered migration from a template')
    .argument('<name>', 'lower-case letters, digits and _ (spaces and - become _)')
    .option('--rollback', 'also write its rollback file')
    .action(action('create'));

  program.command('lock')
    .description('seal every migration file in the lockfile')
    .option('--check', 'exit 1 if the lockfile is out of date or inconsistent; write nothing')
    .action(action('lock'));

  program.command('guard')
    .description('pre-commit check of the git index: sealed migrations are immutable (needs no database)')
    .argument('[files...]', 'staged files (from lint-staged); default: read the index')
    .action(action('guard'));

  program.command('verify')
    .description('CI check against a base branch, with a review summary of the added migrations')
    .option('--base <ref>', 'git ref to compare with (default: the configured baseBranch)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .action(action('verify'));

  program.command('baseline')
    .description('adopt an existing database: record and seal migrations up to VERSION without running them')
    .requiredOption('--to <version>', 'last migration already present in the database', version)
    .action(action('baseline'));

  program.command('repair')
    .description('resolve a failed migration or a checksum drift, and record it')
    .argument('[name]', 'migration name or version')
    .option('--applied', 'mark a failed migration as applied instead of deleting its failed record')
    .action(action('repair'));

  program.command('import')
    .description('switch from another tool: convert its migrations folder and record what its history table applied')
    .addOption(new Option('--from <tool>', 'the tool the migrations come from').choices([...IMPORT_TOOLS]).makeOptionMandatory())
    .option('--dir <path>', "their migrations folder (default: the tool's usual one)")
    .option('--table <name>', "their history table, may be schema.table (default: the tool's)")
    .option('--dry-run', 'print the plan (files to write, rows to record); write nothing')
    .option('--move', 'remove their files once ours are written (needed when their folder is ours)')
    .option('--json', 'machine-readable output')
    .action(action('import'));

  program.command('init')
    .description('wire this repository: config, migrations/, lockfile, npm scripts, pre-commit hook')
    .action(action('init'));

  return program;
}
