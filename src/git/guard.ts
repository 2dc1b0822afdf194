/**
 * The pre-commit guard (DESIGN §5): judges the index — what `git commit` is about to record —
 * against HEAD, with the pure rules of core/guard-rules.ts.
 *
 * It always reads the staged change list itself, so deletions and renames are seen even when
 * lint-staged (whose --diff-filter never passes deleted paths or a rename's old path) calls it
 * with file arguments. It runs on every commit, so it does as little as possible:
 *   1. `git rev-parse` (root + HEAD) and `git diff --cached --raw` in parallel;
 *   2. nothing else when no staged change touches the migrations directory or the lockfile;
 *   3. otherwise `git ls-files -s` of the migrations directory and, started alongside it, one
 *      `git cat-file --batch` for the two lockfiles (read once when unchanged) and the changed
 *      migrations — four git processes in all.
 */
import { basename, posix } from 'node:path';
import { checksum } from '../core/checksum.js';
import { checkGuard, type GuardReport } from '../core/guard-rules.js';
import { isSqlName, migrationSourceProblems, type SourceProblem } from '../core/migration-source.js';
import { CatFileBatch, type GitEnv } from './exec-git.js';
import { listIndex } from './blobs.js';
import { repoInfo, toRepoPath, type RepoInfo } from './repo.js';
import { stagedChanges, type StagedChange } from './staged-changes.js';

export interface GuardOptions {
  /** Any directory inside the repository. */
  cwd: string;
  env?: GitEnv;
  /** Absolute paths from the config. */
  migrationsDir: string;
  lockfile: string;
  allowOutOfOrder: boolean;
  createCommand?: string;
}

export interface GuardResult extends GuardReport {
  /** False when the commit touches neither the migrations directory nor the lockfile (nothing was judged). */
  checked: boolean;
  /** Repository paths of the staged changes that concern migrations (for the summary line). */
  changes: StagedChange[];
  migrationsDir: string;
  lockfile: string;
}

function inDir(dir: string, path: string): boolean {
  return posix.dirname(path) === (dir === '' ? '.' : dir);
}

export type StagedState = [RepoInfo, StagedChange[]];

/**
 * Root, HEAD and the staged change list (two git processes, in parallel). Callers may start this
 * before loading the config and pass the promise to runGuard, so git works while the config loads.
 */
export function readStagedState(options: { cwd: string; env?: GitEnv }): Promise<StagedState> {
  const git = { cwd: options.cwd, ...(options.env ? { env: options.env } : {}) };
  return Promise.all([repoInfo(git), stagedChanges(git)]);
}

export async function runGuard(options: GuardOptions, staged?: Promise<StagedState>): Promise<GuardResult> {
  const git0 = { cwd: options.cwd, ...(options.env ? { env: options.env } : {}) };
  const [info, allChanges] = await (staged ?? readStagedState(options));
  const git = { ...git0, cwd: info.root };
  const dir = toRepoPath(info.root, options.migrationsDir);
  const lock = toRepoPath(info.root, options.lockfile);

  const touches = (p: string | undefined): boolean => p !== undefined && (p === lock || inDir(dir, p));
  const changes = allChanges.filter((c) => touches(c.path) || touches(c.oldPath));
  const empty: GuardResult = { checked: false, changes, migrationsDir: dir, lockfile: lock, violations: [], warnings: [], baseSeals: [], nextSeals: undefined };
  if (changes.length === 0) return empty;

  // cat-file starts while ls-files runs: both are needed from here on.
  const batch = new CatFileBatch(git);
  let entries;
  try {
    ({ entries } = await listIndex(git, dir));
  } catch (error) {
    batch.close();
    throw error;
  }
  const indexBlobs = new Map<string, string>();
  const notFiles: string[] = [];
  for (const e of entries) {
    if (!inDir(dir, e.path)) continue;
    indexBlobs.set(basename(e.path), e.blob);
    // 120000: a symbolic link (the blob is the link text), 160000: a submodule.
    if ((e.mode === '120000' || e.mode === '160000') && isSqlName(basename(e.path))) notFiles.push(basename(e.path));
  }
  const indexLockBlob = entries.find((e) => e.path === lock)?.blob;

  // HEAD's lockfile: the old side of a staged change to it, else the unchanged index copy.
  let headLockBlob: string | undefined;
  const lockChange = changes.find((c) => (c.path === lock && c.status !== 'A' && c.status !== 'C' && c.status !== 'R') || (c.status === 'R' && c.oldPath === lock));
  if (lockChange) headLockBlob = lockChange.oldBlob;
  else if (!changes.some((c) => c.path === lock)) headLockBlob = indexLockBlob;

  const files = new Map<string, string | null>();
  for (const name of indexBlobs.keys()) files.set(name, null);
  const added: string[] = [];
  const renames: { from: string; to: string }[] = [];
  const toRead = new Map<string, string>(); // name -> blob
  for (const c of changes) {
    if (inDir(dir, c.path) && c.newBlob !== undefined && c.status !== 'D') {
      toRead.set(basename(c.path), c.newBlob);
      if (c.status === 'A' || c.status === 'R' || c.status === 'C') added.push(basename(c.path));
    }
    if (c.status === 'R' && c.oldPath !== undefined && inDir(dir, c.oldPath)) {
      renames.push({ from: basename(c.oldPath), to: inDir(dir, c.path) ? basename(c.path) : c.path });
    }
  }

  try {
    const names = [...toRead.keys()];
    const headLockRead = headLockBlob === undefined ? Promise.resolve(undefined) : batch.read(headLockBlob);
    const [headLock, indexLock, ...contents] = await Promise.all([
      headLockRead,
      // An unchanged lockfile is one blob: read it once.
      indexLockBlob === undefined ? Promise.resolve(undefined) : indexLockBlob === headLockBlob ? headLockRead : batch.read(indexLockBlob),
      ...names.map((n) => batch.read(toRead.get(n)!)),
    ]);
    const problems = new Map<string, SourceProblem[]>();
    names.forEach((n, i) => {
      const b = contents[i];
      if (b === undefined) return;
      files.set(n, checksum(b));
      if (!notFiles.includes(n) && isSqlName(n)) problems.set(n, migrationSourceProblems(b));
    });

    const input = {
      migrationsDir: dir, lockfile: lock, allowOutOfOrder: options.allowOutOfOrder,
      base: { label: 'HEAD', rev: 'HEAD', lockfile: headLock?.toString('utf8') },
      next: { label: 'staged', lockfile: indexLock?.toString('utf8'), files, problems, notFiles },
      added, renames,
      ...(options.createCommand ? { createCommand: options.createCommand } : {}),
    };
    let report = checkGuard(input);
    // Seals the commit adds for files it does not change: read those files too, and judge again.
    const baseFiles = new Set(report.baseSeals.map((b) => b.file));
    const unread = (report.nextSeals ?? []).filter((s) => files.get(s.file) === null && !baseFiles.has(s.file));
    if (unread.length > 0) {
      const more = await batch.readMany(unread.map((s) => indexBlobs.get(s.file)!));
      unread.forEach((s, i) => { const b = more[i]; if (b !== undefined) files.set(s.file, checksum(b)); });
      report = checkGuard(input);
    }
    return { ...report, checked: true, changes, migrationsDir: dir, lockfile: lock };
  } finally {
    batch.close();
  }
}
