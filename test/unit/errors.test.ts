import { describe, expect, it } from 'vitest';
import { ArchonError, failedError, isArchonError, usageError } from '../../src/core/errors.js';

describe('ArchonError', () => {
  it('defaults to exit code 1 and no hint', () => {
    const e = new ArchonError('boom');
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('boom');
    expect(e.exitCode).toBe(1);
    expect(e.hint).toBeUndefined();
    expect(e.name).toBe('ArchonError');
  });

  it('carries exit code, hint and cause', () => {
    const cause = new Error('inner');
    const e = new ArchonError('outer', { exitCode: 2, hint: 'Do the thing.', cause });
    expect(e.exitCode).toBe(2);
    expect(e.hint).toBe('Do the thing.');
    expect(e.cause).toBe(cause);
  });

  it('has a stack trace', () => {
    expect(new ArchonError('x').stack).toContain('ArchonError');
  });
});

describe('usageError / failedError', () => {
  it('usageError exits 2', () => {
    const e = usageError('bad flag', 'Use --to VERSION.');
    expect(e).toBeInstanceOf(ArchonError);
    expect([e.message, e.exitCode, e.hint]).toEqual(['bad flag', 2, 'Use --to VERSION.']);
  });

  it('failedError exits 1', () => {
    const e = failedError('drift', 'Run `archon-migrate repair`.');
    expect([e.message, e.exitCode, e.hint]).toEqual(['drift', 1, 'Run `archon-migrate repair`.']);
  });

  it('omit the hint when none is given', () => {
    expect(usageError('x').hint).toBeUndefined();
    expect(failedError('x').hint).toBeUndefined();
  });

  it('isArchonError tells them apart from other errors', () => {
    expect(isArchonError(usageError('x'))).toBe(true);
    expect(isArchonError(new Error('x'))).toBe(false);
    expect(isArchonError('x')).toBe(false);
  });
});
