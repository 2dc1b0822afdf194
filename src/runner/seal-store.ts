/**
 * Writing the lockfile from the runner: `up` appends the seals of what it applied (one write when
 * its batch ends, also after a failure; what a killed run could not seal, the next `up` seals)
 * and `down` removes seals that were never committed. Each change is a read-modify-write under a
 * short exclusive file lock (`<lockfile>.lock`, so runners on one machine never lose each other's
 * lines) and is written atomically (temporary file + rename). An existing line is never rewritten.
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mergeSeals, parseLockfile, serializeLockfile, type Seal } from '../core/lockfile.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { acquireDirLock } from '../db/dir-lock.js';
import { displayPath } from './migration-files.js';

async function withLockfileLock<T>(config: ResolvedConfig, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireDirLock(config.lockfile, { timeoutMs: 30_000, what: `the lockfile ${displayPath(config, config.lockfile)}` });
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

async function readCurrent(config: ResolvedConfig): Promise<{ seals: Seal[]; text: string | null }> {
  try {
    const text = await readFile(config.lockfile, 'utf8');
    return { seals: parseLockfile(text, displayPath(config, config.lockfile)), text };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { seals: [], text: null };
    throw error;
  }
}

/** tmp + rename in the same folder: readers see the old file or the new one, never half of it. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/** Appends `add` (never rewriting a line); returns the seals that were not there before. */
export async function addSeals(config: ResolvedConfig, add: readonly Seal[]): Promise<Seal[]> {
  if (add.length === 0) return [];
  return withLockfileLock(config, async () => {
    const { seals, text } = await readCurrent(config);
    const known = new Set(seals.map((s) => s.file));
    const merged = mergeSeals(seals, add);
    const next = serializeLockfile(merged);
    if (next !== text) await writeAtomically(config.lockfile, next);
    return add.filter((s) => !known.has(s.file));
  });
}

/** Removes the seals of `files`; returns the files whose seal was removed. */
export async function removeSeals(config: ResolvedConfig, files: readonly string[]): Promise<string[]> {
  if (files.length === 0) return [];
  return withLockfileLock(config, async () => {
    const { seals, text } = await readCurrent(config);
    if (text === null) return [];
    const drop = new Set(files);
    const kept = seals.filter((s) => !drop.has(s.file));
    if (kept.length === seals.length) return [];
    await writeAtomically(config.lockfile, serializeLockfile(kept));
    return seals.filter((s) => drop.has(s.file)).map((s) => s.file);
  });
}
