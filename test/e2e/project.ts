/**
 * A consumer project for the e2e tests: a copy of the installed template (see pack.ts), made a
 * git repository, wired with `archon-migrate init` and husky, driven with real `git commit`s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cleanEnv, packed } from './pack.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class Project {
  constructor(readonly dir: string, private readonly env: NodeJS.ProcessEnv = cleanEnv()) {}

  run(command: string, args: readonly string[], extraEnv: Record<string, string> = {}): Run {
    const r = spawnSync(command, args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, encoding: 'utf8' });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** git, throwing on failure (for setup steps). */
  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The installed CLI, run with node directly. */
  cli(args: readonly string[], extraEnv: Record<string, string> = {}): Run {
    return this.run(process.execPath, [join(this.dir, 'node_modules', 'archon-migrate', 'dist', 'cli', 'main.js'), ...args], extraEnv);
  }

  /** `git commit` through the hooks. */
  commit(message: string, ...flags: string[]): Run {
    return this.run('git', ['commit', '-q', '-m', message, ...flags]);
  }

  write(path: string, content: string | Uint8Array): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), content);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  /** An independent copy (working tree and .git; node_modules stays the shared template's). */
  copy(): Project {
    const dir = mkdtempSync(join(tmpdir(), 'archon-e2e-'));
    copyProject(this.dir, dir);
    return new Project(dir, this.env);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Copies a project without its node_modules, which becomes a symlink to the installed template's
 * (never written by a test). Copying the 44 MB node_modules with `cp -r` cost ~0.5 s per
 * scenario on the development machine; the link costs nothing.
 */
function copyProject(from: string, to: string): void {
  const { template } = packed();
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => src !== join(from, 'node_modules') });
  symlinkSync(join(template, 'node_modules'), join(to, 'node_modules'), 'dir');
}

function must(r: Run, what: string): Run {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * A fresh project: template copy, `git init`, optional files, `archon-migrate init`, husky
 * installed by `npm run prepare`, first commit made through the hook.
 */
export function newProject(options: { files?: Record<string, string>; packageJson?: (pkg: Record<string, unknown>) => void; init?: boolean } = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'archon-e2e-'));
  copyProject(packed().template, dir);
  const p = new Project(dir);
  p.git('init', '-q', '-b', 'main');
  p.git('config', 'commit.gpgsign', 'false');
  p.git('config', 'core.autocrlf', 'false');
  if (options.packageJson) {
    const pkg = JSON.parse(p.read('package.json')) as Record<string, unknown>;
    options.packageJson(pkg);
    p.write('package.json', JSON.stringify(pkg, null, 2) + '\n');
  }
  for (const [path, content] of Object.entries(options.files ?? {})) p.write(path, content);
  if (options.init !== false) {
    must(p.cli(['init']), 'archon-migrate init');
    must(p.run('npm', ['run', '--silent', 'prepare']), 'npm run prepare');
    p.write('.gitignore', p.read('.gitignore') + 'node_modules/\n');
    p.git('add', '-A');
    must(p.commit('wire archon-migrate'), 'first commit');
  }
  return p;
}

export const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n';
export const EMAIL = 'ALTER TABLE users ADD COLUMN email text;\n';

/** A project whose HEAD seals 001 and 002 (sealed with `archon-migrate lock`). */
export function sealedProject(): Project {
  const p = newProject({ packageJson: (pkg) => { pkg['lint-staged'] = { '*.js': 'node --check' }; } });
  p.write('migrations/001_create_users.sql', USERS);
  p.write('migrations/002_add_email.sql', EMAIL);
  must(p.cli(['lock']), 'archon-migrate lock');
  p.git('add', '-A');
  must(p.commit('add and seal 001, 002'), 'sealing commit');
  return p;
}
