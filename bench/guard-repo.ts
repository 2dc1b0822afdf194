/**
 * A throwaway git repository with `count` sealed, committed migrations, for measuring what a
 * pre-commit hook adds to `git commit`. Each measured commit stages the same change — one new
 * migration plus its seal appended to the lockfile, as a developer commits after `up` — and is
 * undone afterwards (`reset --hard HEAD~1`), so every commit sees the identical repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checksum } from '../src/core/checksum.js';
import { serializeLockfile, type Seal } from '../src/core/lockfile.js';
import { cleanEnv } from './tools.js';
import type { Command } from './measure.js';
import { migrationBody, width } from './workloads.js';

export type HookKind = 'none' | 'lint-staged' | 'guard';

export interface GuardRepo {
  dir: string;
  count: number;
  /** Stages the measured change (a new migration + its seal). */
  stage(): void;
  /** The measured command: `git commit`, with or without the pre-commit hook. */
  commit(hook: HookKind): Command;
  /** Checks the commit landed, then undoes it. Throws if the commit did not happen. */
  undo(): void;
  installHook(hook: Exclude<HookKind, 'none'>): void;
}

const HOOKS_DIR = '.git/bench-hooks';

export function createGuardRepo(dir: string, count: number, tools: { node: string; lintStaged: string; archonCli: string }): GuardRepo {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  const env = cleanEnv({ GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' });
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  const w = width(count + 1);
  const fileOf = (i: number): string => `${String(i).padStart(w, '0')}_create_t_${String(i).padStart(w, '0')}.sql`;
  const seals: Seal[] = [];
  for (let i = 1; i <= count; i++) {
    const body = migrationBody(i, count + 1);
    writeFileSync(path.join(dir, 'migrations', fileOf(i)), body);
    seals.push({ file: fileOf(i), checksum: checksum(body) });
  }
  const lockfile = path.join(dir, 'migrations', 'archon-migrate.lock');
  writeFileSync(lockfile, serializeLockfile(seals));
  // lint-staged's no-op: a configuration whose only glob matches nothing that is staged.
  writeFileSync(path.join(dir, '.lintstagedrc.json'), JSON.stringify({ '*.no-such-extension': 'true' }, null, 2) + '\n');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'guard-bench', private: true }, null, 2) + '\n');

  git('init', '-q', '-b', 'main');
  git('config', 'core.hooksPath', HOOKS_DIR);
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', `${count} sealed migrations`);
  mkdirSync(path.join(dir, HOOKS_DIR), { recursive: true });

  const next = count + 1;
  const newBody = migrationBody(next, count + 1);
  const sealedText = readFileSync(lockfile, 'utf8');
  const stagedLockfile = serializeLockfile([...seals, { file: fileOf(next), checksum: checksum(newBody) }]);
  let headBefore = '';

  return {
    dir,
    count,
    stage() {
      writeFileSync(path.join(dir, 'migrations', fileOf(next)), newBody);
      writeFileSync(lockfile, stagedLockfile);
      git('add', path.join('migrations', fileOf(next)), path.join('migrations', 'archon-migrate.lock'));
      headBefore = git('rev-parse', 'HEAD').trim();
    },
    commit(hook) {
      return { file: 'git', args: ['commit', '-q', ...(hook === 'none' ? ['--no-verify'] : []), '-m', 'add a migration'], cwd: dir, env };
    },
    undo() {
      const head = git('rev-parse', 'HEAD').trim();
      if (head === headBefore) throw new Error(`guard bench: the commit in ${dir} did not happen`);
      git('reset', '-q', '--hard', 'HEAD~1');
      if (readFileSync(lockfile, 'utf8') !== sealedText) throw new Error('guard bench: reset did not restore the lockfile');
    },
    installHook(hook) {
      const command = hook === 'guard' ? `"${tools.node}" "${tools.archonCli}" guard` : `"${tools.node}" "${tools.lintStaged}"`;
      const file = path.join(dir, HOOKS_DIR, 'pre-commit');
      writeFileSync(file, `#!/bin/sh\nexec ${command}\n`, { mode: 0o755 });
    },
  };
}
