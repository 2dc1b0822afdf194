/**
 * The pre-commit guard (DESIGN §5): judges the index — what `git commit` is about to record —
 * against HEAD, with the pure rules of core/guard-rules.ts.
 *
 * HEAD is judged where HEAD kept its migrations: the places named by HEAD's config, which the
 * commit may change (config-at-revision.ts; the config files are read from HEAD and the index only
 * when the commit stages one). When HEAD's and the index's configs name the same places (almost
 * every commit), the guard does as little as possible:
 *   1. `git rev-parse` (root + HEAD) and `git diff --cached --raw` in parallel;
 *   2. nothing else when no staged change touches the migrations directory or the lockfile;
 *   3. otherwise `git ls-files -s` of the migrations directory and, started alongside it, one
 *      `git cat-file --batch` for the two lockfiles (read once when unchanged) and the changed
 *      migrations.
 * When they name other places, guard-snapshot.ts compares HEAD's directory with the index's new
 * one file by file, so that only a move with every seal unchanged passes.
 *
 * It always reads the staged change list itself, so deletions and renames are seen even when
 * lint-staged (whose --diff-filter never passes deleted paths or a rename's old path) calls it
 * with file arguments.
 */
import { checksum } from '../core/checksum.js';
import { checkGuard, type GuardInput, type GuardReport } from '../core/guard-rules.js';
import { isSqlName, migrationSourceProblems, type SourceProblem } from '../core/migration-source.js';
import { readConfigFilesAt, type ConfigAtRevision } from './config-at-revision.js';
import { CatFileBatch, type GitEnv, type GitOptions } from './exec-git.js';
import { inDir, inPlaceSnapshot, movedSnapshot, type IndexSnapshot, type Places } from './guard-snapshot.js';
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
  /** The config at HEAD and in the index; without it, both are taken to name the paths above. */
  config?: ConfigAtRevision;
}

export interface GuardResult extends GuardReport {
  /** False when the commit touches neither the migrations directory nor the lockfile (nothing was judged). */
  checked: boolean;
  /** Repository paths of the staged changes that concern migrations (for the summary line). */
  changes: StagedChange[];
  migrationsDir: string;
  lockfile: string;
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

/**
 * The places HEAD's config and the index's config name, as repository paths. A commit that does
 * not stage a config file keeps HEAD's config, taken to be the loaded one: an unstaged edit of the
 * config is not what the commit records, and such a commit is judged by verify (no extra git
 * process on every commit for it).
 */
async function resolvePlaces(git: GitOptions, info: RepoInfo, options: GuardOptions, changes: readonly StagedChange[]): Promise<Places> {
  const here = { dir: toRepoPath(info.root, options.migrationsDir), lock: toRepoPath(info.root, options.lockfile) };
  const config = options.config;
  if (config === undefined || info.head === undefined) return { base: here, next: here };
  const candidates = new Set(config.candidates.map((c) => toRepoPathOrUndefined(info.root, c)));
  if (!changes.some((c) => candidates.has(c.path) || (c.oldPath !== undefined && candidates.has(c.oldPath)))) return { base: here, next: here };
  const [head, index] = await readConfigFilesAt(git, info.root, config.candidates, ['HEAD', '']);
  const [basePaths, nextPaths] = await Promise.all([config.paths(head!, 'HEAD'), config.paths(index!, 'the index')]);
  const at = (p: { migrationsDir: string; lockfile: string }) => ({ dir: toRepoPath(info.root, p.migrationsDir), lock: toRepoPath(info.root, p.lockfile) });
  return { base: at(basePaths), next: at(nextPaths) };
}

function toRepoPathOrUndefined(root: string, file: string): string | undefined {
  try {
    return toRepoPath(root, file);
  } catch {
    return undefined;
  }
}

export async function runGuard(options: GuardOptions, staged?: Promise<StagedState>): Promise<GuardResult> {
  const git0 = { cwd: options.cwd, ...(options.env ? { env: options.env } : {}) };
  const [info, allChanges] = await (staged ?? readStagedState(options));
  const git = { ...git0, cwd: info.root };
  const places = await resolvePlaces(git, info, options, allChanges);
  const { dir, lock } = places.next;
  const inPlace = places.base.dir === dir && places.base.lock === lock;

  const touches = (p: string | undefined): boolean => p !== undefined && (p === lock || p === places.base.lock || inDir(dir, p) || inDir(places.base.dir, p));
  const changes = allChanges.filter((c) => touches(c.path) || touches(c.oldPath));
  const result = { changes, migrationsDir: dir, lockfile: lock };
  if (changes.length === 0 && inPlace) return { ...result, checked: false, violations: [], warnings: [], baseSeals: [], nextSeals: undefined, moved: [] };

  // cat-file starts while the listings run: both are needed from here on.
  const batch = new CatFileBatch(git);
  try {
    const snapshot = inPlace ? await inPlaceSnapshot(git, places.next, changes) : await movedSnapshot(git, places, changes);
    const report = await judge(batch, snapshot, {
      migrationsDir: dir, lockfile: lock, allowOutOfOrder: options.allowOutOfOrder,
      ...(options.createCommand ? { createCommand: options.createCommand } : {}),
    }, places);
    return { ...report, ...result, checked: true };
  } finally {
    batch.close();
  }
}

/** Reads what the snapshot names, then applies the rules; twice when the commit seals unchanged files. */
async function judge(batch: CatFileBatch, s: IndexSnapshot, options: Pick<GuardInput, 'migrationsDir' | 'lockfile' | 'allowOutOfOrder' | 'createCommand'>, places: Places): Promise<GuardReport> {
  const names = [...s.toRead.keys()];
  const headLockRead = s.headLock === undefined ? Promise.resolve(undefined) : batch.read(s.headLock);
  const [headLock, indexLock, ...contents] = await Promise.all([
    headLockRead,
    // An unchanged lockfile is one blob: read it once.
    s.indexLock === undefined ? Promise.resolve(undefined) : s.indexLock === s.headLock ? headLockRead : batch.read(s.indexLock),
    ...names.map((n) => batch.read(s.toRead.get(n)!)),
  ]);
  const problems = new Map<string, SourceProblem[]>();
  names.forEach((n, i) => {
    const b = contents[i];
    if (b === undefined) return;
    s.files.set(n, checksum(b));
    if (!s.notFiles.includes(n) && isSqlName(n)) problems.set(n, migrationSourceProblems(b));
  });

  const input: GuardInput = {
    ...options,
    base: {
      label: 'HEAD', rev: 'HEAD', lockfile: headLock?.toString('utf8'),
      ...(places.base.dir === places.next.dir ? {} : { migrationsDir: places.base.dir }),
      ...(places.base.lock === places.next.lock ? {} : { lockfilePath: places.base.lock }),
    },
    next: { label: 'staged', lockfile: indexLock?.toString('utf8'), files: s.files, problems, notFiles: s.notFiles },
    added: s.added, renames: s.renames,
  };
  let report = checkGuard(input);
  // Seals the commit adds for files it does not change: read those files too, and judge again.
  const baseFiles = new Set(report.baseSeals.map((b) => b.file));
  const unread = (report.nextSeals ?? []).filter((seal) => s.files.get(seal.file) === null && !baseFiles.has(seal.file));
  if (unread.length > 0) {
    const more = await batch.readMany(unread.map((seal) => s.indexBlobs.get(seal.file)!));
    unread.forEach((seal, i) => { const b = more[i]; if (b !== undefined) s.files.set(seal.file, checksum(b)); });
    report = checkGuard(input);
  }
  return report;
}
