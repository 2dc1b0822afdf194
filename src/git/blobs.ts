/**
 * File listings and blob contents from the index and from revisions. Listings give blob ids;
 * contents are then read by id through one `cat-file --batch` (exec-git.ts), so any path —
 * spaces, unicode, newlines — is safe and many files cost one process.
 */
import { CatFileBatch, execGit, type GitOptions } from './exec-git.js';

export interface TreeEntry {
  mode: string;
  /** Blob id. */
  blob: string;
  /** Path relative to the repository root, `/`-separated. */
  path: string;
}

/**
 * Parses `git ls-files -s -z` output: `<mode> <oid> <stage>\t<path>\0`. Only stage 0 entries are
 * kept (an unmerged path has stages 1–3 and no stage 0; such paths are returned in `unmerged`).
 */
export function parseLsFilesStageZ(output: string): { entries: TreeEntry[]; unmerged: string[] } {
  const entries: TreeEntry[] = [];
  const unmerged = new Set<string>();
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const m = /^([0-7]{6}) ([0-9a-f]+) ([0-3])$/.exec(tab === -1 ? '' : record.slice(0, tab));
    if (!m) throw new Error(`unexpected git ls-files -s record: ${JSON.stringify(record.slice(0, 120))}`);
    const path = record.slice(tab + 1);
    if (m[3] === '0') entries.push({ mode: m[1]!, blob: m[2]!, path });
    else unmerged.add(path);
  }
  return { entries, unmerged: [...unmerged] };
}

/** Parses `git ls-tree -r -z` output: `<mode> <type> <oid>\t<path>\0`; only blobs are kept. */
export function parseLsTreeZ(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const m = /^([0-7]{6}) ([a-z]+) ([0-9a-f]+)$/.exec(tab === -1 ? '' : record.slice(0, tab));
    if (!m) throw new Error(`unexpected git ls-tree record: ${JSON.stringify(record.slice(0, 120))}`);
    if (m[2] !== 'blob') continue;
    entries.push({ mode: m[1]!, blob: m[3]!, path: record.slice(tab + 1) });
  }
  return entries;
}

function dirPathspec(dir: string): string {
  return dir === '' || dir === '.' ? '.' : dir.replace(/\/+$/, '') + '/';
}

/**
 * Files in the index under `dir` (relative to the repository root; '' = everything).
 * `git` must run at the repository root.
 */
export async function listIndex(git: GitOptions, dir: string): Promise<{ entries: TreeEntry[]; unmerged: string[] }> {
  const { stdout } = await execGit(git, ['ls-files', '-s', '-z', '--full-name', '--', `:(literal)${dirPathspec(dir)}`]);
  return parseLsFilesStageZ(stdout.toString('utf8'));
}

/** Files at revision `rev` under `dir` (relative to the repository root; '' = everything). */
export async function listTree(git: GitOptions, rev: string, dir: string): Promise<TreeEntry[]> {
  const { stdout } = await execGit(git, ['ls-tree', '-r', '-z', '--full-tree', rev, '--', dirPathspec(dir)]);
  return parseLsTreeZ(stdout.toString('utf8'));
}

/** One blob from the index (`:path`), or undefined if the path is not staged. */
export async function readIndexFile(git: GitOptions, path: string): Promise<Buffer | undefined> {
  return readObjects(git, [`:${path}`]).then((r) => r[0]);
}

/** One file at a revision (`REV:path`), or undefined if it does not exist there. */
export async function readRevisionFile(git: GitOptions, rev: string, path: string): Promise<Buffer | undefined> {
  return readObjects(git, [`${rev}:${path}`]).then((r) => r[0]);
}

/** Many objects (blob ids, `:path`, `REV:path`) through one `git cat-file --batch` process. */
export async function readObjects(git: GitOptions, objects: readonly string[]): Promise<(Buffer | undefined)[]> {
  if (objects.length === 0) return [];
  const batch = new CatFileBatch(git);
  try {
    return await batch.readMany(objects);
  } finally {
    batch.close();
  }
}
