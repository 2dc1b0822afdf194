/**
 * What the reliability suite needs around the CLI: run it (in-process through runCli, or the
 * built binary), build a throwaway project, and photograph the project folder and the database
 * so that a refused command can be shown to have written nothing at all.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runCli } from '../../src/cli/run-cli.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = path.join(repoRoot, 'dist', 'cli', 'main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type Env = Record<string, string>;

/**
 * The environment every run gets: nothing from this process except what git needs to find
 * itself and an identity, so a developer's DATABASE_URL or ARCHON_MIGRATE_* never leaks in.
 */
export function baseEnv(extra: Env = {}): Env {
  const env: Env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    GIT_AUTHOR_NAME: 'Reliability',
    GIT_AUTHOR_EMAIL: 'reliability@example.com',
    GIT_COMMITTER_NAME: 'Reliability',
    GIT_COMMITTER_EMAIL: 'reliability@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  return { ...env, ...extra };
}

/** The CLI in this process: the same code path as the bin, streams captured. */
export async function runInProcess(argv: readonly string[], cwd: string, env: Env): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd,
    env,
    isTTY: false,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** The built bin (`node dist/cli/main.js`), as a user runs it. */
export function runBinary(argv: readonly string[], cwd: string, env: Env): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [binPath, ...argv], { cwd, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

export interface Project {
  dir: string;
  write(file: string, content: string | Uint8Array): Promise<void>;
  cleanup(): Promise<void>;
}

/** A temporary project folder with a package.json (the config search stops there). */
export async function tempProject(prefix = 'archon-rel-'): Promise<Project> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(dir, 'package.json'), '{ "name": "fixture", "private": true }\n');
  return {
    dir,
    async write(file, content) {
      const target = path.join(dir, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Every path under `dir` with its bytes (directories as `dir/` with no content), sorted. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  const names = entries
    .map((e) => ({ rel: path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'), isDir: e.isDirectory(), isFile: e.isFile() }))
    .filter((e) => !e.rel.startsWith('.git/'))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const e of names) {
    if (e.isDir) out[`${e.rel}/`] = '';
    else if (e.isFile) out[e.rel] = (await readFile(path.join(dir, e.rel))).toString('base64');
    else out[e.rel] = '<special>';
  }
  return out;
}

/**
 * Every table in every non-system schema, and the rows of every table whose name looks like a
 * ledger (so that a ledger created under an unexpected name is seen as well).
 */
export async function snapshotDb(url: string): Promise<{ schemas: string[]; tables: string[]; ledgers: Record<string, unknown[]> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schemas = (await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
         AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%' ORDER BY nspname`,
    )).rows.map((r) => r.nspname);
    const tables = (await client.query<{ schema: string; name: string; kind: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'
          AND c.relkind IN ('r', 'p', 'v', 'm', 'i', 'S', 'f')
        ORDER BY 1, 2`,
    )).rows;
    const ledgers: Record<string, unknown[]> = {};
    for (const t of tables) {
      if (t.kind !== 'r' || !/migration|archon/i.test(t.name)) continue;
      const q = `"${t.schema.replace(/"/g, '""')}"."${t.name.replace(/"/g, '""')}"`;
      ledgers[`${t.schema}.${t.name}`] = (await client.query(`SELECT * FROM ${q} ORDER BY 1`)).rows.map((r: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])));
    }
    return { schemas, tables: tables.map((t) => `${t.schema}.${t.name} (${t.kind})`), ledgers };
  } finally {
    await client.end();
  }
}

/** Lines that look like a JavaScript stack frame. */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at\s/.test(l));
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
