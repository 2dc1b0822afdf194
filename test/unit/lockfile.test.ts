import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checksum } from '../../src/core/checksum.js';
import { ArchonError } from '../../src/core/errors.js';
import {
  diffSeals,
  LOCKFILE_HEADER_PREFIX,
  LockfileError,
  lockfileHeaderHash,
  mergeSeals,
  parseLockfile,
  serializeLockfile,
  type Seal,
} from '../../src/core/lockfile.js';

const A = checksum('create table a ();\n');
const B = checksum('create table b ();\n');
const C = checksum('create table c ();\n');
const PATH = 'migrations/archon-migrate.lock';
const RESTORE_OR_RELOCK = 'The tool is the only writer of this file: restore it with `git checkout -- migrations/archon-migrate.lock` or rerun `archon-migrate lock`.';

/** A lockfile with a correct header for the given entry lines. */
function lockText(entries: string[]): string {
  return [LOCKFILE_HEADER_PREFIX + lockfileHeaderHash(entries), ...entries].map((l) => l + '\n').join('');
}

function parseError(text: string, path: string | null = PATH): LockfileError {
  try {
    parseLockfile(text, path ?? undefined);
  } catch (e) {
    expect(e).toBeInstanceOf(LockfileError);
    return e as LockfileError;
  }
  throw new Error('expected parseLockfile to throw');
}

describe('serializeLockfile', () => {
  it('writes the documented format, sorted numerically by version', () => {
    const text = serializeLockfile([
      { file: '010_c.sql', checksum: C },
      { file: '2_b.sql', checksum: B },
      { file: '001_a.sql', checksum: A },
    ]);
    const entries = [`001_a.sql ${A}`, `2_b.sql ${B}`, `010_c.sql ${C}`];
    const headerHash = 'sha256:' + createHash('sha256').update(entries.map((e) => e + '\n').join('')).digest('hex');
    expect(text).toBe(`archon-migrate lock v1 ${headerHash}\n${entries.join('\n')}\n`);
  });

  it('writes only a header for no seals', () => {
    expect(serializeLockfile([])).toBe('archon-migrate lock v1 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n');
  });

  it('is deterministic: input order does not matter', () => {
    const seals = [{ file: '1_a.sql', checksum: A }, { file: '3_c.sql', checksum: C }, { file: '2_b.sql', checksum: B }];
    expect(serializeLockfile(seals)).toBe(serializeLockfile([...seals].reverse()));
  });

  it('changes the header whenever an entry is added, so parallel additions conflict in git', () => {
    const base = [{ file: '1_a.sql', checksum: A }];
    const left = serializeLockfile([...base, { file: '2_b.sql', checksum: B }]);
    const right = serializeLockfile([...base, { file: '2_c.sql', checksum: C }]);
    expect(left.split('\n')[0]).not.toBe(right.split('\n')[0]);
    expect(left.split('\n')[0]).not.toBe(serializeLockfile(base).split('\n')[0]);
  });

  it.each([
    [[{ file: 'bad.sql', checksum: A }], 'cannot seal bad.sql: invalid migration file name; expected <digits>_<lower-case letters, digits, _>.sql'],
    [[{ file: '1_a.sql', checksum: 'sha256:xyz' }], 'cannot seal 1_a.sql: invalid checksum "sha256:xyz"; expected sha256:<64 lower-case hex digits>'],
    [[{ file: '1_a.sql', checksum: A }, { file: '1_a.sql', checksum: A }], 'cannot seal 1_a.sql twice'],
    [[{ file: '1_a.sql', checksum: A }, { file: '01_b.sql', checksum: B }], 'cannot seal 1_a.sql: version 1 is already sealed by 01_b.sql'],
  ])('refuses seals it could not read back: %j', (seals, message) => {
    expect(() => serializeLockfile(seals)).toThrow(message);
  });
});

describe('parseLockfile', () => {
  it('reads what serializeLockfile writes', () => {
    const seals = [{ file: '001_a.sql', checksum: A }, { file: '2_b.sql', checksum: B }, { file: '0010_c.sql', checksum: C }];
    expect(parseLockfile(serializeLockfile(seals), PATH)).toEqual(seals);
  });

  it('reads a header-only lockfile as no seals', () => {
    expect(parseLockfile(serializeLockfile([]))).toEqual([]);
  });

  it('errors are LockfileErrors with exit code 2, the line and the path', () => {
    const e = parseError('');
    expect(e).toBeInstanceOf(ArchonError);
    expect(e.exitCode).toBe(2);
    expect(e.line).toBe(1);
    expect(e.path).toBe(PATH);
    expect(e.name).toBe('LockfileError');
  });

  it('without a path, messages start with the line and hints use a placeholder', () => {
    const e = parseError(lockText([`1_a.sql ${A}`]).replace(A, B), null);
    expect(e.message).toBe('line 1: header hash does not match the entries — the lockfile was edited by hand');
    expect(e.hint).toBe('Restore it with `git checkout -- <lockfile>` or rerun `archon-migrate lock`.');
    expect(e.path).toBeUndefined();
  });

  const cases: { name: string; text: () => string; line: number; message: string; hint: string }[] = [
    {
      name: 'empty file',
      text: () => '',
      line: 1,
      message: `${PATH}: line 1: the lockfile is empty`,
      hint: 'Restore it with `git checkout -- migrations/archon-migrate.lock`, or delete it and rerun `archon-migrate lock` to seal the current migrations.',
    },
    {
      name: 'git conflict markers',
      text: () => {
        const ours = serializeLockfile([{ file: '1_a.sql', checksum: A }, { file: '2_b.sql', checksum: B }]).split('\n');
        const theirs = serializeLockfile([{ file: '1_a.sql', checksum: A }, { file: '2_c.sql', checksum: C }]).split('\n');
        return ['<<<<<<< HEAD', ours[0], '=======', theirs[0], '>>>>>>> feature', ours[1], '<<<<<<< HEAD', ours[2], '=======', theirs[2], '>>>>>>> feature', ''].join('\n');
      },
      line: 1,
      message: `${PATH}: line 1: git merge conflict marker "<<<<<<<" — two branches added migrations`,
      hint: "Do not merge it by hand: take the base branch's lockfile (e.g. `git checkout origin/main -- migrations/archon-migrate.lock`), renumber your new migrations above its last entry, then rerun `archon-migrate lock`.",
    },
    {
      name: 'a lone ======= separator line (other markers already removed)',
      text: () => lockText([`1_a.sql ${A}`]) + '=======\n',
      line: 3,
      message: `${PATH}: line 3: git merge conflict marker "=======" — two branches added migrations`,
      hint: "Do not merge it by hand: take the base branch's lockfile (e.g. `git checkout origin/main -- migrations/archon-migrate.lock`), renumber your new migrations above its last entry, then rerun `archon-migrate lock`.",
    },
    {
      name: 'CRLF line endings',
      text: () => lockText([`1_a.sql ${A}`]).replace(/\n/g, '\r\n'),
      line: 1,
      message: `${PATH}: line 1: CRLF line ending; the lockfile must use LF line endings`,
      hint: 'Add `migrations/archon-migrate.lock text eol=lf` to .gitattributes and check it out again (`git checkout -- migrations/archon-migrate.lock`), or rerun `archon-migrate lock`.',
    },
    {
      name: 'CRLF on one entry line only',
      text: () => lockText([`1_a.sql ${A}`, `2_b.sql ${B}`]).replace(`${B}\n`, `${B}\r\n`),
      line: 3,
      message: `${PATH}: line 3: CRLF line ending; the lockfile must use LF line endings`,
      hint: 'Add `migrations/archon-migrate.lock text eol=lf` to .gitattributes and check it out again (`git checkout -- migrations/archon-migrate.lock`), or rerun `archon-migrate lock`.',
    },
    {
      name: 'missing final newline',
      text: () => lockText([`1_a.sql ${A}`, `2_b.sql ${B}`]).slice(0, -1),
      line: 3,
      message: `${PATH}: line 3: missing newline at the end of the file`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'missing header',
      text: () => `1_a.sql ${A}\n`,
      line: 1,
      message: `${PATH}: line 1: missing or bad header: expected "archon-migrate lock v1 sha256:<hex>", found "1_a.sql ${A}"`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'a byte order mark',
      text: () => '\uFEFF' + lockText([`1_a.sql ${A}`]),
      line: 1,
      message: `${PATH}: line 1: the file starts with a byte order mark (BOM)`,
      hint: 'Save it as UTF-8 without a BOM: restore it with `git checkout -- migrations/archon-migrate.lock` or rerun `archon-migrate lock`.',
    },
    {
      name: 'header of another version',
      text: () => lockText([`1_a.sql ${A}`]).replace('lock v1', 'lock v2'),
      line: 1,
      message: `${PATH}: line 1: missing or bad header: expected "archon-migrate lock v1 sha256:<hex>", found "archon-migrate lock v2 ${lockfileHeaderHash([`1_a.sql ${A}`])}"`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'bad header hash syntax',
      text: () => `${LOCKFILE_HEADER_PREFIX}sha256:abc\n1_a.sql ${A}\n`,
      line: 1,
      message: `${PATH}: line 1: bad header hash "sha256:abc": expected sha256:<64 lower-case hex digits>`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'header hash mismatch (an entry edited by hand)',
      text: () => lockText([`1_a.sql ${A}`, `2_b.sql ${B}`]).replace(`2_b.sql ${B}`, `2_b.sql ${C}`),
      line: 1,
      message: `${PATH}: line 1: header hash does not match the entries — the lockfile was edited by hand`,
      hint: 'Restore it with `git checkout -- migrations/archon-migrate.lock` or rerun `archon-migrate lock`.',
    },
    {
      name: 'header hash mismatch (an entry removed by hand)',
      text: () => lockText([`1_a.sql ${A}`, `2_b.sql ${B}`]).replace(`2_b.sql ${B}\n`, ''),
      line: 1,
      message: `${PATH}: line 1: header hash does not match the entries — the lockfile was edited by hand`,
      hint: 'Restore it with `git checkout -- migrations/archon-migrate.lock` or rerun `archon-migrate lock`.',
    },
    {
      name: 'malformed entry (no checksum)',
      text: () => lockText([`1_a.sql ${A}`, '2_b.sql']),
      line: 3,
      message: `${PATH}: line 3: malformed entry "2_b.sql": expected "<file> sha256:<hex>"`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'malformed entry (two spaces)',
      text: () => lockText([`1_a.sql  ${A}`]),
      line: 2,
      message: `${PATH}: line 2: malformed entry "1_a.sql  ${A}": expected "<file> sha256:<hex>"`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'malformed entry (tab)',
      text: () => lockText([`1_a.sql\t${A}`]),
      line: 2,
      message: `${PATH}: line 2: malformed entry "1_a.sql\\t${A}": expected "<file> sha256:<hex>"`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'blank line',
      text: () => lockText([`1_a.sql ${A}`]) + '\n',
      line: 3,
      message: `${PATH}: line 3: unexpected blank line`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'invalid migration file name',
      text: () => lockText([`1_Add.sql ${A}`]),
      line: 2,
      message: `${PATH}: line 2: invalid migration file name "1_Add.sql": expected <digits>_<lower-case letters, digits, _>.sql`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'bad checksum syntax',
      text: () => lockText([`1_a.sql ${A}`, `2_b.sql md5:0123`]),
      line: 3,
      message: `${PATH}: line 3: bad checksum "md5:0123" for 2_b.sql: expected sha256:<64 lower-case hex digits>`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'upper-case checksum',
      text: () => lockText([`1_a.sql ${A.toUpperCase().replace('SHA256', 'sha256')}`]),
      line: 2,
      message: `${PATH}: line 2: bad checksum "${A.toUpperCase().replace('SHA256', 'sha256')}" for 1_a.sql: expected sha256:<64 lower-case hex digits>`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'duplicate file',
      text: () => lockText([`1_a.sql ${A}`, `1_a.sql ${A}`]),
      line: 3,
      message: `${PATH}: line 3: duplicate entry for 1_a.sql (also on line 2)`,
      hint: RESTORE_OR_RELOCK,
    },
    {
      name: 'duplicate version',
      text: () => lockText([`1_a.sql ${A}`, `001_b.sql ${B}`]),
      line: 3,
      message: `${PATH}: line 3: duplicate version 1: 001_b.sql and 1_a.sql (line 2)`,
      hint: 'Two migrations share a version (often after a merge): renumber the one that is not applied anywhere yet, then rerun `archon-migrate lock`.',
    },
    {
      name: 'entries out of version order',
      text: () => lockText([`1_a.sql ${A}`, `10_c.sql ${C}`, `9_b.sql ${B}`]),
      line: 4,
      message: `${PATH}: line 4: entries out of version order: 9_b.sql comes after 10_c.sql (line 3)`,
      hint: RESTORE_OR_RELOCK,
    },
  ];

  for (const c of cases) {
    it(`rejects ${c.name}, naming the line, the problem and the fix`, () => {
      const e = parseError(c.text());
      expect(e.message).toBe(c.message);
      expect(e.hint).toBe(c.hint);
      expect(e.line).toBe(c.line);
      expect(e.exitCode).toBe(2);
    });
  }

  it('orders mixed widths numerically (2 before 010)', () => {
    expect(parseLockfile(lockText([`2_b.sql ${B}`, `010_c.sql ${C}`])).map((s) => s.file)).toEqual(['2_b.sql', '010_c.sql']);
  });
});

describe('round trip (property)', () => {
  const sealsArb = fc
    .uniqueArray(fc.tuple(fc.stringMatching(/^[0-9]{1,25}$/), fc.stringMatching(/^[a-z0-9_]{1,12}$/), fc.stringMatching(/^[0-9a-f]{64}$/)), {
      selector: ([v]) => v.replace(/^0+/, '') || '0',
      maxLength: 30,
    })
    .map((rows) => rows.filter(([v]) => v.length <= 20).map(([v, n, h]): Seal => ({ file: `${v}_${n}.sql`, checksum: `sha256:${h}` })));

  it('parse(serialize(seals)) returns the seals in version order, and serialising again is identical', () => {
    fc.assert(
      fc.property(sealsArb, (seals) => {
        const text = serializeLockfile(seals);
        const parsed = parseLockfile(text, PATH);
        expect(new Set(parsed.map((s) => `${s.file} ${s.checksum}`))).toEqual(new Set(seals.map((s) => `${s.file} ${s.checksum}`)));
        expect(serializeLockfile(parsed)).toBe(text);
        expect(text.endsWith('\n')).toBe(true);
        expect(text).not.toContain('\r');
      }),
    );
  });

  it('any single changed character is detected', () => {
    fc.assert(
      fc.property(sealsArb.filter((s) => s.length > 0), fc.nat(), fc.constantFrom('0', 'a', ' ', '\n', 'x'), (seals, pos, ch) => {
        const text = serializeLockfile(seals);
        const i = pos % text.length;
        fc.pre(text[i] !== ch);
        const edited = text.slice(0, i) + ch + text.slice(i + 1);
        expect(() => parseLockfile(edited)).toThrow(LockfileError);
      }),
    );
  });
});

describe('diffSeals', () => {
  it('lists added, changed and removed seals in version order', () => {
    const before = [{ file: '1_a.sql', checksum: A }, { file: '2_b.sql', checksum: B }, { file: '3_c.sql', checksum: C }];
    const after = [{ file: '10_d.sql', checksum: A }, { file: '3_c.sql', checksum: A }, { file: '1_a.sql', checksum: A }, { file: '4_e.sql', checksum: B }];
    expect(diffSeals(before, after)).toEqual({
      added: [{ file: '4_e.sql', checksum: B }, { file: '10_d.sql', checksum: A }],
      changed: [{ file: '3_c.sql', before: C, after: A }],
      removed: [{ file: '2_b.sql', checksum: B }],
    });
  });

  it('is empty for identical seals', () => {
    const seals = [{ file: '1_a.sql', checksum: A }];
    expect(diffSeals(seals, [...seals])).toEqual({ added: [], changed: [], removed: [] });
  });
});

describe('mergeSeals', () => {
  const existing = [{ file: '1_a.sql', checksum: A }, { file: '2_b.sql', checksum: B }];

  it('appends new seals in version order and keeps the existing lines', () => {
    expect(mergeSeals(existing, [{ file: '10_d.sql', checksum: C }, { file: '3_c.sql', checksum: C }])).toEqual([
      ...existing,
      { file: '3_c.sql', checksum: C },
      { file: '10_d.sql', checksum: C },
    ]);
  });

  it('ignores a seal that is already there with the same checksum', () => {
    expect(mergeSeals(existing, [{ file: '2_b.sql', checksum: B }])).toEqual(existing);
  });

  it('never rewrites an existing line: the same file with another checksum throws (exit 1)', () => {
    let error: unknown;
    try {
      mergeSeals(existing, [{ file: '2_b.sql', checksum: C }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArchonError);
    expect((error as ArchonError).exitCode).toBe(1);
    expect((error as ArchonError).message).toBe(`2_b.sql is sealed with ${B} but its content now has ${C}; a sealed migration must not change`);
    expect((error as ArchonError).hint).toBe('Restore 2_b.sql from git and put the change in a new migration.');
  });

  it('refuses a new file whose version is already sealed', () => {
    expect(() => mergeSeals(existing, [{ file: '002_other.sql', checksum: C }])).toThrow('cannot seal 002_other.sql: version 2 is already sealed by 2_b.sql');
  });

  it('refuses an invalid name', () => {
    expect(() => mergeSeals(existing, [{ file: 'x.sql', checksum: C }])).toThrow('cannot seal x.sql: invalid migration file name');
  });

  it('does not modify its inputs', () => {
    const a = existing.map((s) => ({ ...s }));
    const add = [{ file: '3_c.sql', checksum: C }];
    mergeSeals(a, add);
    expect(a).toEqual(existing);
    expect(add).toEqual([{ file: '3_c.sql', checksum: C }]);
  });

  it('the merged lockfile keeps every existing line byte for byte', () => {
    const before = serializeLockfile(existing).split('\n').slice(1, -1);
    const after = serializeLockfile(mergeSeals(existing, [{ file: '3_c.sql', checksum: C }])).split('\n').slice(1, -1);
    expect(after.slice(0, before.length)).toEqual(before);
  });
});
