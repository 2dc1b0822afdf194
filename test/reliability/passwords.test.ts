/**
 * A password never appears in any output (DESIGN §6). Every command runs with a password-bearing
 * database URL — the right password, a wrong one, an unreachable server, and a password full of
 * URL-special characters — handed over by flag, environment variable, config file and `.env`,
 * with and without --verbose (which prints stack traces), and no stdout or stderr line may hold
 * the password, raw or URL-encoded.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PASSWORD_ROLE_PASSWORD, pgServerPort } from '../support/databases.js';
import { baseEnv, closedPort, runBinary, runInProcess, tempProject, type CliRun, type Env, type Project } from './harness.js';

const exec = promisify(execFile);

/** Contains `@`, `%`, `/`, `:`, `?` and `#` once decoded: the characters redaction gets wrong most often. */
const SPECIAL_PASSWORD = 'S3cr3t-P@ss/w:rd?#%x';
const WRONG_PASSWORD = 'S3cr3t-P@ss';

function forms(password: string): string[] {
  const out = new Set([password, encodeURIComponent(password), encodeURIComponent(password).toLowerCase()]);
  // The part of the password that survives in any form, for passwords with special characters.
  out.add(password.split(/[@/:?#%]/)[0]!);
  return [...out].filter((f) => f.length >= 6);
}

const projects: Project[] = [];
afterAll(async () => {
  await Promise.all(projects.map((p) => p.cleanup()));
});

const W1 = 'CREATE TABLE widgets (id bigint PRIMARY KEY);\n';
const W2 = 'ALTER TABLE widgets ADD COLUMN name text;\n';

/** A git repository with two migrations (one with a rollback), the lockfile committed on main. */
async function gitProject(): Promise<Project> {
  const p = await tempProject('archon-pw-');
  projects.push(p);
  await p.write('migrations/001_create_widgets.sql', W1);
  await p.write('migrations/002_add_widget_name.sql', W2);
  await p.write('migrations/rollbacks/002_add_widget_name.sql', 'ALTER TABLE widgets DROP COLUMN name;\n');
  const env = baseEnv();
  const lock = await runInProcess(['lock'], p.dir, env);
  expect(lock.code, lock.stderr).toBe(0);
  const git = (...args: string[]) => exec('git', args, { cwd: p.dir, env });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'initial');
  return p;
}

type Delivery = 'flag' | 'DATABASE_URL' | 'ARCHON_MIGRATE_DATABASE_URL' | 'config file' | '.env';

interface Scenario {
  name: string;
  password: string;
  url: (database: string, port: number) => string;
  delivery: Delivery;
  /** Whether commands that connect succeed. */
  connects: boolean;
}

const scenarios: Scenario[] = [
  { name: 'right password', password: PASSWORD_ROLE_PASSWORD, delivery: 'DATABASE_URL', connects: true,
    url: (db, port) => `postgres://archon_pw:${encodeURIComponent(PASSWORD_ROLE_PASSWORD)}@127.0.0.1:${port}/${db}` },
  { name: 'right password, special characters (trusted role)', password: SPECIAL_PASSWORD, delivery: 'config file', connects: true,
    url: (db, port) => `postgresql://postgres:${encodeURIComponent(SPECIAL_PASSWORD)}@127.0.0.1:${port}/${db}?application_name=pw-test` },
  { name: 'wrong password', password: WRONG_PASSWORD, delivery: 'flag', connects: false,
    url: (db, port) => `postgres://archon_pw:${encodeURIComponent(WRONG_PASSWORD)}@127.0.0.1:${port}/${db}` },
  { name: 'wrong password in .env', password: WRONG_PASSWORD, delivery: '.env', connects: false,
    url: (db, port) => `postgres://archon_pw:${encodeURIComponent(WRONG_PASSWORD)}@127.0.0.1:${port}/${db}` },
  { name: 'unreachable server', password: WRONG_PASSWORD, delivery: 'ARCHON_MIGRATE_DATABASE_URL', connects: false,
    url: (db) => `postgres://archon_pw:${encodeURIComponent(WRONG_PASSWORD)}@127.0.0.1:${unreachable}/${db}` },
  { name: 'password as a query parameter', password: WRONG_PASSWORD, delivery: 'flag', connects: false,
    url: (db, port) => `postgres://archon_pw@127.0.0.1:${port}/${db}?password=${encodeURIComponent(WRONG_PASSWORD)}` },
];

let unreachable = 0;

/** Every command with plausible arguments, in an order that makes each one meaningful. */
const COMMANDS: string[][] = [
  ['status'],
  ['status', '--json'],
  ['up', '--dry-run'],
  ['up'],
  ['up', '--json'],
  ['down', '--dry-run'],
  ['down', '--dry-run', '--json'],
  ['create', 'add_gadgets', '--rollback'],
  ['lock'],
  ['lock', '--check'],
  ['baseline', '--to', '003'],
  ['repair'],
  ['guard'],
  ['verify', '--base', 'HEAD'],
  ['verify', '--base', 'HEAD', '--format', 'json'],
  ['init'],
  ['down'],
  ['up', '--to', '999'],
  ['status', '--env', 'nope'],
];

async function deliver(p: Project, s: Scenario, url: string): Promise<{ env: Env; flags: string[] }> {
  switch (s.delivery) {
    case 'flag': return { env: baseEnv(), flags: ['--database-url', url] };
    case 'DATABASE_URL': return { env: baseEnv({ DATABASE_URL: url }), flags: [] };
    case 'ARCHON_MIGRATE_DATABASE_URL': return { env: baseEnv({ ARCHON_MIGRATE_DATABASE_URL: url, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }), flags: [] };
    case 'config file':
      await writeFile(path.join(p.dir, 'archon-migrate.config.json'), JSON.stringify({ databaseUrl: url }) + '\n');
      return { env: baseEnv(), flags: [] };
    case '.env':
      await writeFile(path.join(p.dir, '.env'), `DATABASE_URL=${url}\n`);
      return { env: baseEnv(), flags: [] };
  }
}

function leaks(run: CliRun, password: string): string[] {
  const text = run.stdout + run.stderr;
  return forms(password).filter((f) => text.includes(f));
}

describe.concurrent('no command prints a password', () => {
  for (const s of scenarios) {
    it(`${s.name} (${s.delivery}): every command, with and without --verbose`, async () => {
      unreachable ||= await closedPort();
      const database = await createTestDatabase();
      const url = s.url(database, pgServerPort());
      const p = await gitProject();
      const { env, flags } = await deliver(p, s, url);
      let connected = 0;
      for (const verbose of [false, true]) {
        for (const command of COMMANDS) {
          const argv = [...command, ...flags, ...(verbose ? ['--verbose'] : [])];
          const run = await runInProcess(argv, p.dir, env);
          const shown = `archon-migrate ${argv.join(' ')} → ${run.code}\n${run.stdout}${run.stderr}`;
          expect(leaks(run, s.password), shown).toEqual([]);
          expect([0, 1, 2], shown).toContain(run.code);
          if (command[0] === 'status' && command.length === 1 && run.code === 0) connected++;
        }
      }
      // The scenario did what it says: the right password connects, the others do not.
      expect(connected > 0, `${s.name}: status ${connected > 0 ? 'connected' : 'did not connect'}`).toBe(s.connects);
    }, 300_000);
  }

  it('the built binary, failing to connect with --verbose, prints no password either', async () => {
    unreachable ||= await closedPort();
    const p = await gitProject();
    const url = `postgres://archon_pw:${encodeURIComponent(SPECIAL_PASSWORD)}@127.0.0.1:${pgServerPort()}/postgres`;
    for (const argv of [['up', '--verbose'], ['status', '--json', '--verbose'], ['up', '--dry-run']]) {
      const run = await runBinary(argv, p.dir, baseEnv({ DATABASE_URL: url, DEBUG: 'archon-migrate' }));
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain('password authentication failed for user "archon_pw"');
      expect(leaks(run, SPECIAL_PASSWORD), run.stdout + run.stderr).toEqual([]);
    }
  }, 120_000);
});
