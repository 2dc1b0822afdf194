import { describe, expect, it } from 'vitest';
import { parseCatFileReply } from '../../src/git/exec-git.js';
import { parseNameStatusZ, parseRawDiffZ } from '../../src/git/staged-changes.js';
import { parseLsFilesStageZ, parseLsTreeZ } from '../../src/git/blobs.js';
import { parseRevParseRepo } from '../../src/git/repo.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

describe('parseRawDiffZ', () => {
  it('reads every status, both blob ids, and both paths of renames and copies', () => {
    const out = [
      `:000000 100644 ${Z} ${A} A`, 'migrations/004_new table.sql',
      `:100644 100644 ${A} ${B} M`, 'migrations/001_ä.sql',
      `:100644 000000 ${A} ${Z} D`, 'gone.sql',
      `:100644 100644 ${A} ${A} R100`, 'migrations/003_x.sql', 'migrations/004_x.sql',
      `:100644 100644 ${A} ${B} C075`, 'a.sql', 'b.sql',
      `:100644 120000 ${A} ${B} T`, 'link.sql',
      '',
    ].join('\x00');
    expect(parseRawDiffZ(out)).toEqual([
      { status: 'A', path: 'migrations/004_new table.sql', newBlob: A },
      { status: 'M', path: 'migrations/001_ä.sql', oldBlob: A, newBlob: B },
      { status: 'D', path: 'gone.sql', oldBlob: A },
      { status: 'R', path: 'migrations/004_x.sql', oldPath: 'migrations/003_x.sql', score: 100, oldBlob: A, newBlob: A },
      { status: 'C', path: 'b.sql', oldPath: 'a.sql', score: 75, oldBlob: A, newBlob: B },
      { status: 'T', path: 'link.sql', oldBlob: A, newBlob: B },
    ]);
  });

  it('keeps newlines and tabs in paths (that is what -z is for)', () => {
    expect(parseRawDiffZ(`:000000 100644 ${Z} ${A} A\x00a\nb\tc.sql\x00`)).toEqual([{ status: 'A', path: 'a\nb\tc.sql', newBlob: A }]);
  });

  it('returns nothing for empty output and throws on garbage', () => {
    expect(parseRawDiffZ('')).toEqual([]);
    expect(() => parseRawDiffZ('M\x00x\x00')).toThrow(/unexpected git diff --raw record/);
    expect(() => parseRawDiffZ(`:100644 100644 ${A} ${A} R100\x00only-one\x00`)).toThrow(/truncated/);
  });
});

describe('parseNameStatusZ', () => {
  it('reads statuses and rename pairs', () => {
    expect(parseNameStatusZ('A\x00new file.sql\x00R097\x00old.sql\x00new.sql\x00D\x00gone.sql\x00')).toEqual([
      { status: 'A', path: 'new file.sql' },
      { status: 'R', oldPath: 'old.sql', path: 'new.sql', score: 97 },
      { status: 'D', path: 'gone.sql' },
    ]);
  });
});

describe('parseLsFilesStageZ', () => {
  it('keeps stage 0 entries and reports unmerged paths once', () => {
    const out = `100644 ${A} 0\tmigrations/001 a.sql\x00100644 ${A} 1\tconflict.lock\x00100644 ${B} 2\tconflict.lock\x00100644 ${B} 3\tconflict.lock\x00`;
    expect(parseLsFilesStageZ(out)).toEqual({ entries: [{ mode: '100644', blob: A, path: 'migrations/001 a.sql' }], unmerged: ['conflict.lock'] });
  });
  it('throws on a record without a tab', () => {
    expect(() => parseLsFilesStageZ('100644 x 0 nope\x00')).toThrow(/unexpected git ls-files/);
  });
});

describe('parseLsTreeZ', () => {
  it('keeps blobs, skips submodules', () => {
    const out = `100644 blob ${A}\tmigrations/é.sql\x00160000 commit ${B}\tvendor/sub\x00`;
    expect(parseLsTreeZ(out)).toEqual([{ mode: '100644', blob: A, path: 'migrations/é.sql' }]);
  });
});

describe('parseCatFileReply', () => {
  it('reads one object, waits for more bytes, and reports missing objects', () => {
    const body = Buffer.from('SELECT 1;\n');
    const reply = Buffer.concat([Buffer.from(`${A} blob ${body.length}\n`), body, Buffer.from('\n')]);
    expect(parseCatFileReply(reply)).toEqual({ content: body, consumed: reply.length });
    expect(parseCatFileReply(reply.subarray(0, reply.length - 1))).toBeUndefined();
    expect(parseCatFileReply(Buffer.from(`${A} blob 3`))).toBeUndefined();
    expect(parseCatFileReply(Buffer.from(':nope.sql missing\nrest'))).toEqual({ content: undefined, consumed: 18 });
  });
  it('handles binary content with newlines and NULs', () => {
    const body = Buffer.from([0, 10, 13, 10, 0xef, 0xbb, 0xbf]);
    const reply = Buffer.concat([Buffer.from(`${A} blob 7\n`), body, Buffer.from('\n')]);
    expect(parseCatFileReply(reply)!.content).toEqual(body);
  });
});

describe('parseRevParseRepo', () => {
  it('reads the top level and HEAD, or no HEAD in a fresh repository', () => {
    expect(parseRevParseRepo(`/r/my repo\n${A}\n`)).toEqual({ root: '/r/my repo', head: A });
    expect(parseRevParseRepo('/r/fresh\n')).toEqual({ root: '/r/fresh', head: undefined });
  });
});
