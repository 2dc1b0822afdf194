// Throwaway real PostgreSQL (and PgBouncer) for the test suite and benchmarks.
//
// The server lives in a fresh temporary directory, listens on 127.0.0.1 on a free random port,
// keeps its unix socket inside that directory and is removed by stop(). initdb, postgres and
// pgbouncer refuse to run as root, so as root they run as the `postgres` user via runuser.
//
// Authentication (pg_hba.conf): the role `archon_pw` must give its password (scram-sha-256),
// everything else on 127.0.0.1 is trusted, so admin URLs need no password.
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

export const PASSWORD_ROLE = 'archon_pw';
export const PASSWORD_ROLE_PASSWORD = 'pw-s3cret-Zq9';

export interface PgServerOptions {
  /** fsync and full_page_writes; default true (benchmarks need real durability). */
  fsync?: boolean;
  maxConnections?: number;
  /** Folder of initdb, pg_ctl and postgres (pg-versions.ts); default: the system's, `pg_config --bindir`. */
  bindir?: string;
}

export interface PgServer {
  readonly bindir: string;
  readonly dir: string;
  readonly port: number;
  readonly socketDir: string;
  readonly logFile: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust auth) */
  url(database?: string): string;
  /** URL of the password role; pass a wrong password to test failures. */
  passwordUrl(database?: string, password?: string): string;
  /** CREATE DATABASE and return its admin URL. */
  createDatabase(name: string): Promise<string>;
  /** Milliseconds start() took, for reports. */
  readonly startMs: number;
  stop(): Promise<void>;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL tool as the postgres user when we are root, directly otherwise. */
async function runAsPostgres(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const [cmd, cmdArgs] = isRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  try {
    const { stdout } = await execFileAsync(cmd, cmdArgs, { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`, { cause: error });
  }
}

export async function pgBindir(): Promise<string> {
  const { stdout } = await execFileAsync('pg_config', ['--bindir']);
  return stdout.trim();
}

/** A port that was free a moment ago (the caller retries if someone else takes it first). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (isRoot) chownSync(dir, postgresIds().uid, postgresIds().gid);
  return dir;
}

let cachedIds: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (cachedIds) return cachedIds;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root but there is no `postgres` user to run the PostgreSQL server as');
  const [, , uid, gid] = line.split(':');
  cachedIds = { uid: Number(uid), gid: Number(gid) };
  return cachedIds;
}

async function chownToPostgres(path: string): Promise<void> {
  if (isRoot) chownSync(path, postgresIds().uid, postgresIds().gid);
}

export async function startPgServer(options: PgServerOptions = {}): Promise<PgServer> {
  const started = Date.now();
  const bindir = options.bindir ?? await pgBindir();
  const dir = await makeTempDir('archon-pg-');
  const dataDir = join(dir, 'data');
  const socketDir = dir;
  const logFile = join(dir, 'server.log');
  const fsync = options.fsync ?? true;

  await runAsPostgres(join(bindir, 'initdb'), [
    '-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=trust',
    '--encoding=UTF8', '--locale=C', '--no-instructions', ...(fsync ? [] : ['--no-sync']),
  ]);

  const hba = join(dataDir, 'pg_hba.conf');
  await writeFile(hba, [
    'local all all trust',
    `host all ${PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256`,
    `host all ${PASSWORD_ROLE} ::1/128 scram-sha-256`,
    'host all all 127.0.0.1/32 trust',
    'host all all ::1/128 trust',
    '',
  ].join('\n'));
  await chownToPostgres(hba);

  const conf = [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    `max_connections = ${Math.max(100, options.maxConnections ?? 200)}`,
    `fsync = ${fsync ? 'on' : 'off'}`,
    `full_page_writes = ${fsync ? 'on' : 'off'}`,
    `synchronous_commit = ${fsync ? 'on' : 'off'}`,
    "password_encryption = 'scram-sha-256'",
    "log_min_messages = 'warning'",
    "log_min_error_statement = 'panic'",
    "timezone = 'UTC'",
  ];

  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    port = await freePort();
    await appendFile(join(dataDir, 'postgresql.conf'), [...conf, `port = ${port}`, ''].join('\n'));
    try {
      await runAsPostgres(join(bindir, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile]);
      lastError = undefined;
      break;
    } catch (error) {
      lastError = error; // most likely the port was taken meanwhile; the later `port =` line wins
    }
  }
  if (lastError) {
    const log = existsSync(logFile) ? await readFile(logFile, 'utf8') : '';
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${String(lastError)}\n${log}`);
  }

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const passwordUrl = (database = 'postgres', password = PASSWORD_ROLE_PASSWORD) =>
    `postgres://${PASSWORD_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  await withClient(url(), async (client) => {
    await client.query(`CREATE ROLE ${PASSWORD_ROLE} LOGIN PASSWORD '${PASSWORD_ROLE_PASSWORD}'`);
  });

  let stopped = false;
  return {
    bindir, dir, port, socketDir, logFile, url, passwordUrl,
    startMs: Date.now() - started,
    async createDatabase(name) {
      await withClient(url(), async (client) => {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
        await client.query(`GRANT ALL ON DATABASE "${name.replace(/"/g, '""')}" TO ${PASSWORD_ROLE}`);
      });
      const created = url(name);
      // The password role gets a schema it can use too.
      await withClient(created, async (client) => {
        await client.query(`GRANT ALL ON SCHEMA public TO ${PASSWORD_ROLE}`);
      });
      return created;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await runAsPostgres(join(bindir, 'pg_ctl'), ['stop', '-m', 'immediate', '-w', '-D', dataDir], { timeoutMs: 30_000 });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a terminated admin connection must not crash the test process
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Terminates every other backend connected to `database` (or only those with the given
 * application_name), as a crash or a failover would. Returns how many were terminated.
 */
export async function terminateBackends(adminUrl: string, database: string, applicationName?: string): Promise<number> {
  return withClient(adminUrl, async (client) => {
    const result = await client.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND ($2::text IS NULL OR application_name = $2)`,
      [database, applicationName ?? null],
    );
    return result.rows[0]?.n ?? 0;
  });
}

/** Backends currently connected to `database`, for leak and pooler assertions. */
export async function backendCount(adminUrl: string, database: string): Promise<number> {
  return withClient(adminUrl, async (client) => {
    const result = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return result.rows[0]?.n ?? 0;
  });
}

export interface PgBouncer {
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  /** postgres://postgres@127.0.0.1:<bouncer port>/<database> — any database of the server. */
  url(database: string): string;
  passwordUrl(database: string, password?: string): string;
  readonly startMs: number;
  stop(): Promise<void>;
}

export const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer';

export async function pgBouncerBinary(): Promise<string> {
  if (existsSync(PGBOUNCER_BINARY)) return PGBOUNCER_BINARY;
  const { stdout } = await execFileAsync('sh', ['-c', 'command -v pgbouncer']).catch(() => ({ stdout: '' }));
  if (!stdout.trim()) throw new Error('pgbouncer is not installed (Debian package `pgbouncer`)');
  return stdout.trim();
}

/**
 * Starts PgBouncer in transaction pooling mode in front of the server on `serverPort`.
 * `[databases] * = …` forwards every database name, so databases created later work too.
 * Clients authenticate with auth_type=trust against userlist.txt, which also holds the plain
 * password PgBouncer itself uses to log in as the password role.
 */
export async function startPgBouncer(serverPort: number): Promise<PgBouncer> {
  const started = Date.now();
  const binary = await pgBouncerBinary();
  const dir = await makeTempDir('archon-pgb-');
  const configFile = join(dir, 'pgbouncer.ini');
  const logFile = join(dir, 'pgbouncer.log');
  const pidFile = join(dir, 'pgbouncer.pid');
  const userlist = join(dir, 'userlist.txt');
  await writeFile(userlist, `"postgres" ""\n"${PASSWORD_ROLE}" "${PASSWORD_ROLE_PASSWORD}"\n`);
  await chownToPostgres(userlist);

  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    port = await freePort();
    await writeFile(configFile, [
      '[databases]',
      `* = host=127.0.0.1 port=${serverPort}`,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${userlist}`,
      'pool_mode = transaction',
      'max_client_conn = 200',
      'default_pool_size = 20',
      'max_db_connections = 0',
      'ignore_startup_parameters = extra_float_digits,options,statement_timeout,lock_timeout',
      `logfile = ${logFile}`,
      `pidfile = ${pidFile}`,
      'server_reset_query =',
      'log_connections = 0',
      'log_disconnections = 0',
      'admin_users = postgres',
      '',
    ].join('\n'));
    await chownToPostgres(configFile);
    try {
      await runAsPostgres(binary, ['-d', configFile], { timeoutMs: 30_000 });
      await waitFor(async () => {
        await withClient(`postgres://postgres@127.0.0.1:${port}/postgres`, (c) => c.query('SELECT 1'));
      }, 15_000);
      lastError = undefined;
      break;
    } catch (error) {
      lastError = error;
      await killFromPidFile(pidFile);
    }
  }
  if (lastError) {
    const log = existsSync(logFile) ? await readFile(logFile, 'utf8') : '';
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start pgbouncer: ${String(lastError)}\n${log}`);
  }

  let stopped = false;
  return {
    port, dir, logFile,
    startMs: Date.now() - started,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    passwordUrl: (database, password = PASSWORD_ROLE_PASSWORD) =>
      `postgres://${PASSWORD_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await killFromPidFile(pidFile);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function killFromPidFile(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

async function waitFor(check: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface NodeChild {
  readonly pid: number | undefined;
  /** Resolves when the process exits. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves with the first stdout line matching `pattern` (rejects on exit or timeout). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs `node <args>` as a child process; used for cross-process lock tests. */
export function spawnNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): NodeChild {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; for (const w of waiters) w(); });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  let exited = false;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => { exited = true; for (const w of waiters) w(); resolve({ code, signal, stdout, stderr }); });
  });
  return {
    pid: child.pid,
    done,
    kill: (signal = 'SIGTERM') => { child.kill(signal); },
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = stdout.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) finish(() => resolve(line));
          else if (exited) finish(() => reject(new Error(`process exited before printing ${pattern}: ${stdout}${stderr}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern}: ${stdout}${stderr}`))), timeoutMs);
        const finish = (f: () => void) => { clearTimeout(timer); waiters.delete(check); f(); };
        waiters.add(check);
        check();
      });
    },
  };
}
