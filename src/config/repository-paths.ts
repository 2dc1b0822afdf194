/**
 * Migrations, rollbacks and the lockfile live inside the repository (DESIGN §3, §5). The lockfile's
 * review, the guard and verify see only what git sees: a path that leads out — `../shared`, an
 * absolute path elsewhere, a symbolic link pointing out — would put sealed history where nothing
 * protects it. Every command refuses such a path (exit 2), naming the field, where it was set and
 * where it leads.
 *
 * The repository is the nearest folder at or above the project root that holds `.git` (a
 * directory, or the file of a worktree or submodule). Without one — a deployment image that
 * carries the files but no git — there is no repository to leave, and any path is accepted.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../core/errors.js';

export type PathField = 'migrationsDir' | 'rollbacksDir' | 'lockfile';

const FIELDS: readonly PathField[] = ['migrationsDir', 'rollbacksDir', 'lockfile'];

/** The nearest folder at or above `dir` holding `.git`, if any. */
export function repositoryRoot(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** `target` with symbolic links resolved as far as it exists (the rest may not exist yet). */
export function realpathOfExisting(target: string): string {
  const missing: string[] = [];
  for (let current = target; ; current = path.dirname(current)) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch {
      if (path.dirname(current) === current) return target;
      missing.push(path.basename(current));
    }
  }
}

function isInside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Throws (exit 2) when a resolved path leads out of the repository. `written` holds the values as
 * the config, environment or flag gave them; `sourceOf` names where a field was set (undefined:
 * the default, derived from migrationsDir).
 */
export function requireInsideRepository(
  resolved: Readonly<Record<PathField, string>> & { root: string },
  written: Partial<Record<PathField, string>>,
  sourceOf: (field: PathField) => string | undefined,
): void {
  const repo = repositoryRoot(resolved.root);
  if (repo === undefined) return;
  const realRepo = realpathOfExisting(repo);
  for (const field of FIELDS) {
    const real = realpathOfExisting(resolved[field]);
    if (isInside(realRepo, real)) continue;
    const source = sourceOf(field);
    const value = written[field];
    const what = source === undefined || value === undefined ? `${field} (by default ${resolved[field]})` : `${source}: ${field} "${value}"`;
    const via = real === resolved[field] ? '' : ` (through a symbolic link, it leads to ${real})`;
    throw usageError(`${what} is outside the repository ${repo}${via}`,
      'Keep migrations, rollbacks and the lockfile inside the repository: git must see them for the lockfile, guard and verify to protect them.');
  }
}
