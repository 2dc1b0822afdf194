import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareVersions,
  MIGRATION_FILE_PATTERN,
  orderMigrations,
  parseMigrationName,
  versionKey,
} from '../../src/core/migration-name.js';

describe('parseMigrationName', () => {
  it('splits a valid name', () => {
    expect(parseMigrationName('001_add_users.sql')).toEqual({
      file: '001_add_users.sql',
      stem: '001_add_users',
      version: '001',
      versionKey: '1',
      name: 'add_users',
    });
  });

  it('keeps the version as written and canonicalises the key', () => {
    expect(parseMigrationName('0_init.sql')?.versionKey).toBe('0');
    expect(parseMigrationName('000_init.sql')?.versionKey).toBe('0');
    expect(parseMigrationName('20240131120000_x.sql')).toMatchObject({ version: '20240131120000', versionKey: '20240131120000' });
    expect(parseMigrationName('0010_a_b_2.sql')).toMatchObject({ version: '0010', versionKey: '10', name: 'a_b_2' });
    expect(parseMigrationName('1__.sql')).toMatchObject({ name: '_' });
  });

  it.each([
    'add_users.sql',
    '001-add-users.sql',
    '001_Add_users.sql',
    '001_add users.sql',
    '001_.sql',
    '_001_a.sql',
    '001_a.SQL',
    '001_a.sql.bak',
    '001_a',
    'a001_b.sql',
    '001_é.sql',
    '001_a-b.sql',
    '001_a.b.sql',
    '../001_a.sql',
    'dir/001_a.sql',
    ' 001_a.sql',
    '001_a.sql ',
    '١٢_a.sql',
    '',
    '1'.repeat(21) + '_too_long.sql',
  ])('rejects %j', (file) => {
    expect(parseMigrationName(file)).toBeUndefined();
  });

  it('accepts a 20-digit version (the ledger column is varchar(20))', () => {
    expect(parseMigrationName('9'.repeat(20) + '_x.sql')?.version).toHaveLength(20);
  });
});

describe('versionKey', () => {
  it.each([
    ['0', '0'],
    ['000', '0'],
    ['001', '1'],
    ['100', '100'],
    ['0100', '100'],
  ])('%s -> %s', (v, k) => {
    expect(versionKey(v)).toBe(k);
  });
});

describe('compareVersions', () => {
  it('compares numerically across widths: 2 < 10 < 0011', () => {
    expect(compareVersions('2', '10')).toBeLessThan(0);
    expect(compareVersions('10', '0011')).toBeLessThan(0);
    expect(compareVersions('0011', '2')).toBeGreaterThan(0);
    expect(['0011', '10', '2', '009'].sort(compareVersions)).toEqual(['2', '009', '10', '0011']);
  });

  it('treats different widths of one number as equal', () => {
    expect(compareVersions('1', '001')).toBe(0);
    expect(compareVersions('0', '000')).toBe(0);
  });

  it('handles numbers far beyond Number.MAX_SAFE_INTEGER exactly', () => {
    expect(compareVersions('90071992547409931', '90071992547409930')).toBeGreaterThan(0);
    expect(compareVersions('99999999999999999999', '100000000000000000000')).toBeLessThan(0);
    expect(compareVersions('0000099999999999999999999', '99999999999999999999')).toBe(0);
  });

  it('property: agrees with BigInt comparison', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,40}$/), fc.stringMatching(/^[0-9]{1,40}$/), (a, b) => {
        const x = BigInt(a);
        const y = BigInt(b);
        expect(Math.sign(compareVersions(a, b))).toBe(x < y ? -1 : x > y ? 1 : 0);
      }),
    );
  });
});

describe('orderMigrations', () => {
  it('sorts by numeric version and ignores files that are not .sql', () => {
    const { migrations, problems } = orderMigrations(['10_c.sql', 'archon-migrate.lock', '2_b.sql', 'README.md', '0011_d.sql', '001_a.sql', 'rollbacks']);
    expect(problems).toEqual([]);
    expect(migrations.map((m) => m.file)).toEqual(['001_a.sql', '2_b.sql', '10_c.sql', '0011_d.sql']);
  });

  it('returns nothing for no files', () => {
    expect(orderMigrations([])).toEqual({ migrations: [], problems: [] });
  });

  it('reports an invalid .sql name with the file and the pattern', () => {
    const { migrations, problems } = orderMigrations(['001_ok.sql', 'AddUsers.sql']);
    expect(migrations.map((m) => m.file)).toEqual(['001_ok.sql']);
    expect(problems).toEqual([
      {
        file: 'AddUsers.sql',
        kind: 'invalid-name',
        message: 'AddUsers.sql: invalid migration file name; expected <digits>_<lower-case letters, digits, _>.sql (e.g. 001_create_users.sql)',
      },
    ]);
    expect(problems[0]!.message).toContain(MIGRATION_FILE_PATTERN);
  });

  it('reports .SQL in other cases instead of skipping them', () => {
    const { problems } = orderMigrations(['001_a.SQL', '002_b.Sql']);
    expect(problems.map((p) => [p.file, p.kind])).toEqual([
      ['001_a.SQL', 'invalid-name'],
      ['002_b.Sql', 'invalid-name'],
    ]);
  });

  it('explains an over-long version', () => {
    const file = '1'.repeat(21) + '_x.sql';
    const { problems } = orderMigrations([file]);
    expect(problems[0]!.message).toBe(`${file}: invalid migration file name; the version has 21 digits, at most 20 are allowed; expected ${MIGRATION_FILE_PATTERN}`);
  });

  it('reports a duplicate numeric version naming both files', () => {
    const { migrations, problems } = orderMigrations(['1_a.sql', '001_b.sql', '2_c.sql']);
    expect(migrations.map((m) => m.file)).toEqual(['001_b.sql', '2_c.sql']);
    expect(problems).toEqual([
      {
        file: '1_a.sql',
        kind: 'duplicate-version',
        message: '1_a.sql: duplicate migration version 1: 001_b.sql and 1_a.sql have the same version; renumber one of them (names must match <digits>_<lower-case letters, digits, _>.sql)',
      },
    ]);
  });

  it('reports every problem together, sorted by file', () => {
    const { migrations, problems } = orderMigrations(['5_x.sql', 'bad name.sql', '05_y.sql', '005_z.sql', 'Zed.sql', '6_ok.sql', 'notes.txt']);
    expect(migrations.map((m) => m.file)).toEqual(['005_z.sql', '6_ok.sql']);
    expect(problems.map((p) => [p.file, p.kind])).toEqual([
      ['05_y.sql', 'duplicate-version'],
      ['5_x.sql', 'duplicate-version'],
      ['Zed.sql', 'invalid-name'],
      ['bad name.sql', 'invalid-name'],
    ]);
    for (const p of problems) {
      expect(p.message.startsWith(`${p.file}: `)).toBe(true);
      expect(p.message).toContain(MIGRATION_FILE_PATTERN);
    }
    expect(problems[0]!.message).toContain('005_z.sql and 05_y.sql');
    expect(problems[1]!.message).toContain('005_z.sql and 5_x.sql');
  });

  it('is independent of input order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[0-9]{1,6}$/), fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/)).map(([v, n]) => `${v}_${n}.sql`), { maxLength: 20 }),
        (files) => {
          const a = orderMigrations(files);
          const b = orderMigrations([...files].reverse());
          expect(b).toEqual(a);
          // sorted, and every file is either a migration or a problem
          for (let i = 1; i < a.migrations.length; i++) {
            expect(compareVersions(a.migrations[i - 1]!.version, a.migrations[i]!.version)).toBeLessThan(0);
          }
          expect(a.migrations.length + a.problems.length).toBe(files.length);
        },
      ),
    );
  });
});
