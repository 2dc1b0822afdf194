/**
 * Reading their folder: every regular file (Flyway also scans sub-folders), as bytes, with its
 * path relative to the folder. A missing folder is bad input (exit 2), named with the fix.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../../core/errors.js';
import type { SourceFile } from '../../core/import/converted-migration.js';

export function readSourceFolder(dir: string, shown: string, recursive: boolean): SourceFile[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw usageError(`import: the folder ${shown} does not exist or is not a folder`, 'Pass --dir with the folder that holds their migrations.');
  const entries = readdirSync(dir, { withFileTypes: true, recursive });
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      return { path: path.relative(dir, full).split(path.sep).join('/'), bytes: readFileSync(full) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
