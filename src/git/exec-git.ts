/**
 * The only place in the package that spawns git (STYLE: one seam per outside world).
 *
 * Every call runs `git --no-optional-locks -c core.quotepath=false <args>`: no optional index
 * refresh (a guard running inside a pre-commit hook must never race git for `index.lock`), and
 * paths come back as bytes. Callers ask for `-z` output and parse it with the pure functions in
 * staged-changes.ts and blobs.ts. The environment is inherited unless one is passed: inside a
 * hook git sets GIT_INDEX_FILE (e.g. for `git commit <paths>`), and we must read that index.
 */
import { execFile, spawn } from 'node:child_process';
import { ArchonError } from '../core/errors.js';

export type GitEnv = Readonly<Record<string, string | undefined>>;

export interface GitOptions {
  /** Directory git runs in. */
  cwd: string;
  /** Environment for git; inherited from this process when omitted. */
  env?: GitEnv;
}

const BASE_ARGS = ['--no-optional-locks', '-c', 'core.quotepath=false'];

export class GitError extends ArchonError {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly stderr: string;

  constructor(args: readonly string[], code: number | null, stderr: string, cause?: unknown) {
    const first = stderr.trim().split('\n')[0] ?? '';
    super(`git ${args.join(' ')} failed${code === null ? '' : ` (exit ${code})`}${first ? `: ${first}` : ''}`, { exitCode: 2, cause });
    this.name = 'GitError';
    this.args = args;
    this.code = code;
    this.stderr = stderr;
  }
}

function childEnv(env: GitEnv | undefined): NodeJS.ProcessEnv | undefined {
  if (env === undefined) return undefined;
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out.GIT_OPTIONAL_LOCKS = '0';
  return out;
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  /** Exit code; 0 unless listed in `okCodes`. */
  code: number;
}

/**
 * Runs git and resolves with its output. Exit codes other than 0 (and `okCodes`) reject with a
 * GitError carrying git's first stderr line; a missing git binary rejects with a clear message.
 */
export function execGit(git: GitOptions, args: readonly string[], okCodes: readonly number[] = []): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', [...BASE_ARGS, ...args], { cwd: git.cwd, env: childEnv(git.env), encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderrBuf) => {
        const stderr = stderrBuf.toString('utf8');
        if (error) {
          const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
          if (code === 'ENOENT') {
            reject(new ArchonError('git is not installed or not on PATH', { exitCode: 2, hint: 'Install git; the guard and verify read the repository with it.', cause: error }));
            return;
          }
          if (typeof code === 'number' && okCodes.includes(code)) {
            resolve({ stdout, stderr, code });
            return;
          }
          reject(new GitError(args, typeof code === 'number' ? code : null, stderr, error));
          return;
        }
        resolve({ stdout, stderr, code: 0 });
      });
  });
}

/**
 * One long-lived `git cat-file --batch -z` process: many blobs, one spawn. Requests are object
 * names (a blob id, `:path` for the index, `REV:path`); `-z` makes paths with newlines safe.
 * Replies arrive in request order, so requests are queued and answered FIFO.
 */
export class CatFileBatch {
  private readonly child: ReturnType<typeof spawn>;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: { resolve: (v: Buffer | undefined) => void; reject: (e: unknown) => void }[] = [];
  private failure: unknown;
  private stderr = '';

  constructor(git: GitOptions) {
    this.child = spawn('git', [...BASE_ARGS, 'cat-file', '--batch', '-z'], { cwd: git.cwd, env: childEnv(git.env), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString('utf8'); });
    this.child.on('error', (error) => this.fail(error));
    this.child.on('close', (code) => {
      if (this.pending.length > 0) this.fail(new GitError(['cat-file', '--batch', '-z'], code, this.stderr));
    });
    this.child.stdin!.on('error', (error) => this.fail(error));
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    for (const p of this.pending.splice(0)) p.reject(error);
  }

  private drain(): void {
    while (this.pending.length > 0) {
      const reply = parseCatFileReply(this.buffer);
      if (reply === undefined) return;
      this.buffer = this.buffer.subarray(reply.consumed);
      this.pending.shift()!.resolve(reply.content);
    }
  }

  /** Content of one object, or undefined when it does not exist. */
  read(object: string): Promise<Buffer | undefined> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin!.write(object + '\0');
    });
  }

  readMany(objects: readonly string[]): Promise<(Buffer | undefined)[]> {
    return Promise.all(objects.map((o) => this.read(o)));
  }

  close(): void {
    this.child.stdin!.end();
  }
}

/**
 * Parses one reply of `git cat-file --batch` from the start of `buffer`:
 * `<oid> <type> <size>\n<content>\n` or `<name> missing\n` (also `ambiguous`).
 * Returns undefined when the buffer does not yet hold a complete reply.
 */
export function parseCatFileReply(buffer: Buffer): { content: Buffer | undefined; consumed: number } | undefined {
  const eol = buffer.indexOf(0x0a);
  if (eol === -1) return undefined;
  const header = buffer.subarray(0, eol).toString('utf8');
  if (header.endsWith(' missing') || header.endsWith(' ambiguous')) return { content: undefined, consumed: eol + 1 };
  const m = /^[0-9a-f]+ [a-z]+ ([0-9]+)$/.exec(header);
  if (!m) throw new ArchonError(`unexpected reply from git cat-file: ${JSON.stringify(header.slice(0, 100))}`, { exitCode: 2 });
  const size = Number(m[1]);
  const end = eol + 1 + size;
  if (buffer.length < end + 1) return undefined;
  return { content: Buffer.from(buffer.subarray(eol + 1, end)), consumed: end + 1 };
}
