/**
 * The packed package for the end-to-end tests, built ONCE per source state and shared by every
 * e2e file (and later runs): the tarball and an installed template project are cached in
 * `<tmpdir>/archon-migrate-e2e/<hash of the package sources>/`. Each scenario copies the
 * template (node_modules included, symlinks kept) instead of running `npm install` again.
 *
 * The build runs in a copy of the sources, so a test run never rewrites the developer's dist/.
 * ARCHON_MIGRATE_E2E_TARBALL=<path> uses a prebuilt tarball instead (CI can pack once).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json', 'README.md', 'QUICKSTART.md'];

/** Environment for child processes: no inherited git or npm-lifecycle state, no user git config. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('GIT_') || k.startsWith('npm_') || k === 'HUSKY' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'E2E', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'E2E', GIT_COMMITTER_EMAIL: 'e2e@example.com',
    NO_COLOR: '1',
    ...extra,
  };
}

function walk(path: string, out: string[]): void {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name), out);
  else out.push(path);
}

function sourceHash(): string {
  const files: string[] = [];
  for (const s of SOURCES) walk(join(REPO, s), files);
  const hash = createHash('sha256');
  for (const f of files) hash.update(relative(REPO, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function withLock<T>(lockDir: string, fn: () => T): T {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}; remove it if no test run is building`);
      execFileSync(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export interface Packed {
  /** The tarball. */
  tarball: string;
  /** A project with the tarball, husky and lint-staged installed: copy it, never modify it. */
  template: string;
  /** Timings of the one-off work, in ms (0 when cached). */
  timings: { build: number; pack: number; install: number };
}

let memo: Packed | undefined;

export function packed(): Packed {
  if (memo) return memo;
  const override = process.env.ARCHON_MIGRATE_E2E_TARBALL;
  const dir = join(tmpdir(), 'archon-migrate-e2e', override ? createHash('sha256').update(override).digest('hex').slice(0, 16) : sourceHash());
  mkdirSync(dir, { recursive: true });
  const timings = { build: 0, pack: 0, install: 0 };
  memo = withLock(join(dir, '.lock'), () => {
    let tarball = override ?? readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f))[0];
    if (tarball === undefined) {
      const work = join(dir, 'src-copy');
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work);
      for (const s of SOURCES) if (existsSync(join(REPO, s))) cpSync(join(REPO, s), join(work, s), { recursive: true });
      symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'), 'dir');
      let t = Date.now();
      execFileSync(process.execPath, [join(REPO, 'node_modules', 'tsup', 'dist', 'cli-default.js')], { cwd: work, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      timings.build = Date.now() - t;
      t = Date.now();
      const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: work, env: cleanEnv(), encoding: 'utf8' }).trim().split('\n').pop()!;
      timings.pack = Date.now() - t;
      tarball = join(dir, name);
      rmSync(work, { recursive: true, force: true });
    }
    const template = join(dir, 'template');
    if (!existsSync(join(template, 'node_modules', 'archon-migrate', 'dist', 'cli', 'main.js'))) {
      rmSync(template, { recursive: true, force: true });
      mkdirSync(template);
      writeFileSync(join(template, 'package.json'), JSON.stringify({ name: 'e2e-app', version: '1.0.0', private: true, type: 'module', scripts: {} }, null, 2) + '\n');
      const t = Date.now();
      const husky = readVersion('husky');
      const lintStaged = readVersion('lint-staged');
      execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', tarball, `husky@${husky}`, `lint-staged@${lintStaged}`],
        { cwd: template, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      timings.install = Date.now() - t;
    }
    return { tarball, template, timings };
  });
  return memo;
}

function readVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}
