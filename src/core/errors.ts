/**
 * The one error type the tool raises on purpose. `exitCode` tells the CLI what to exit with:
 * 2 = bad usage / config / input, 1 = a failed or blocked operation. `hint` is the fix, one sentence.
 */
export type ExitCode = 1 | 2;

export class ArchonError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ArchonError';
    this.exitCode = options.exitCode ?? 1;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/** Bad usage, configuration or input: exit code 2. */
export function usageError(message: string, hint?: string): ArchonError {
  return new ArchonError(message, { exitCode: 2, ...(hint === undefined ? {} : { hint }) });
}

/** A failed or blocked operation: exit code 1. */
export function failedError(message: string, hint?: string): ArchonError {
  return new ArchonError(message, { exitCode: 1, ...(hint === undefined ? {} : { hint }) });
}

export function isArchonError(value: unknown): value is ArchonError {
  return value instanceof ArchonError;
}
