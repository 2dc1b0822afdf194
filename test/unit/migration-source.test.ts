import { describe, expect, it } from 'vitest';
import { decodeMigration, formatSourceProblem, isSqlName, migrationSourceProblems } from '../../src/core/migration-source.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('migrationSourceProblems', () => {
  it('accepts a runnable migration, with or without a BOM and its own BEGIN/COMMIT pair', () => {
    expect(migrationSourceProblems(bytes('CREATE TABLE a (id int);\n'))).toEqual([]);
    expect(migrationSourceProblems(bytes('\uFEFFCREATE TABLE a (id int);\n'))).toEqual([]);
    expect(migrationSourceProblems(bytes('BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n'))).toEqual([]);
    expect(migrationSourceProblems(bytes('-- archon-migrate: no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n'))).toEqual([]);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(migrationSourceProblems(Buffer.from('SELECT 1; -- caf\xe9\n', 'latin1'))).toEqual([
      { message: 'is not valid UTF-8 text', hint: 'Save the file as UTF-8 (PostgreSQL receives the SQL as UTF-8).' },
    ]);
  });

  it('refuses a file of only whitespace and comments', () => {
    const [problem] = migrationSourceProblems(bytes('-- TODO\n/* later */\n'));
    expect(problem?.message).toBe('is empty (only whitespace and comments)');
    expect(migrationSourceProblems(bytes(''))[0]?.message).toBe('is empty (only whitespace and comments)');
  });

  it('reports an unknown directive with its line and the valid ones', () => {
    const [problem] = migrationSourceProblems(bytes('-- archon-migrate: no-transactions\nSELECT 1;\n'));
    expect(problem?.line).toBe(1);
    expect(problem?.message).toContain('unknown directive "no-transactions"');
    expect(problem?.hint).toContain('no-transaction, lock-timeout=<duration>');
  });

  it('reports a second transaction in a transactional file at its line', () => {
    const [problem] = migrationSourceProblems(bytes('BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;\n'));
    expect(problem?.line).toBe(4);
    expect(problem?.message).toContain('opens 2 transactions (BEGIN on lines 1, 4) and commits 2 (lines 3, 6)');
  });

  it('accepts one BEGIN … COMMIT pair with statements outside it (one transaction, ours)', () => {
    expect(migrationSourceProblems(bytes("SET statement_timeout = 0;\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nSELECT 'done';\n"))).toEqual([]);
  });

  it('lets a no-transaction file keep its own transaction control', () => {
    expect(migrationSourceProblems(bytes('-- archon-migrate: no-transaction\nBEGIN;\nSELECT 1;\nCOMMIT;\nSELECT 2;\n'))).toEqual([]);
  });
});

describe('helpers', () => {
  it('formats problems as file:line: message', () => {
    expect(formatSourceProblem('migrations/002_x.sql', { line: 3, message: 'bad', hint: '' })).toBe('migrations/002_x.sql:3: bad');
    expect(formatSourceProblem('migrations/002_x.sql', { message: 'is empty', hint: '' })).toBe('migrations/002_x.sql is empty');
  });

  it('decodes without the BOM and recognises .sql names in any case', () => {
    expect(decodeMigration(bytes('\uFEFFSELECT 1;'))).toBe('SELECT 1;');
    expect(decodeMigration(Buffer.from([0xff]))).toBeUndefined();
    expect(isSqlName('001_a.sql')).toBe(true);
    expect(isSqlName('001_A.SQL')).toBe(true);
    expect(isSqlName('archon-migrate.lock')).toBe(false);
  });
});
