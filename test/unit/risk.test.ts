import { describe, expect, it } from 'vitest';
import { findRisks, tableKey } from '../../src/core/risk.js';

const kinds = (sql: string, newTables?: string[]) => findRisks(sql, newTables ? { newTables } : {}).risks.map((r) => `${r.line}:${r.kind}:${r.table}${r.column ? '.' + r.column : ''}`);

describe('findRisks', () => {
  it('flags each risky statement with its line, table and column', () => {
    const sql = [
      'DROP TABLE IF EXISTS old_pages, public."Legacy";', // 1
      'TRUNCATE TABLE ONLY events, audit.log *;',          // 2
      'ALTER TABLE users DROP COLUMN IF EXISTS nick, DROP CONSTRAINT users_pk, DROP age;', // 3
      'ALTER TABLE ONLY users ALTER COLUMN id TYPE bigint, ALTER email SET DATA TYPE text;', // 4
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', // 5
      'CREATE INDEX users_email ON users (email);',         // 6
      'CREATE UNIQUE INDEX CONCURRENTLY users_nick ON users (nick);', // 7
      'ALTER TABLE users RENAME COLUMN name TO full_name;', // 8
      'ALTER TABLE users RENAME TO people;',                // 9
      'ALTER TABLE people RENAME CONSTRAINT a TO b;',       // 10
    ].join('\n');
    expect(kinds(sql)).toEqual([
      '1:drop-table:old_pages', '1:drop-table:Legacy',
      '2:truncate:events', '2:truncate:audit.log',
      '3:drop-column:users.nick', '3:drop-column:users.age',
      '4:alter-column-type:users.id', '4:alter-column-type:users.email',
      '5:set-not-null:users.email',
      '6:index-not-concurrent:users',
      '8:rename:users.name',
      '9:rename:users',
    ]);
  });

  it('ignores words in strings, comments, quoted identifiers and function bodies', () => {
    const sql = [
      "-- DROP TABLE users;",
      "/* TRUNCATE users; /* nested */ ALTER TABLE x DROP COLUMN y; */",
      "INSERT INTO notes (body) VALUES ('DROP TABLE users; TRUNCATE users'), (E'it\\'s DROP TABLE x');",
      'SELECT "DROP TABLE users" FROM t;',
      "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $fn$ TRUNCATE users $fn$;",
      'COMMENT ON TABLE users IS $$DROP TABLE users$$;',
    ].join('\n');
    expect(kinds(sql)).toEqual([]);
  });

  it('looks inside DO blocks, with lines in the file', () => {
    const sql = 'SELECT 1;\nDO $$\nBEGIN\n  EXECUTE 1;\n  DROP TABLE users;\nEND\n$$;\n';
    expect(kinds(sql)).toEqual(['5:drop-table:users']);
  });

  it('does not call a table created in the same migration or branch existing', () => {
    const sql = [
      'CREATE TABLE IF NOT EXISTS public.pages (id int, title text);',
      'CREATE INDEX pages_title ON pages (title);',
      'ALTER TABLE pages ALTER COLUMN title SET NOT NULL;',
      'ALTER TABLE "pages" ALTER COLUMN id TYPE bigint;',
      'CREATE INDEX sources_url ON sources (url);',
    ].join('\n');
    const analysis = findRisks(sql);
    expect(analysis.createdTables).toEqual(['pages']);
    expect(analysis.risks.map((r) => r.kind)).toEqual(['index-not-concurrent']);
    expect(kinds('CREATE INDEX s ON public.sources (url);', ['sources'])).toEqual([]);
    expect(kinds('ALTER TABLE sources ALTER url SET NOT NULL;', ['Sources'])).toEqual([]);
  });

  it('explains the risk in its message', () => {
    const [r] = findRisks('ALTER TABLE users ALTER COLUMN email SET NOT NULL;').risks;
    expect(r!.message).toBe('SET NOT NULL on users.email — scans the table under an ACCESS EXCLUSIVE lock and fails if a row is NULL (add a CHECK (email IS NOT NULL) NOT VALID constraint and VALIDATE it first)');
    const [i] = findRisks('create index on Users (email)').risks;
    expect(i!.message).toContain('CREATE INDEX on existing table users without CONCURRENTLY');
  });

  it('tableKey folds case, unquotes and drops public', () => {
    expect(tableKey('Public.Users')).toBe('users');
    expect(tableKey('"Audit"."Log"')).toBe('Audit.Log');
  });
});
