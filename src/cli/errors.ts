/**
 * How the CLI reports a failure. An ArchonError is expected: `error: <message>` and its fix,
 * exit code from the error. Anything else is a bug or an environment problem: `error: <message>`,
 * exit 1. Stack traces (and causes) only with --verbose or DEBUG naming archon-migrate.
 */
import { ArchonError } from '../core/errors.js';

export interface RenderedError {
  lines: string[];
  exitCode: number;
}

export function debugEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const debug = env.DEBUG ?? '';
  return debug.split(/[\s,]+/).some((d) => d === '*' || d === 'archon-migrate' || d.startsWith('archon-migrate'));
}

export function renderError(error: unknown, options: { verbose: boolean }): RenderedError {
  const lines: string[] = [];
  const expected = error instanceof ArchonError;
  const message = error instanceof Error ? error.message : String(error);
  lines.push(`error: ${message || (error instanceof Error ? error.name : 'unknown error')}`);
  if (expected && error.hint) for (const fix of error.hint.split('\n')) lines.push(`  fix: ${fix}`);
  if (!expected && error instanceof Error) {
    // Database errors carry PostgreSQL's detail and hint.
    const { detail, hint } = error as { detail?: unknown; hint?: unknown };
    if (typeof detail === 'string' && detail !== '') lines.push(`  detail: ${detail}`);
    if (typeof hint === 'string' && hint !== '') lines.push(`  hint: ${hint}`);
  }
  if (options.verbose) {
    let current: unknown = error;
    let depth = 0;
    while (current instanceof Error && depth < 5) {
      if (current.stack) lines.push(depth === 0 ? current.stack : `caused by: ${current.stack}`);
      current = current.cause;
      depth++;
    }
    if (current !== undefined && !(current instanceof Error)) lines.push(`caused by: ${String(current)}`);
  }
  return { lines, exitCode: expected ? error.exitCode : 1 };
}
