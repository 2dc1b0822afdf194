import { describe, expect, it } from 'vitest';
import { detectVersioning, misnumbered, nextVersion, timestampOf } from '../../src/core/versioning.js';

const at = (iso: string) => new Date(iso);

describe('versioning', () => {
  it('reads 14-digit UTC date-times, and only real ones', () => {
    expect(timestampOf('20240302004846')?.toISOString()).toBe('2024-03-02T00:48:46.000Z');
    for (const v of ['20241302004846', '20240230000000', '2024030200484', '00000000000001', '99999999999999']) expect(timestampOf(v)).toBeUndefined();
  });

  it('detects a timestamp folder from its highest version', () => {
    expect(detectVersioning([])).toBe('sequential');
    expect(detectVersioning(['001', '002'])).toBe('sequential');
    expect(detectVersioning(['20240302004846', '20240130'])).toBe('timestamp');
    expect(detectVersioning(['20240302004846', '99999999999999999'])).toBe('sequential');
  });

  it('numbers: highest + 1 at the same width, or the current UTC time (one second later when taken)', () => {
    expect(nextVersion(['009'], 'sequential')).toBe('010');
    expect(nextVersion(['20240302004846'], 'timestamp', at('2026-11-30T05:35:42.900Z'))).toBe('20261130053542');
    expect(nextVersion(['20261130053542'], 'timestamp', at('2026-11-30T05:35:42.100Z'))).toBe('20261130053543');
    // A clock behind the newest file never numbers below it.
    expect(nextVersion(['20300101000000'], 'timestamp', at('2026-11-30T05:35:42Z'))).toBe('20300101000001');
    expect(nextVersion([], 'timestamp', at('2026-11-30T05:35:42Z'))).toBe('20261130053542');
  });

  it('reports a version of another width among timestamps as misnumbered', () => {
    const files = [
      { file: 'supabase/migrations/20240302004846_init.sql', version: '20240302004846', name: 'init' },
      { file: 'supabase/migrations/20240130_fix.sql', version: '20240130', name: 'fix' },
    ];
    const [m, ...rest] = misnumbered(files, 'timestamp');
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ version: '20240130', message: expect.stringContaining('supabase/migrations/20240130_fix.sql: version 20240130 is not a 14-digit UTC timestamp') });
    expect(m!.hint).toContain('20240130000000_fix.sql');
    expect(misnumbered(files, 'sequential')).toEqual([]);
  });
});
