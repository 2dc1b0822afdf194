/**
 * Exclusive lock on a directory for one process: `<dir>.lock`, created with O_EXCL, holding the
 * owner's pid, host name and start time. PGlite is single-process: two processes on one data dir
 * would corrupt it, so the second one waits, then fails with a message naming the owner.
 * A lock left behind by a dead process on this host is taken over.
 */
import { hostname } from 'node:os';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { failedError } from '../core/errors.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
}

export interface DirLock {
  readonly path: string;
  release(): void;
}

export interface DirLockOptions {
  /** How long to wait for a live owner; default 30 s. */
  timeoutMs?: number;
  pollMs?: number;
  /** For messages, e.g. "the embedded database in .archon/pglite". */
  what?: string;
}

const held = new Map<string, string>(); // lock path -> our content
let exitHookInstalled = false;

function releaseAllSync(): void {
  for (const [path, content] of held) releaseIfOurs(path, content);
  held.clear();
}

function releaseIfOurs(path: string, content: string): void {
  try {
    if (readFileSync(path, 'utf8') === content) unlinkSync(path);
  } catch {
    // already gone
  }
}

function readOwner(path: string): { owner?: LockOwner; text: string } | 'missing' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.hostname === 'string') {
      return { owner: { pid: owner.pid, hostname: owner.hostname, startedAt: String(owner.startedAt ?? '') }, text };
    }
  } catch {
    // being written right now, or garbage
  }
  return { text };
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a stale lock unless someone replaced it meanwhile. */
function takeOverStale(path: string, stale: string): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over first
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // ignore
  }
  if (moved !== stale) {
    // We moved a fresh lock that a live process had just created: put it back.
    try {
      linkSync(aside, path);
    } catch {
      // another process holds the path now; the owner of the moved lock will notice on release
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // ignore
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function acquireDirLock(dir: string, options: DirLockOptions = {}): Promise<DirLock> {
  const path = `${dir}.lock`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = options.pollMs ?? 100;
  const what = options.what ?? dir;
  const me: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  const content = JSON.stringify(me) + '\n';
  const deadline = Date.now() + timeoutMs;
  let unreadableSince: number | undefined;
  for (;;) {
    try {
      writeFileSync(path, content, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw failedError(`cannot create the lock file ${path} for ${what}: ${(error as Error).message}`,
          'Check that the directory exists and is writable.');
      }
    }
    const read = readOwner(path);
    if (read === 'missing') continue;
    const owner = read.owner;
    if (owner === undefined) {
      // Unreadable: its owner may be writing it. Give it a moment, then treat it as stale.
      unreadableSince ??= Date.now();
      if (Date.now() - unreadableSince > 2_000) {
        takeOverStale(path, read.text);
        unreadableSince = undefined;
        continue;
      }
    } else if (owner.hostname === me.hostname) {
      const stale = owner.pid === process.pid ? !held.has(path) : !isProcessAlive(owner.pid);
      if (stale) {
        takeOverStale(path, read.text);
        continue;
      }
    }
    if (Date.now() >= deadline) {
      const who = owner === undefined
        ? 'another process'
        : `process ${owner.pid}${owner.hostname === me.hostname ? '' : ` on host ${owner.hostname}`}${owner.startedAt ? ` (since ${owner.startedAt})` : ''}`;
      throw failedError(
        `${what} is in use by ${who}; waited ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} for it to finish`,
        `Wait for that process to finish or stop it; if it is not running any more, delete ${path}.`,
      );
    }
    await sleep(pollMs);
  }
  held.set(path, content);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', releaseAllSync);
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      held.delete(path);
      releaseIfOurs(path, content);
    },
  };
}
