// The pure side of `import`: each tool's names, sections and markers → ours, Flyway's version
// mapping (order and equality kept, checked over generated versions), and how each history
// table's rows are read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceFile } from '../../src/core/import/converted-migration.js';
import { convertDbmate } from '../../src/core/import/dbmate.js';
import { convertFlyway, flywayHistory, type FlywayRow } from '../../src/core/import/flyway.js';
import { compareFlywayVersions, mapFlywayVersions, parseFlywayVersion } from '../../src/core/import/flyway-version.js';
import { convertGolangMigrate, golangMigrateHistory } from '../../src/core/import/golang-migrate.js';
import { migrationSlug } from '../../src/core/import/migration-slug.js';
import { withOurNoTransaction } from '../../src/core/import/no-transaction-marker.js';
import { convertNodePgMigrate, nodePgMigrateSections } from '../../src/core/import/node-pg-migrate.js';
import { convertPostgresMigrations, postgresMigrationsHash, postgresMigrationsHistory } from '../../src/core/import/postgres-migrations.js';
import { convertSupabase } from '../../src/core/import/supabase.js';
import { compareVersions } from '../../src/core/migration-name.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const folder = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([path, text]) => ({ path, bytes: enc.encode(text) }));

describe('names', () => {
  it.each([
    ['create-users', 'create_users'], ['Add Email To Users', 'add_email_to_users'], ['crée_table', 'cree_table'],
    ['__x__', 'x'], ['v2.1 fix', 'v2_1_fix'], ['ユーザー', ''],
  ])('%s → %s', (raw, slug) => expect(migrationSlug(raw)).toBe(slug));
});

describe('no-transaction markers', () => {
  it('replaces their marker line in the header, keeping line numbers', () => {
    expect(withOurNoTransaction('-- note\n-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n', /postgres-migrations disable-transaction/))
      .toBe('-- note\n-- archon-migrate: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n');
  });
  it('adds ours as the first line when their marker is further down, keeping CRLF', () => {
    expect(withOurNoTransaction('SELECT 1;\r\n-- postgres-migrations disable-transaction\r\n', /postgres-migrations disable-transaction/))
      .toBe('-- archon-migrate: no-transaction\r\nSELECT 1;\r\n-- postgres-migrations disable-transaction\r\n');
  });
  it('leaves a file that already has ours', () => {
    expect(withOurNoTransaction('-- archon-migrate: no-transaction\nVACUUM;\n')).toBe('-- archon-migrate: no-transaction\nVACUUM;\n');
  });
});

describe('golang-migrate', () => {
  it('pairs up and down files, keeps versions as written, skips empty downs and other files', () => {
    const c = convertGolangMigrate(folder({ '0002_b.up.sql': 'SELECT 2;', '0002_b.down.sql': '  \n', '1_a.up.sql': 'SELECT 1;', '1_a.down.sql': 'SELECT -1;', 'notes.txt': '' }));
    expect(c.problems).toEqual([]);
    expect(c.migrations.map((m) => [m.file, m.ref, m.rollback && dec.decode(m.rollback)])).toEqual([['1_a.sql', '1', 'SELECT -1;'], ['0002_b.sql', '2', undefined]]);
    expect(c.ignored.map((i) => i.path)).toEqual(['notes.txt']);
  });
  it('refuses a down without an up, a non-SQL extension and a duplicated version', () => {
    const c = convertGolangMigrate(folder({ '3_c.down.sql': 'x', '4_d.up.json': '{}', '5_e.up.sql': 'SELECT 1;', '05_f.up.sql': 'SELECT 1;' }));
    expect(c.problems.join('\n')).toMatch(/3_c\.down\.sql: a down migration without its up migration/);
    expect(c.problems.join('\n')).toMatch(/4_d\.up\.json: a golang-migrate migration with the extension \.json/);
    expect(c.problems.join('\n')).toMatch(/are both up migrations of one version/);
  });
  it('reads its one history row: everything up to it is applied; dirty refuses', () => {
    expect([...golangMigrateHistory([{ version: '2', dirty: false }], ['1', '2', '3']).applied]).toEqual(['1', '2']);
    expect(golangMigrateHistory([{ version: '7', dirty: false }], ['1']).unknown).toEqual(['7']);
    expect(golangMigrateHistory([{ version: '2', dirty: true }], ['1', '2']).problems[0]).toMatch(/dirty at version 2/);
    expect(golangMigrateHistory([], ['1']).applied.size).toBe(0);
  });
});

describe('dbmate', () => {
  it('cuts the up and down sections and turns transaction:false into our directive', () => {
    const c = convertDbmate(folder({ '20240101000000_idx.sql': '-- migrate:up transaction:false\r\nCREATE INDEX CONCURRENTLY i ON t (a);\r\n-- migrate:down\r\nDROP INDEX i;\r\n' }));
    expect(c.problems).toEqual([]);
    expect(dec.decode(c.migrations[0]!.content)).toBe('-- archon-migrate: no-transaction\r\nCREATE INDEX CONCURRENTLY i ON t (a);\r\n');
    expect(dec.decode(c.migrations[0]!.rollback!)).toBe('-- migrate:down\r\nDROP INDEX i;\r\n');
  });
  it('refuses what dbmate refuses, and several sections', () => {
    const c = convertDbmate(folder({
      '1_a.sql': 'SELECT 1;\n-- migrate:up\nSELECT 1;\n-- migrate:down\n',
      '2_b.sql': '-- migrate:up\nSELECT 1;\n',
      '3_c.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n-- migrate:up\nSELECT 2;\n-- migrate:down\n',
    }));
    expect(c.problems).toEqual([
      expect.stringMatching(/^1_a\.sql: it has statements before `-- migrate:up`/),
      expect.stringMatching(/^2_b\.sql: it has no `-- migrate:down` section/),
      expect.stringMatching(/^3_c\.sql: it has 2 `-- migrate:up` sections/),
    ]);
  });
  it('refuses an order that differs from dbmate\'s (file names, not numbers)', () => {
    const c = convertDbmate(folder({ '9_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n', '10_b.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n' }));
    expect(c.problems.join('\n')).toMatch(/dbmate runs 10_b\.sql before 9_a\.sql/);
  });
});

describe('node-pg-migrate', () => {
  it('cuts sections the way its SQL loader does', () => {
    expect(nodePgMigrateSections('-- Up Migration\nA;\n-- Down Migration\nB;\n')).toEqual({ up: '-- Up Migration\nA;\n', down: '-- Down Migration\nB;\n' });
    expect(nodePgMigrateSections('A;\n')).toEqual({ up: 'A;\n' });
  });
  it('reads .up.sql/.down.sql pairs, refuses JavaScript migrations and orders 17-digit prefixes as dates', () => {
    const c = convertNodePgMigrate(folder({ '20240101000000000_a.up.sql': 'SELECT 1;', '20240101000000000_a.down.sql': 'SELECT 2;', '1_b.js': '', '.eslintrc': '' }));
    expect(c.migrations.map((m) => [m.file, m.ref])).toEqual([['20240101000000000_a.sql', '20240101000000000_a']]);
    expect(c.problems.join('\n')).toMatch(/1_b\.js: a JavaScript\/TypeScript migration/);
    const mixed = convertNodePgMigrate(folder({ '1704067200001_late.sql': 'SELECT 1;', '20240101000000000_early.sql': 'SELECT 1;' }));
    expect(mixed.problems.join('\n')).toMatch(/node-pg-migrate runs 20240101000000000_early\.sql before 1704067200001_late\.sql/);
  });
});

describe('postgres-migrations', () => {
  it('keeps ids as versions, turns its marker into ours, refuses .js and id 0', () => {
    const c = convertPostgresMigrations(folder({ '01_a.sql': 'SELECT 1;', '2-b.sql': '-- postgres-migrations disable-transaction\nVACUUM;', '0_c.sql': 'x', '3_d.js': '' }));
    expect(c.migrations.map((m) => [m.file, m.ref, dec.decode(m.content)])).toEqual([['01_a.sql', '1', 'SELECT 1;'], ['2_b.sql', '2', '-- archon-migrate: no-transaction\nVACUUM;']]);
    expect(c.problems).toHaveLength(2);
  });
  it('checks each applied file against the hash it recorded, and ignores its own id 0', () => {
    const file = { path: '1_a.sql', bytes: enc.encode('SELECT 1;') };
    const files = new Map([['1', file]]);
    const ok = postgresMigrationsHistory([{ id: '0', hash: 'x', executedAt: null }, { id: '1', hash: postgresMigrationsHash('1_a.sql', file.bytes), executedAt: null }], files);
    expect([...ok.applied]).toEqual(['1']);
    expect(ok.problems).toEqual([]);
    expect(postgresMigrationsHistory([{ id: '1', hash: 'other', executedAt: null }], files).problems[0]).toMatch(/is not the file postgres-migrations applied/);
  });
});

describe('Flyway versions', () => {
  it('keeps one-part versions as written and pads later parts to the folder\'s widest', () => {
    expect(mapFlywayVersions(['001', '2', '10'].map((v) => parseFlywayVersion(v)!))).toEqual(['001', '2', '10']);
    expect(mapFlywayVersions(['1', '1.2', '1.10', '2', '2.0.1', '2013.01.15'].map((v) => parseFlywayVersion(v)!)))
      .toEqual(['10000', '10200', '11000', '20000', '20001', '20130115']);
    expect(parseFlywayVersion('1_1')!.key).toBe('1.1');
    expect(parseFlywayVersion('1.0')!.key).toBe('1');
    expect(parseFlywayVersion('1.x')).toBeUndefined();
  });

  it('keeps Flyway\'s order and equality for any folder of versions', () => {
    const version = fc.array(fc.nat({ max: 300 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
    fc.assert(fc.property(fc.array(version, { minLength: 1, maxLength: 12 }), (written) => {
      const parsed = written.map((w) => parseFlywayVersion(w)!);
      const ours = mapFlywayVersions(parsed);
      for (let i = 0; i < parsed.length; i++) {
        for (let j = 0; j < parsed.length; j++) {
          expect(Math.sign(compareVersions(ours[i]!, ours[j]!))).toBe(Math.sign(compareFlywayVersions(parsed[i]!, parsed[j]!)));
        }
      }
    }));
  });

  it('maps a folder with undo files, .conf scripts and refusals', () => {
    const c = convertFlyway(folder({ 'a/V1__init.sql': 'SELECT 1;', 'a/V1.1__more.sql': 'SELECT 2;', 'a/U1.1__more.sql': 'SELECT -2;', 'b/U3__x.sql': 'x', 'b/V2__${x}.sql': 'SELECT ${schema}.f();', 'B1__base.sql': 'x' }));
    expect(c.migrations.map((m) => [m.file, m.ref, m.rollback && dec.decode(m.rollback)])).toEqual([
      ['10_init.sql', '1', undefined], ['11_more.sql', '1.1', 'SELECT -2;'], ['20_x.sql', '2', undefined],
    ]);
    expect(c.problems.join('\n')).toMatch(/b\/U3__x\.sql: an undo migration for a version that has no V migration/);
    expect(c.problems.join('\n')).toMatch(/uses the Flyway placeholder \$\{schema\}/);
    expect(c.problems.join('\n')).toMatch(/B1__base\.sql: a Flyway baseline migration/);
  });

  it('reads its history: a baseline covers what is below it, an undo unapplies, a failure refuses', () => {
    const row = (rank: number, version: string | null, type: string, success = true): FlywayRow => ({ rank, version, type, script: `V${version}__x.sql`, success, installedOn: null });
    const h = flywayHistory([row(1, '1.5', 'BASELINE'), row(2, '2', 'SQL'), row(3, '3', 'SQL'), row(4, '3', 'UNDO_SQL'), row(5, null, 'SQL')], ['1', '1.5', '1.6', '2', '3', '4']);
    expect([...h.applied].sort()).toEqual(['1', '1.5', '2']);
    expect(h.unknown).toEqual([]);
    expect(flywayHistory([row(1, '2', 'SQL', false)], ['2']).problems[0]).toMatch(/as failed \(success = false\)/);
    expect(flywayHistory([row(1, '9', 'JDBC')], ['1']).unknown).toEqual(['9']);
  });
});

describe('Supabase CLI', () => {
  it('keeps timestamps, converts names, skips other files', () => {
    const c = convertSupabase(folder({ '20240101000000_Add-Users.sql': 'SELECT 1;', 'seed.sql': 'x' }));
    expect(c.migrations.map((m) => m.file)).toEqual(['20240101000000_add_users.sql']);
    expect(c.ignored.map((i) => i.path)).toEqual(['seed.sql']);
  });
});
