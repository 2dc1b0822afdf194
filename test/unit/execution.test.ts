import { describe, expect, it } from 'vitest';
import { parseDirectives } from '../../src/core/directives.js';
import { executionOf, migrationSourceProblems } from '../../src/core/migration-source.js';
import { nonTransactionalKind } from '../../src/core/non-transactional.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const run = (sql: string) => executionOf(sql, parseDirectives(sql).directives);

describe("other tools' no-transaction markers mean what ours means", () => {
  it.each([
    ['postgres-migrations (anywhere in the file)', 'CREATE TABLE a (id int);\n-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n', 'postgres-migrations'],
    ['Atlas', '-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON a (id);\nSELECT 1;\n', 'atlas'],
    ['graphile-migrate', '--! no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\nSELECT 1;\n', 'graphile-migrate'],
    ['dbmate', '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (id);\nSELECT 1;\n', 'dbmate'],
  ])('%s', (_name, sql, marker) => {
    const { directives, problems } = parseDirectives(sql);
    expect(problems).toEqual([]);
    expect(directives).toEqual({ transaction: false, marker });
    expect(run(sql)).toMatchObject({ transaction: false, detected: null });
    expect(migrationSourceProblems(bytes(sql))).toEqual([]);
  });

  it('only in the leading comment block, except postgres-migrations (which reads the whole file)', () => {
    expect(parseDirectives('SELECT 1;\n-- atlas:txmode none\n').directives).toEqual({ transaction: true });
    expect(parseDirectives('SELECT 1;\n--! no-transaction\n').directives).toEqual({ transaction: true });
    expect(parseDirectives('-- migrate:up\nSELECT 1;\n').directives).toEqual({ transaction: true });
  });

  it('our directive wins the label when both are present', () => {
    expect(parseDirectives('-- atlas:txmode none\n-- archon-migrate: no-transaction\nSELECT 1;\n').directives).toEqual({ transaction: false });
  });
});

describe('statements PostgreSQL refuses inside a transaction', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['create unique index concurrently if not exists i on t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['DROP INDEX CONCURRENTLY IF EXISTS i', 'DROP INDEX CONCURRENTLY'],
    ['REINDEX INDEX CONCURRENTLY i', 'REINDEX CONCURRENTLY'],
    ['REINDEX (VERBOSE) TABLE CONCURRENTLY t', 'REINDEX CONCURRENTLY'],
    ['REINDEX DATABASE app', 'REINDEX DATABASE'],
    ['VACUUM (ANALYZE) t', 'VACUUM'],
    ['ALTER SYSTEM SET work_mem = \'64MB\'', 'ALTER SYSTEM'],
    ['CREATE DATABASE x', 'CREATE DATABASE'],
    ['DROP DATABASE IF EXISTS x', 'DROP DATABASE'],
    ['CREATE TABLESPACE ts LOCATION \'/x\'', 'CREATE TABLESPACE'],
    ['ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY', 'DETACH PARTITION CONCURRENTLY'],
  ])('%s → %s', (sql, kind) => {
    const words = sql.toUpperCase().replace(/\([^)]*\)/g, ' ').split(/[^A-Z_]+/).filter((w) => w !== '');
    expect(nonTransactionalKind(words)).toBe(kind);
  });

  it.each(['CREATE INDEX i ON t (a)', 'REINDEX TABLE system', 'ALTER TABLE m DETACH PARTITION m_2020', 'CREATE TABLE database (id int)', 'SELECT 1'])('not %s', (sql) => {
    expect(nonTransactionalKind(sql.toUpperCase().split(/[^A-Z_0-9]+/).filter((w) => w !== ''))).toBeUndefined();
  });

  it('a file of only such statements (and SET, comments) runs without a transaction, detected', () => {
    const sql = "-- build without blocking writes\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\n/* and */ DROP INDEX CONCURRENTLY IF EXISTS j;\n";
    const e = run(sql);
    expect(e.transaction).toBe(false);
    expect(e.detected?.map((d) => [d.kind, d.statement.line])).toEqual([['CREATE INDEX CONCURRENTLY', 3], ['DROP INDEX CONCURRENTLY', 4]]);
    expect(e.problem).toBeUndefined();
  });

  it('a file that mixes them with other statements is refused, naming both lines and the fix', () => {
    const [problem] = migrationSourceProblems(bytes('CREATE TABLE t (a int);\n\nCREATE INDEX CONCURRENTLY i ON t (a);\n'));
    expect(problem).toMatchObject({ line: 3, message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction, and this file also holds statements that run in one (line 1); nothing of it would apply' });
    expect(problem?.hint).toMatch(/own.*runs without a transaction automatically.*archon-migrate: no-transaction/);
  });

  it('words inside strings, comments, quoted names and bodies do not count', () => {
    const sql = "-- VACUUM later\nCREATE TABLE \"vacuum\" (a text DEFAULT 'CREATE INDEX CONCURRENTLY');\nDO $$ BEGIN PERFORM 'VACUUM'; END $$;\n";
    expect(run(sql)).toMatchObject({ transaction: true, detected: null });
    expect(run(sql).problem).toBeUndefined();
  });

  it('a directive keeps a mixed file running statement by statement, as written', () => {
    expect(migrationSourceProblems(bytes('-- archon-migrate: no-transaction\nCREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);\n'))).toEqual([]);
  });
});

describe('text only psql (or another tool) understands, refused before anything runs', () => {
  it.each([
    ['a meta-command', 'CREATE TABLE a (id int);\n\\set ON_ERROR_STOP on\nSELECT 1;\n', 2, '`\\set` is a psql meta-command, not SQL'],
    ['\\i of another file', '\\i other.sql\n', 1, '`\\i` is a psql meta-command, not SQL'],
    ['\\connect', 'SELECT 1;\n\\connect other\nSELECT 2;\n', 2, '`\\connect` is a psql meta-command, not SQL'],
    ['COPY … FROM stdin with its data', "CREATE TABLE a (id int, t text);\nCOPY a (id, t) FROM stdin;\n1\tit's\n\\.\n", 2, 'COPY … FROM stdin needs psql to send the data lines that follow it'],
    ['a dbmate down section', '-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n', 4, 'holds a dbmate `-- migrate:down` section: its statements would run as part of the migration'],
  ])('%s', (_name, sql, line, message) => {
    for (const text of [sql, `-- archon-migrate: no-transaction\n${sql}`]) {
      const [problem] = migrationSourceProblems(bytes(text));
      expect(problem).toMatchObject({ line: text === sql ? line : line + 1, message });
      expect(problem?.hint).not.toBe('');
    }
  });

  it('backslashes inside strings and E-strings are SQL', () => {
    expect(migrationSourceProblems(bytes("SELECT E'a\\\\b', 'c\\d';\n"))).toEqual([]);
    expect(migrationSourceProblems(bytes('-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\n'))).toEqual([]);
  });
});

describe('a NUL byte', () => {
  it('is refused before anything runs, naming the line', () => {
    expect(migrationSourceProblems(bytes('SELECT 1;\nSELECT \u0000;\n'))).toEqual([
      { line: 2, message: 'contains a NUL byte', hint: expect.stringContaining('Remove the NUL byte') },
    ]);
  });
});
