/**
 * Repository facts: root, HEAD, merge-base, revision lookup; and mapping the config's absolute
 * paths to repository paths (what git's listings and pathspecs use).
 */
import { realpathSync } from 'node:fs';
import { dirname, basename, join, relative, sep } from 'node:path';
import { ArchonError } from '../core/errors.js';
import { execGit, GitError, type GitOptions } from './exec-git.js';

export interface RepoInfo {
  /** Absolute path of the working tree's top level (of this worktree). */
  root: string;
  /** Commit id of HEAD, or undefined before the first commit. */
  head: string | undefined;
}

/** Parses `git rev-parse --show-toplevel --verify -q HEAD` output (toplevel line, then HEAD's id if any). */
export function parseRevParseRepo(output: string): RepoInfo {
  const lines = output.split('\n').filter((l) => l !== '');
  const root = lines[0];
  if (root === undefined) throw new Error('git rev-parse printed no top level');
  const head = lines[1];
  return { root, head: head !== undefined && /^[0-9a-f]{40,64}$/.test(head) ? head : undefined };
}

/** Root and HEAD in one spawn. Throws (exit 2) outside a git working tree. */
export async function repoInfo(git: GitOptions): Promise<RepoInfo> {
  let result;
  try {
    // --verify -q exits 1 without HEAD (fresh repository) after printing the top level.
    result = await execGit(git, ['rev-parse', '--show-toplevel', '--verify', '-q', 'HEAD'], [1]);
  } catch (error) {
    if (error instanceof GitError) {
      throw new ArchonError(`${git.cwd} is not inside a git working tree`, { exitCode: 2, hint: 'Run this command in a git repository (`git init` first).', cause: error });
    }
    throw error;
  }
  return parseRevParseRepo(result.stdout.toString('utf8'));
}

/** Whether HEAD points at a commit. */
export async function headExists(git: GitOptions): Promise<boolean> {
  return (await repoInfo(git)).head !== undefined;
}

/** Repository top level (`git rev-parse --show-toplevel`). */
export async function repoRoot(git: GitOptions): Promise<string> {
  return (await repoInfo(git)).root;
}

/** Commit id of `rev`, or undefined when it does not name a commit. */
export async function resolveCommit(git: GitOptions, rev: string): Promise<string | undefined> {
  const { stdout, code } = await execGit(git, ['rev-parse', '--verify', '-q', '--end-of-options', `${rev}^{commit}`], [1]);
  return code === 0 ? stdout.toString('utf8').trim() : undefined;
}

/** Best common ancestor of two revisions, or undefined when they share no history (or a shallow clone cut it). */
export async function mergeBase(git: GitOptions, a: string, b: string): Promise<string | undefined> {
  const { stdout, code } = await execGit(git, ['merge-base', '--end-of-options', a, b], [1]);
  return code === 0 ? stdout.toString('utf8').trim() : undefined;
}

/** Whether the repository is a shallow clone (CI checkouts default to depth 1). */
export async function isShallow(git: GitOptions): Promise<boolean> {
  const { stdout } = await execGit(git, ['rev-parse', '--is-shallow-repository']);
  return stdout.toString('utf8').trim() === 'true';
}

function realpathOfExisting(path: string): string {
  // The path may not exist (a deleted directory); resolve its longest existing ancestor.
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/**
 * `absolute` as a repository path ('' for the root, `/`-separated), resolving symlinks on both
 * sides (git reports the real top level). Throws (exit 2) for paths outside the repository.
 */
export function toRepoPath(root: string, absolute: string): string {
  const rel = relative(realpathOfExisting(root), realpathOfExisting(absolute));
  if (rel.startsWith('..') || rel.startsWith(sep + sep) || /^[A-Za-z]:/.test(rel) || rel.startsWith('/')) {
    throw new ArchonError(`${absolute} is outside the git repository ${root}`, { exitCode: 2, hint: 'Keep migrations and the lockfile inside the repository.' });
  }
  return rel.split(sep).join('/');
}
