/**
 * The config files as other revisions hold them, for guard and verify to judge against the base's
 * own migrations directory and lockfile (src/config/config-at-revision.ts evaluates them; this
 * module only reads them, in one `cat-file --batch`).
 */
import { readFileSync } from 'node:fs';
import { readObjects } from './blobs.js';
import type { GitOptions } from './exec-git.js';
import { toRepoPath } from './repo.js';

/** What guard and verify need to know about the config at another revision. */
export interface ConfigAtRevision {
  /** Absolute paths of the files the config search tries, in its order. */
  candidates: readonly string[];
  /**
   * The absolute paths set by the config that `files` (candidate → content at the revision,
   * undefined when absent there) holds; `label` names the revision in messages.
   */
  paths(files: ReadonlyMap<string, Buffer | undefined>, label: string): Promise<{ migrationsDir: string; lockfile: string }>;
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * The candidates' contents at each revision (`HEAD`, a commit id, or '' for the index), in the
 * candidates' order. A candidate outside the repository is not versioned: it reads the same at
 * every revision, from the working tree.
 */
export async function readConfigFilesAt(git: GitOptions, root: string, candidates: readonly string[], revs: readonly string[]): Promise<Map<string, Buffer | undefined>[]> {
  const repoPaths = candidates.map((file) => {
    try {
      return toRepoPath(root, file);
    } catch {
      return undefined;
    }
  });
  const objects: string[] = [];
  for (const rev of revs) for (const p of repoPaths) if (p !== undefined) objects.push(`${rev}:${p}`);
  const contents = await readObjects(git, objects);
  let i = 0;
  return revs.map(() => new Map(candidates.map((file, k) => [file, repoPaths[k] === undefined ? readIfExists(file) : contents[i++]])));
}
