/**
 * The staged change list: what `git commit` would record, relative to HEAD (or to the empty tree
 * in a repository with no commit yet — `git diff --cached` does that by itself).
 *
 * `git diff --cached --raw -z -M --no-abbrev` gives, per change, both blob ids, so the guard can
 * fetch old and new contents in one `cat-file --batch` without listing whole trees.
 */
import { execGit, type GitOptions } from './exec-git.js';

export type ChangeStatus = 'A' | 'C' | 'D' | 'M' | 'R' | 'T';

export interface StagedChange {
  status: ChangeStatus;
  /** Path after the change, relative to the repository root, `/`-separated. For D: the deleted path. */
  path: string;
  /** For R and C: the path before the change. */
  oldPath?: string;
  /** Blob ids; undefined on the side that does not exist (A: old, D: new). */
  oldBlob?: string;
  newBlob?: string;
  /** For R and C: git's similarity score (0–100). */
  score?: number;
}

const ZERO_OID = /^0+$/;

/**
 * Parses `git diff --raw -z` output (any of --cached / against a revision, with or without -M):
 *   :100644 100644 <old> <new> M\0path\0
 *   :100644 100644 <old> <new> R087\0old path\0new path\0
 * Throws on malformed input (it only ever parses git's own output).
 */
export function parseRawDiffZ(output: string): StagedChange[] {
  const fields = output.split('\0');
  if (fields[fields.length - 1] === '') fields.pop(); // the final NUL
  const changes: StagedChange[] = [];
  let i = 0;
  while (i < fields.length) {
    const meta = fields[i++]!;
    if (meta === '') continue; // trailing NUL
    const m = /^:([0-7]{6}) ([0-7]{6}) ([0-9a-f]+) ([0-9a-f]+) ([ACDMRTUX])([0-9]*)$/.exec(meta);
    if (!m) throw new Error(`unexpected git diff --raw record: ${JSON.stringify(meta.slice(0, 120))}`);
    const [, , , oldOid, newOid, letter, score] = m as unknown as [string, string, string, string, string, string, string];
    const status = letter as ChangeStatus;
    const first = fields[i++];
    if (first === undefined) throw new Error('truncated git diff --raw output');
    const change: StagedChange = { status, path: first };
    if (status === 'R' || status === 'C') {
      const second = fields[i++];
      if (second === undefined) throw new Error('truncated git diff --raw output');
      change.oldPath = first;
      change.path = second;
      if (score !== '') change.score = Number(score);
    }
    if (!ZERO_OID.test(oldOid)) change.oldBlob = oldOid;
    if (!ZERO_OID.test(newOid)) change.newBlob = newOid;
    changes.push(change);
  }
  return changes;
}

/**
 * Parses `git diff --name-status -z` output (`M\0path\0`, `R100\0old\0new\0`). Kept for callers that
 * only need names; the guard uses the raw form for blob ids.
 */
export function parseNameStatusZ(output: string): StagedChange[] {
  const fields = output.split('\0');
  if (fields[fields.length - 1] === '') fields.pop(); // the final NUL
  const changes: StagedChange[] = [];
  let i = 0;
  while (i < fields.length) {
    const code = fields[i++]!;
    if (code === '') continue;
    const m = /^([ACDMRTUX])([0-9]*)$/.exec(code);
    if (!m) throw new Error(`unexpected git diff --name-status record: ${JSON.stringify(code.slice(0, 120))}`);
    const status = m[1] as ChangeStatus;
    const first = fields[i++];
    if (first === undefined) throw new Error('truncated git diff --name-status output');
    if (status === 'R' || status === 'C') {
      const second = fields[i++];
      if (second === undefined) throw new Error('truncated git diff --name-status output');
      changes.push({ status, oldPath: first, path: second, ...(m[2] ? { score: Number(m[2]) } : {}) });
    } else {
      changes.push({ status, path: first });
    }
  }
  return changes;
}

/**
 * The staged changes (index vs HEAD; vs the empty tree before the first commit), renames detected.
 * Paths are relative to the repository root whatever `cwd` is.
 */
export async function stagedChanges(git: GitOptions): Promise<StagedChange[]> {
  const { stdout } = await execGit(git, ['diff', '--cached', '--raw', '-z', '-M', '--no-abbrev', '--diff-filter=ACDMRT', '--no-ext-diff']);
  return parseRawDiffZ(stdout.toString('utf8'));
}

/** Changes between a revision and the working tree's tracked files (for verify), renames detected. */
export async function changesSince(git: GitOptions, rev: string, pathspec?: string): Promise<StagedChange[]> {
  const args = ['diff', '--raw', '-z', '-M', '--no-abbrev', '--diff-filter=ACDMRT', '--no-ext-diff', rev, '--'];
  if (pathspec !== undefined) args.push(pathspec);
  const { stdout } = await execGit(git, args);
  return parseRawDiffZ(stdout.toString('utf8'));
}
