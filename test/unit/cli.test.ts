import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { colorEnabled, CliOutput, urlSecrets } from '../../src/cli/output.js';
import { renderError } from '../../src/cli/errors.js';
import { failedError } from '../../src/core/errors.js';
import { cli, tempProject } from './cli-harness.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { version: string };
const exec = promisify(execFile);

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempProject());
});
afterEach(async () => {
  await cleanup();
});

describe('version and help', () => {
  it('--version and -V print the package version', async () => {
    expect(await cli(['--version'], { cwd: dir })).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await cli(['-V'], { cwd: dir })).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help lists every command (exit 0)', async () => {
    const r = await cli(['--help'], { cwd: dir });
    expect(r.code).toBe(0);
    for (const command of ['status', 'up', 'down', 'create', 'lock', 'guard', 'verify', 'baseline', 'repair', 'init']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    for (const option of ['--config <path>', '--env <name>', '--database-url <url>', '--cwd <dir>', '--quiet', '--no-color', '--verbose', '--help', '--version']) {
      expect(r.stdout).toContain(option);
    }
  });

  const options: Record<string, string[]> = {
    status: ['--json'],
    up: ['--dry-run', '--to <version>', '--frozen', '--json'],
    down: ['[target]', '--steps <n>', '--dry-run', '--json'],
    create: ['<name>', '--rollback'],
    lock: ['--check'],
    guard: ['[files...]'],
    verify: ['--base <ref>', '--format <format>', '"text", "markdown", "json"'],
    baseline: ['--to <version>'],
    repair: ['[name]', '--applied'],
    init: [],
  };
  for (const [command, expected] of Object.entries(options)) {
    it(`${command} --help shows its arguments and options`, async () => {
      const r = await cli([command, '--help'], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: archon-migrate ${command}`);
      for (const option of expected) expect(r.stdout).toContain(option);
    });
  }

  it('`help COMMAND` is the same as COMMAND --help', async () => {
    const r = await cli(['help', 'lock'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: archon-migrate lock [options]');
  });

  it('no command prints the help on stderr with exit 2', async () => {
    const r = await cli([], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: archon-migrate [options] [command]');
  });
});

describe('usage errors exit 2 with a hint', () => {
  it('unknown command', async () => {
    expect(await cli(['nope'], { cwd: dir })).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown command 'nope'\n  fix: run `archon-migrate --help` to see the commands and options.\n",
    });
  });

  it('unknown command close to a real one gets a suggestion', async () => {
    const r = await cli(['stauts'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(Did you mean status?)');
  });

  it('unknown option', async () => {
    expect(await cli(['lock', '--bogus'], { cwd: dir })).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown option '--bogus'\n  fix: run `archon-migrate lock --help` to see the options.\n",
    });
  });

  it('missing required --to, bad --steps, bad --format, bad --to, extra arguments', async () => {
    const cases: [string[], string][] = [
      [['baseline'], "error: required option '--to <version>' not specified"],
      [['down', '--steps', '0'], "error: option '--steps <n>' argument '0' is invalid. expected a whole number of 1 or more."],
      [['verify', '--format', 'xml'], "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, markdown, json."],
      [['up', '--to', 'abc'], "error: option '--to <version>' argument 'abc' is invalid. expected a migration version (digits, e.g. 012)."],
      [['status', 'extra'], "error: too many arguments for 'status'. Expected 0 arguments but got 1."],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv, { cwd: dir });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(message);
      expect(r.stderr).toContain(`  fix: run \`archon-migrate ${argv[0]} --help\``);
    }
  });

  it('--cwd that does not exist', async () => {
    const r = await cli(['--cwd', 'missing', 'lock'], { cwd: dir });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: --cwd: no such directory: missing\n' });
  });

  it('global options are accepted after the command too', async () => {
    const r = await cli(['lock', '--check', '--cwd', 'missing'], { cwd: dir });
    expect(r.stderr).toBe('error: --cwd: no such directory: missing\n');
  });

  it('an invalid config is exit 2 with the one-line message', async () => {
    await writeFile(path.join(dir, 'archon-migrate.config.json'), JSON.stringify({ lockTimeout: '12 parsecs' }));
    expect(await cli(['lock'], { cwd: dir })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: archon-migrate.config.json: "lockTimeout" must be a duration like 5s, 500ms or 2min (got 12 parsecs)\n',
    });
  });

  it('--env with an unknown environment', async () => {
    await writeFile(path.join(dir, 'archon-migrate.config.json'), JSON.stringify({ environments: { prod: {}, ci: {} } }));
    const r = await cli(['--env', 'qa', 'lock'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: unknown environment "qa": archon-migrate.config.json defines prod, ci\n  fix: Use one of: --env prod, --env ci.\n');
  });
});

describe('unexpected errors', () => {
  beforeEach(async () => {
    // The lockfile is a directory: reading it fails with EISDIR, which nothing anticipates.
    await mkdir(path.join(dir, 'migrations', 'archon-migrate.lock'), { recursive: true });
  });

  it('exit 1 with one line and no stack', async () => {
    const r = await cli(['lock'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: EISDIR: illegal operation on a directory, read\n$/);
  });

  it('--verbose adds the stack', async () => {
    const r = await cli(['--verbose', 'lock'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: EISDIR/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('DEBUG=archon-migrate adds the stack', async () => {
    const r = await cli(['lock'], { cwd: dir, env: { DEBUG: 'express,archon-migrate' } });
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('an expected error shows no stack without --verbose', async () => {
    await writeFile(path.join(dir, 'archon-migrate.config.json'), '{ "table": "" }');
    const r = await cli(['lock'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('colours', () => {
  const RED = '\u001b[31m';
  const run = (argv: string[], env: Record<string, string>, isTTY: boolean) => cli(argv, { cwd: dir, env, isTTY });

  it('on for a terminal', async () => {
    expect((await run(['--cwd', 'missing', 'lock'], {}, true)).stderr).toContain(`${RED}error:`);
  });

  it('off when stdout is not a terminal', async () => {
    expect((await run(['--cwd', 'missing', 'lock'], {}, false)).stderr).not.toContain('\u001b[');
  });

  it('off with --no-color', async () => {
    expect((await run(['--no-color', '--cwd', 'missing', 'lock'], {}, true)).stderr).not.toContain('\u001b[');
  });

  it('off with NO_COLOR', async () => {
    expect((await run(['--cwd', 'missing', 'lock'], { NO_COLOR: '1' }, true)).stderr).not.toContain('\u001b[');
  });

  it('FORCE_COLOR turns them on without a terminal; FORCE_COLOR=0 off', async () => {
    expect((await run(['--cwd', 'missing', 'lock'], { FORCE_COLOR: '1' }, false)).stderr).toContain(`${RED}error:`);
    expect((await run(['--cwd', 'missing', 'lock'], { FORCE_COLOR: '0' }, true)).stderr).not.toContain('\u001b[');
  });

  it('colorEnabled precedence', () => {
    expect(colorEnabled({ flag: false, env: { FORCE_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(colorEnabled({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(colorEnabled({ env: { NO_COLOR: '' }, isTTY: true })).toBe(true);
    expect(colorEnabled({ env: { TERM: 'dumb' }, isTTY: true })).toBe(false);
  });
});

describe('passwords never reach the output', () => {
  it('a password from DATABASE_URL is redacted from every line, whatever the message', async () => {
    const r = await cli(['--cwd', 'hunter2', 'lock'], { cwd: dir, env: { DATABASE_URL: 'postgres://app:hunter2@db.example.com/prod' } });
    expect(r.stderr).toBe('error: --cwd: no such directory: ****\n');
  });

  it('a password from --database-url is redacted', async () => {
    const r = await cli(['--database-url', 'postgres://app:s3cr3t@h/db', '--cwd', 's3cr3t', 'lock'], { cwd: dir });
    expect(r.stderr).toBe('error: --cwd: no such directory: ****\n');
  });

  it('a password from the config file is redacted once the config is loaded', async () => {
    await writeFile(path.join(dir, 'archon-migrate.config.json'), JSON.stringify({ databaseUrl: 'postgres://app:swordfish@h/db' }));
    const r = await cli(['create', 'swordfish'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created migrations/001_****.sql');
    expect(r.stdout).not.toContain('swordfish');
  });

  it('a password in a .env URL is redacted too', async () => {
    await writeFile(path.join(dir, '.env'), 'DATABASE_URL=postgres://app:hunter2@h/db\n');
    await mkdir(path.join(dir, 'migrations'));
    const r = await cli(['create', 'hunter2'], { cwd: dir });
    expect(r.stdout).toContain('Created migrations/001_****.sql');
  });

  it('urlSecrets', () => {
    expect(urlSecrets('postgres://u:p%40ss@h/db?password=two')).toEqual(['p%40ss', 'two']);
    expect(urlSecrets('postgres://h/db')).toEqual([]);
    expect(urlSecrets(undefined)).toEqual([]);
  });

  it('the Output redacts every channel', () => {
    let out = '';
    let err = '';
    const o = new CliOutput({ stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, { isTTY: false, color: false, quiet: false });
    o.addSecrets(['pw']);
    o.info('a pw');
    o.result('b pw');
    o.json({ url: 'postgres://u:pw@h/db' });
    o.warn('c pw');
    expect(out).toBe('a ****\nb ****\n{\n  "url": "postgres://u:****@h/db"\n}\n');
    expect(err).toBe('c ****\n');
  });
});

describe('renderError', () => {
  it('prints the fix of an expected error and the exit code it carries', () => {
    expect(renderError(failedError('blocked', 'Do this.'), { verbose: false })).toEqual({ lines: ['error: blocked', '  fix: Do this.'], exitCode: 1 });
  });

  it('prints detail and hint of a database error', () => {
    const error = Object.assign(new Error('relation "x" does not exist'), { detail: 'D', hint: 'H' });
    expect(renderError(error, { verbose: false })).toEqual({ lines: ['error: relation "x" does not exist', '  detail: D', '  hint: H'], exitCode: 1 });
  });
});

describe('the built bin', () => {
  const bin = path.join(repo, 'dist', 'cli', 'main.js');

  it('answers --version without loading the CLI', async () => {
    if (!existsSync(bin)) await exec('npx', ['tsup'], { cwd: repo });
    const { stdout } = await exec(process.execPath, [bin, '--version']);
    expect(stdout).toBe(`${version}\n`);
  });

  it('sets the exit code of the process', async () => {
    if (!existsSync(bin)) await exec('npx', ['tsup'], { cwd: repo });
    const error = await exec(process.execPath, [bin, 'nope'], { cwd: dir }).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(error?.code).toBe(2);
    expect(error?.stderr).toContain("error: unknown command 'nope'");
  });
});

describe('openDatabase', () => {
  async function context(env: Record<string, string>, jsonMode = false) {
    const { createContext } = await import('../../src/cli/context.js');
    let stdout = '';
    let stderr = '';
    const out = new CliOutput({ stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }, { isTTY: false, color: false, quiet: false });
    out.jsonMode = jsonMode;
    const ctx = createContext({ cwd: dir, env, global: {}, out });
    return { ctx, output: () => ({ stdout, stderr }) };
  }

  it('ARCHON_MIGRATE_DRIVER=pg-mem selects pg-mem', async () => {
    const { ctx, output } = await context({ ARCHON_MIGRATE_DRIVER: 'pg-mem' });
    const db = await ctx.openDatabase(await ctx.loadConfig());
    try {
      expect(db.kind).toBe('pg-mem');
    } finally {
      await db.close();
    }
    expect(output()).toEqual({ stdout: '', stderr: '' });
  });

  it('without a URL opens PGlite in .archon/pglite and says so first', async () => {
    const { ctx, output } = await context({});
    const db = await ctx.openDatabase(await ctx.loadConfig());
    try {
      expect(db.kind).toBe('pglite');
      expect(await db.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
    expect(output()).toEqual({ stdout: 'Using the embedded PostgreSQL (PGlite) in .archon/pglite — set DATABASE_URL to use a server.\n', stderr: '' });
    expect(existsSync(path.join(dir, '.archon', 'pglite'))).toBe(true);
  });
});
