/**
 * How each contender is run, the way its users run it. Every command gets a clean environment
 * (no DATABASE_URL / ARCHON_MIGRATE_* leaking in from the caller) and an explicit database URL.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from './measure.js';

export interface BenchPaths {
  repo: string; // the archon-migrate checkout (dist/ built)
  bindir: string; // PostgreSQL binaries
  work: string; // scratch root for generated workloads
  cli: string; // archon-migrate's built CLI (dist/cli/main.js unless --cli=PATH)
}

export type ToolId = 'floor' | 'archon-migrate' | 'node-pg-migrate' | 'dbmate' | 'postgres-migrations';

export interface Tool {
  id: ToolId;
  label: string;
  note: string;
  /** The migrations directory (or floor script) for a workload of `count`. */
  source(count: number): string;
  /** Applies every pending migration; also the no-op run when nothing is pending. */
  up(url: string, count: number): Command;
  /** Lists applied / pending migrations, when the tool has such a command. */
  status?(url: string, count: number): Command;
  /** Resets per-run state the tool keeps outside the database (archon-migrate: the lockfile). */
  reset?(count: number): void;
  /** Checks the tool's own records after an apply, beyond the tables (archon-migrate: every migration sealed). */
  verify?(count: number): void;
}

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key === 'DATABASE_URL' || key.startsWith('ARCHON_MIGRATE_') || key.startsWith('PG') || key === 'DEBUG') continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  return { ...env, ...extra };
}

export function archonCli(repo: string): string {
  return path.join(repo, 'dist', 'cli', 'main.js');
}

/** Where `npm run bench` installs the peers (bench/peers/package.json), apart from the project's own install. */
export function peersModules(repo: string): string {
  return path.join(repo, 'bench', 'peers', 'node_modules');
}

export function dbmateBinary(repo: string): string {
  // The npm package's bin is a node wrapper that spawns this Go binary; we call the binary
  // directly so dbmate is not charged for a node start-up (~40 ms) its wrapper adds.
  const binary = path.join(peersModules(repo), '@dbmate', `linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`, 'bin', 'dbmate');
  if (!existsSync(binary)) throw new Error(`dbmate binary not found at ${path.relative(repo, binary)}: run \`npm run bench\` (it installs bench/peers)`);
  return binary;
}

/** psql: no SSL/GSS negotiation on a loopback bench server (the node drivers do not try either). */
export function psqlEnv(): Record<string, string> {
  return cleanEnv({ PGSSLMODE: 'disable', PGGSSENCMODE: 'disable' });
}

export function psqlArgs(url: string): string[] {
  return ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url];
}

export function makeTools(p: BenchPaths): Tool[] {
  const node = process.execPath;
  const dir = (name: string, count: number): string => path.join(p.work, `${name}-${count}`);
  return [
    {
      id: 'floor',
      label: 'psql floor',
      note: 'one script, `BEGIN; …; COMMIT;` per file',
      source: (count) => path.join(p.work, `floor-${count}.sql`),
      up: (url, count) => ({ file: path.join(p.bindir, 'psql'), args: [...psqlArgs(url), '-f', path.join(p.work, `floor-${count}.sql`)], env: psqlEnv() }),
    },
    {
      id: 'archon-migrate',
      label: 'archon-migrate',
      note: '`up`',
      source: (count) => dir('archon', count),
      up: (url, count) => ({ file: node, args: [p.cli, 'up', '--cwd', dir('archon', count), '--database-url', url], env: cleanEnv() }),
      status: (url, count) => ({ file: node, args: [p.cli, 'status', '--cwd', dir('archon', count), '--database-url', url], env: cleanEnv() }),
      reset: (count) => rmSync(path.join(dir('archon', count), 'migrations', 'archon-migrate.lock'), { force: true }),
      verify: (count) => {
        const lockfile = path.join(dir('archon', count), 'migrations', 'archon-migrate.lock');
        const entries = existsSync(lockfile) ? readFileSync(lockfile, 'utf8').split('\n').filter((l) => l !== '').length - 1 : 0;
        if (entries !== count) throw new Error(`INVALID MEASUREMENT: archon-migrate up sealed ${Math.max(0, entries)} of ${count} migrations in its lockfile; aborting.`);
      },
    },
    {
      id: 'node-pg-migrate',
      label: 'node-pg-migrate 9',
      note: '`up --no-single-transaction --no-verbose`, `.sql` files',
      source: (count) => dir('node-pg-migrate', count),
      // --no-single-transaction: one transaction per migration, like the others (its default wraps the whole run in one).
      // --no-verbose: it would otherwise log every statement it sends.
      up: (url, count) => ({
        file: node,
        args: [path.join(peersModules(p.repo), 'node-pg-migrate', 'bin', 'node-pg-migrate.js'), 'up', '--migrations-dir', dir('node-pg-migrate', count), '--no-single-transaction', '--no-verbose'],
        cwd: p.work,
        env: cleanEnv({ DATABASE_URL: url }),
      }),
    },
    {
      id: 'dbmate',
      label: 'dbmate 2',
      note: 'Go binary, `up --no-dump-schema`',
      source: (count) => dir('dbmate', count),
      up: (url, count) => ({ file: dbmateBinary(p.repo), args: ['--url', `${url}?sslmode=disable`, '--migrations-dir', dir('dbmate', count), '--no-dump-schema', 'up'], cwd: p.work, env: cleanEnv() }),
      status: (url, count) => ({ file: dbmateBinary(p.repo), args: ['--url', `${url}?sslmode=disable`, '--migrations-dir', dir('dbmate', count), 'status'], cwd: p.work, env: cleanEnv() }),
    },
    {
      id: 'postgres-migrations',
      label: 'postgres-migrations 5',
      note: '`migrate()` from a script',
      source: (count) => dir('postgres-migrations', count),
      up: (url, count) => ({ file: node, args: [path.join(p.repo, 'bench', 'peers', 'postgres-migrations.mjs'), dir('postgres-migrations', count), url], cwd: p.repo, env: cleanEnv() }),
    },
  ];
}
