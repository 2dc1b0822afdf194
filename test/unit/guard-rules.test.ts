import { describe, expect, it } from 'vitest';
import { checksum } from '../../src/core/checksum.js';
import { serializeLockfile, type Seal } from '../../src/core/lockfile.js';
import { checkGuard, quoteArg, type GuardInput } from '../../src/core/guard-rules.js';
import { nextVersion as nextVersions } from '../../src/core/versioning.js';

const nextVersion = (v: string) => nextVersions([v], 'sequential');

const sql = {
  a: 'CREATE TABLE a (id int);\n',
  b: 'CREATE TABLE b (id int);\n',
  c: 'CREATE TABLE c (id int);\n',
};
const seal = (file: string, content: string): Seal => ({ file, checksum: checksum(content) });
const baseSeals = [seal('001_a.sql', sql.a), seal('002_b.sql', sql.b)];
const baseLock = serializeLockfile(baseSeals);

function input(over: {
  files?: Record<string, string | null>;
  nextLock?: string | undefined;
  baseLock?: string | undefined;
  added?: string[];
  renames?: { from: string; to: string }[];
  allowOutOfOrder?: boolean;
}): GuardInput {
  const files = over.files ?? { '001_a.sql': null, '002_b.sql': null };
  return {
    migrationsDir: 'migrations',
    lockfile: 'migrations/archon-migrate.lock',
    base: { label: 'HEAD', rev: 'HEAD', lockfile: 'baseLock' in over ? over.baseLock : baseLock },
    next: { label: 'staged', lockfile: 'nextLock' in over ? over.nextLock : baseLock, files: new Map(Object.entries(files)) },
    added: over.added ?? [],
    ...(over.renames ? { renames: over.renames } : {}),
    allowOutOfOrder: over.allowOutOfOrder ?? false,
  };
}
const kinds = (i: GuardInput) => checkGuard(i).violations.map((v) => v.kind);

describe('checkGuard: sealed migrations', () => {
  it('passes an unrelated state and a new migration above the highest seal', () => {
    expect(kinds(input({}))).toEqual([]);
    expect(kinds(input({ files: { '001_a.sql': null, '002_b.sql': null, '003_c.sql': checksum(sql.c) }, added: ['003_c.sql'] }))).toEqual([]);
  });

  it('blocks a content change, naming the file, both checksums and the fix', () => {
    const edited = 'CREATE TABLE a (id bigint);\n';
    const [v, ...rest] = checkGuard(input({ files: { '001_a.sql': checksum(edited), '002_b.sql': null } })).violations;
    expect(rest).toEqual([]);
    expect(v).toEqual({
      kind: 'sealed-modified', file: 'migrations/001_a.sql', sealed: checksum(sql.a), found: checksum(edited),
      message: `migrations/001_a.sql: sealed migration changed (sealed in HEAD as ${checksum(sql.a)}, staged content is ${checksum(edited)})`,
      hint: 'Restore it with `git checkout HEAD -- migrations/001_a.sql` and put the change in a new migration: `npm run db:create -- <name>`.',
    });
  });

  it('does not count CRLF-only or BOM-only changes as content changes', () => {
    const crlf = checksum(Buffer.from(sql.a.replace(/\n/g, '\r\n')));
    const bom = checksum(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sql.b)]));
    expect(crlf).toBe(checksum(sql.a));
    expect(kinds(input({ files: { '001_a.sql': crlf, '002_b.sql': bom } }))).toEqual([]);
  });

  it('blocks a deletion', () => {
    const [v] = checkGuard(input({ files: { '002_b.sql': null } })).violations;
    expect(v).toMatchObject({ kind: 'sealed-deleted', file: 'migrations/001_a.sql', sealed: checksum(sql.a) });
    expect(v!.message).toBe(`migrations/001_a.sql: sealed migration deleted (sealed in HEAD as ${checksum(sql.a)}, staged: deleted)`);
    expect(v!.hint).toContain('git checkout HEAD -- migrations/001_a.sql');
  });

  it('blocks a rename reported by git and says how to restore it with git mv', () => {
    const [v, ...rest] = checkGuard(input({ files: { '001_a.sql': null, '003_b.sql': checksum(sql.b) }, added: ['003_b.sql'], renames: [{ from: '002_b.sql', to: '003_b.sql' }] })).violations;
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ kind: 'sealed-renamed', file: 'migrations/002_b.sql', sealed: checksum(sql.b), found: checksum(sql.b) });
    expect(v!.hint).toContain('`git mv migrations/003_b.sql migrations/002_b.sql`');
  });

  it('finds a renumbering by checksum when no rename is reported (verify), and does not also call it out of order', () => {
    const vs = checkGuard(input({ files: { '002_b.sql': null, '000_a.sql': checksum(sql.a) }, added: ['000_a.sql'] })).violations;
    expect(vs.map((v) => v.kind)).toEqual(['sealed-renamed']);
    expect(vs[0]!.message).toContain('renamed to migrations/000_a.sql');
  });

  it('reports a rename with changed content and a move out of the directory', () => {
    const other = checksum('other\n');
    const v = checkGuard(input({ files: { '001_a.sql': null, '003_b.sql': other }, added: ['003_b.sql'], renames: [{ from: '002_b.sql', to: '003_b.sql' }] })).violations[0]!;
    expect(v.hint).toContain('git checkout HEAD -- migrations/002_b.sql');
    const moved = checkGuard(input({ files: { '001_a.sql': null }, renames: [{ from: '002_b.sql', to: 'old/002_b.sql' }] })).violations[0]!;
    expect(moved.message).toContain('renamed to old/002_b.sql');
  });
});

describe('checkGuard: the lockfile', () => {
  it('blocks a removed or changed line of the base lockfile', () => {
    const removed = serializeLockfile([baseSeals[0]!]);
    const v = checkGuard(input({ nextLock: removed })).violations;
    expect(v.map((x) => x.kind)).toEqual(['seal-removed']);
    expect(v[0]!.message).toBe(`migrations/archon-migrate.lock: the seal of 002_b.sql was removed (HEAD: ${checksum(sql.b)}, staged: line removed)`);
    const other = checksum('x');
    const changed = serializeLockfile([baseSeals[0]!, { file: '002_b.sql', checksum: other }]);
    const w = checkGuard(input({ nextLock: changed })).violations;
    expect(w.map((x) => x.kind)).toEqual(['seal-changed']);
    expect(w[0]).toMatchObject({ sealed: checksum(sql.b), found: other });
  });

  it('blocks a hand-edited lockfile (header hash) with the parser message and line', () => {
    const edited = baseLock.replace(checksum(sql.b), checksum('hand'));
    const [v] = checkGuard(input({ nextLock: edited })).violations;
    expect(v!.kind).toBe('lockfile-invalid');
    expect(v!.file).toBe('migrations/archon-migrate.lock');
    expect(v!.message).toMatch(/^migrations\/archon-migrate\.lock\b.*\b1\b.*header hash does not match the entries — the lockfile was edited by hand \(staged\)$/);
    expect(v!.hint).toContain('git checkout -- migrations/archon-migrate.lock');
  });

  it('blocks conflict markers and a deleted lockfile', () => {
    expect(kinds(input({ nextLock: `<<<<<<< HEAD\n${baseLock}=======\n>>>>>>> other\n` }))).toEqual(['lockfile-invalid']);
    const v = checkGuard(input({ nextLock: undefined })).violations;
    expect(v.map((x) => x.kind)).toEqual(['lockfile-deleted']);
    expect(v[0]!.message).toBe('migrations/archon-migrate.lock: lockfile deleted (staged), but HEAD seals 2 migrations');
  });

  it('accepts a line added for a new migration whose content matches; blocks a mismatch or a missing file', () => {
    const next = serializeLockfile([...baseSeals, seal('003_c.sql', sql.c)]);
    expect(kinds(input({ nextLock: next, files: { '001_a.sql': null, '002_b.sql': null, '003_c.sql': checksum(sql.c) }, added: ['003_c.sql'] }))).toEqual([]);
    const mismatch = checkGuard(input({ nextLock: next, files: { '001_a.sql': null, '002_b.sql': null, '003_c.sql': checksum('other') }, added: ['003_c.sql'] })).violations;
    expect(mismatch.map((x) => x.kind)).toEqual(['seal-mismatch']);
    expect(mismatch[0]).toMatchObject({ sealed: checksum(sql.c), found: checksum('other') });
    const missing = checkGuard(input({ nextLock: next })).violations;
    expect(missing.map((x) => x.kind)).toEqual(['seal-without-file']);
    expect(missing[0]!.hint).toBe('Stage the migration too: `git add migrations/003_c.sql`.');
  });

  it('with no base lockfile (first migrations), everything is new', () => {
    const next = serializeLockfile([seal('001_a.sql', sql.a)]);
    expect(kinds(input({ baseLock: undefined, nextLock: next, files: { '001_a.sql': checksum(sql.a) }, added: ['001_a.sql'] }))).toEqual([]);
    expect(kinds(input({ baseLock: undefined, nextLock: undefined, files: { '001_a.sql': checksum(sql.a) }, added: ['001_a.sql'] }))).toEqual([]);
  });

  it('warns (does not block) when the base lockfile itself is invalid', () => {
    const r = checkGuard(input({ baseLock: 'garbage\n' }));
    expect(r.warnings[0]).toMatch(/^the lockfile in HEAD is invalid \(migrations\/archon-migrate.lock.*missing or bad header.*\); sealed migrations cannot be checked against it$/);
    expect(r.violations).toEqual([]);
  });
});

describe('checkGuard: order and names', () => {
  it('blocks a new migration not above the highest seal, suggesting the next number', () => {
    // A new file that reuses a sealed version is a duplicate, blamed on the new file only.
    const dup = checkGuard(input({ files: { '001_a.sql': null, '002_b.sql': null, '0002_c.sql': checksum(sql.c) }, added: ['0002_c.sql'] })).violations;
    expect(dup.map((x) => [x.kind, x.file])).toEqual([['duplicate-version', 'migrations/0002_c.sql']]);
    expect(dup[0]!.message).toBe('migrations/0002_c.sql: duplicate migration version 2: migrations/002_b.sql has the same version');
    expect(dup[0]!.hint).toBe('Renumber 0002_c.sql above the highest sealed version (`git mv migrations/0002_c.sql migrations/003_c.sql`).');
    const vs = checkGuard(input({ files: { '001_a.sql': null, '002_b.sql': null, '000_c.sql': checksum(sql.c) }, added: ['000_c.sql'] })).violations;
    expect(vs).toHaveLength(1);
    expect(vs[0]!.message).toBe('migrations/000_c.sql: new migration version 0 is not above the highest sealed version 2 (migrations/002_b.sql)');
    expect(vs[0]!.hint).toBe('Renumber it: `git mv migrations/000_c.sql migrations/003_c.sql` (or set allowOutOfOrder: true in the config).');
  });

  it('allows it with allowOutOfOrder, and never flags files that existed at the base', () => {
    expect(kinds(input({ files: { '001_a.sql': null, '002_b.sql': null, '000_c.sql': checksum(sql.c) }, added: ['000_c.sql'], allowOutOfOrder: true }))).toEqual([]);
    expect(kinds(input({ files: { '001_a.sql': null, '002_b.sql': null, '000_c.sql': null } }))).toEqual([]);
  });

  it('blocks invalid names and duplicate versions in the directory', () => {
    const vs = checkGuard(input({ files: { '001_a.sql': null, '002_b.sql': null, 'Bad Name.sql': checksum('x'), '03_c.sql': checksum('y'), '3_d.sql': checksum('z'), 'README.md': null }, added: ['Bad Name.sql', '03_c.sql', '3_d.sql'] })).violations;
    expect(vs.map((v) => [v.kind, v.file])).toEqual([
      ['invalid-name', 'migrations/Bad Name.sql'],
      ['duplicate-version', 'migrations/3_d.sql'],
    ]);
    expect(vs[0]!.message).toMatch(/^migrations\/Bad Name.sql: invalid migration file name; expected <digits>_<lower-case letters, digits, _>.sql/);
  });
});

describe('helpers', () => {
  it('nextVersion keeps the width and handles huge versions', () => {
    expect(nextVersion('009')).toBe('010');
    expect(nextVersion('99')).toBe('100');
    expect(nextVersion('20240101120000')).toBe('20240101120001');
    expect(nextVersion('99999999999999999999999')).toBe('100000000000000000000000');
  });
  it('quoteArg quotes only when needed', () => {
    expect(quoteArg('migrations/001_a.sql')).toBe('migrations/001_a.sql');
    expect(quoteArg("my dir/it's.sql")).toBe(`'my dir/it'\\''s.sql'`);
  });
});

describe('checkGuard: files up would refuse', () => {
  const withNext = (i: GuardInput, next: Partial<GuardInput['next']>): GuardInput => ({ ...i, next: { ...i.next, ...next } });

  it('blocks a new migration with a source problem, naming file:line and up', () => {
    const i = withNext(input({ files: { '001_a.sql': null, '002_b.sql': null, '003_c.sql': checksum('x') }, added: ['003_c.sql'] }), {
      problems: new Map([['003_c.sql', [{ line: 1, message: 'unknown directive "no-transactions"', hint: 'Fix the directive.' }]]]),
    });
    const [v, ...rest] = checkGuard(i).violations;
    expect(rest).toEqual([]);
    expect(v).toEqual({
      kind: 'unrunnable', file: 'migrations/003_c.sql',
      message: 'migrations/003_c.sql:1: unknown directive "no-transactions" — up would refuse to run it',
      hint: 'Fix the directive.',
    });
  });

  it('ignores problems of files sealed at the base (their changes are judged as edits)', () => {
    const i = withNext(input({}), { problems: new Map([['001_a.sql', [{ message: 'is empty (only whitespace and comments)', hint: 'h' }]]]) });
    expect(kinds(i)).toEqual([]);
  });

  it('blocks a symbolic link or directory named like a new migration', () => {
    const i = withNext(input({ files: { '001_a.sql': null, '002_b.sql': null, '003_link.sql': checksum('x') }, added: ['003_link.sql'] }), { notFiles: ['003_link.sql'] });
    const violations = checkGuard(i).violations;
    expect(violations.map((v) => v.kind)).toEqual(['not-a-file']);
    expect(violations[0]!.message).toBe('migrations/003_link.sql: is not a regular file (a symbolic link or a directory); a migration must be the file itself');
  });
});
