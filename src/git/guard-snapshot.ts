/**
 * What the guard reads from the index: the files of the migrations directory (checksums only of
 * those the commit changes), the two lockfiles, what the commit adds and renames. Two ways to
 * find "what the commit changes":
 *   - in place (HEAD's and the index's config name the same directory and lockfile): the staged
 *     change list says it, so HEAD's tree is never listed;
 *   - moved: HEAD's directory is listed and compared with the index's new one name by name, blob by
 *     blob, so a file that reappears unchanged at the new place is not even read.
 */
import { basename, posix } from 'node:path';
import { isSqlName } from '../core/migration-source.js';
import { listIndex, listTree, type TreeEntry } from './blobs.js';
import type { GitOptions } from './exec-git.js';
import type { StagedChange } from './staged-changes.js';

/** Repository paths of the migrations directory and the lockfile. */
export interface Place {
  dir: string;
  lock: string;
}

export interface Places {
  /** Where HEAD's config kept them. */
  base: Place;
  /** Where the index's config keeps them. */
  next: Place;
}

export interface IndexSnapshot {
  /** Every name in the directory → checksum, or null when unchanged from HEAD (then not read). */
  files: Map<string, string | null>;
  /** Names to read and checksum → blob id. */
  toRead: Map<string, string>;
  /** Every name in the directory → blob id in the index. */
  indexBlobs: Map<string, string>;
  notFiles: string[];
  added: string[];
  renames: { from: string; to: string }[];
  /** Objects to read for HEAD's and the index's lockfile (blob ids or `HEAD:path`). */
  headLock: string | undefined;
  indexLock: string | undefined;
}

export function inDir(dir: string, path: string): boolean {
  return posix.dirname(path) === (dir === '' ? '.' : dir);
}

/** The index's directory: blob per name, and the `.sql` names that are links or submodules. */
function indexFiles(entries: readonly TreeEntry[], dir: string): { indexBlobs: Map<string, string>; notFiles: string[] } {
  const indexBlobs = new Map<string, string>();
  const notFiles: string[] = [];
  for (const e of entries) {
    if (!inDir(dir, e.path)) continue;
    indexBlobs.set(basename(e.path), e.blob);
    // 120000: a symbolic link (the blob is the link text), 160000: a submodule.
    if ((e.mode === '120000' || e.mode === '160000') && isSqlName(basename(e.path))) notFiles.push(basename(e.path));
  }
  return { indexBlobs, notFiles };
}

export async function inPlaceSnapshot(git: GitOptions, place: Place, changes: readonly StagedChange[]): Promise<IndexSnapshot> {
  const { dir, lock } = place;
  const { entries } = await listIndex(git, dir);
  const { indexBlobs, notFiles } = indexFiles(entries, dir);
  const indexLock = entries.find((e) => e.path === lock)?.blob;

  // HEAD's lockfile: the old side of a staged change to it, else the unchanged index copy.
  let headLock: string | undefined;
  const lockChange = changes.find((c) => (c.path === lock && c.status !== 'A' && c.status !== 'C' && c.status !== 'R') || (c.status === 'R' && c.oldPath === lock));
  if (lockChange) headLock = lockChange.oldBlob;
  else if (!changes.some((c) => c.path === lock)) headLock = indexLock;

  const files = new Map<string, string | null>();
  for (const name of indexBlobs.keys()) files.set(name, null);
  const added: string[] = [];
  const renames: { from: string; to: string }[] = [];
  const toRead = new Map<string, string>();
  for (const c of changes) {
    if (inDir(dir, c.path) && c.newBlob !== undefined && c.status !== 'D') {
      toRead.set(basename(c.path), c.newBlob);
      if (c.status === 'A' || c.status === 'R' || c.status === 'C') added.push(basename(c.path));
    }
    if (c.status === 'R' && c.oldPath !== undefined && inDir(dir, c.oldPath)) {
      renames.push({ from: basename(c.oldPath), to: inDir(dir, c.path) ? basename(c.path) : c.path });
    }
  }
  return { files, toRead, indexBlobs, notFiles, added, renames, headLock, indexLock };
}

export async function movedSnapshot(git: GitOptions, places: Places, changes: readonly StagedChange[]): Promise<IndexSnapshot> {
  const { base, next } = places;
  const [{ entries }, headEntries] = await Promise.all([listIndex(git, next.dir), listTree(git, 'HEAD', base.dir)]);
  const { indexBlobs, notFiles } = indexFiles(entries, next.dir);
  const headBlobs = new Map(headEntries.filter((e) => inDir(base.dir, e.path)).map((e) => [basename(e.path), e.blob]));

  const files = new Map<string, string | null>();
  const toRead = new Map<string, string>();
  const added: string[] = [];
  for (const [name, blob] of indexBlobs) {
    files.set(name, null);
    if (headBlobs.get(name) === blob) continue;
    toRead.set(name, blob);
    if (!headBlobs.has(name)) added.push(name);
  }
  // git's renames out of HEAD's directory, except the move itself (same name, new directory).
  const renames: { from: string; to: string }[] = [];
  for (const c of changes) {
    if (c.status !== 'R' || c.oldPath === undefined || !inDir(base.dir, c.oldPath)) continue;
    const to = inDir(next.dir, c.path) ? basename(c.path) : c.path;
    if (to !== basename(c.oldPath)) renames.push({ from: basename(c.oldPath), to });
  }
  return { files, toRead, indexBlobs, notFiles, added, renames, headLock: `HEAD:${base.lock}`, indexLock: `:${next.lock}` };
}
