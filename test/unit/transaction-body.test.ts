import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/core/sql-lexer.js';
import { plpgsqlLineOffset, positionInFile } from '../../src/runner/failure.js';
import { prepareTransactionalBody } from '../../src/core/transaction-body.js';

function body(sql: string) {
  const r = prepareTransactionalBody(sql);
  if (!('body' in r)) throw new Error(`unexpected problem: ${r.problem.message}`);
  return r.body;
}

function problem(sql: string) {
  const r = prepareTransactionalBody(sql);
  if (!('problem' in r)) throw new Error('expected a problem');
  return r.problem;
}

describe('prepareTransactionalBody', () => {
  it('runs a file without transaction control as written', () => {
    const sql = 'CREATE TABLE a (id int);\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nRELEASE s;\n';
    expect(body(sql)).toEqual({ text: sql, stripped: null });
  });

  it('blanks a leading BEGIN and a trailing COMMIT, keeping every offset and line', () => {
    const sql = '-- top\nbegin transaction;\nCREATE TABLE a (id int);\nCOMMIT; -- done\n';
    const b = body(sql);
    expect(b.stripped).toEqual({ beginLine: 2, commitLine: 4 });
    expect(b.text).toBe('-- top\n                  \nCREATE TABLE a (id int);\n        -- done\n');
    expect(b.text).toHaveLength(sql.length);
    for (const start of ['START TRANSACTION;', 'BEGIN WORK;']) {
      for (const end of ['END;', 'COMMIT WORK;', 'COMMIT']) expect(body(`${start}\nSELECT 1;\n${end}`).stripped).not.toBeNull();
    }
  });

  it('leaves BEGIN inside DO and function bodies alone', () => {
    const sql = "DO $$ BEGIN PERFORM 1; END $$;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n";
    expect(body(sql).stripped).toBeNull();
  });

  it('takes one plain BEGIN … COMMIT pair anywhere: statements before and after join the one transaction', () => {
    const sql = "SET statement_timeout = 0;\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nSELECT 'done';\n";
    const b = body(sql);
    expect(b.stripped).toEqual({ beginLine: 2, commitLine: 4 });
    expect(b.text).toBe("SET statement_timeout = 0;\n      \nCREATE TABLE a (id int);\n       \nSELECT 'done';\n");
    expect(body('SELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;\n').stripped).toEqual({ beginLine: 2, commitLine: 4 });
  });

  it('refuses what would break all-or-nothing, naming the line and what the file holds', () => {
    expect(problem('BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\n'))
      .toMatchObject({ line: 4, message: 'the file opens 2 transactions (BEGIN on lines 1, 4) and commits 2 (lines 3, 6); archon-migrate runs a migration as exactly one transaction' });
    expect(problem('CREATE TABLE a (id int);\nROLLBACK;\n')).toMatchObject({ line: 2, message: 'ROLLBACK; would discard the migration while its ledger row says applied' });
    expect(problem('BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;\n'))
      .toMatchObject({ line: 1, message: 'BEGIN ISOLATION LEVEL SERIALIZABLE; sets transaction options that archon-migrate cannot apply to its own transaction' });
    expect(problem('BEGIN;\nSELECT 1;\n')).toMatchObject({ line: 1, message: 'BEGIN; is never committed: the file has no COMMIT after it' });
    expect(problem('SELECT 1;\nCOMMIT;\n')).toMatchObject({ line: 2, message: 'COMMIT; has no BEGIN before it: there is no transaction for it to commit' });
    expect(problem('SELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\n')).toMatchObject({ line: 2, message: 'COMMIT; comes before the BEGIN on line 3: it has no transaction to commit' });
    expect(problem('BEGIN;\nBEGIN;\nSELECT 2;\nCOMMIT;\n')).toMatchObject({ line: 2, message: expect.stringContaining('opens 2 transactions') });
    expect(problem('BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\n')).toMatchObject({ line: 3, message: 'COMMIT AND CHAIN; is not a plain COMMIT' });
    expect(problem("SELECT 1;\nPREPARE TRANSACTION 'x';\n")).toMatchObject({ line: 2, message: 'PREPARE TRANSACTION (two-phase commit) cannot run inside a migration' });
    // No message calls a file with one transaction a "second transaction".
    for (const sql of ['SELECT 1;\nBEGIN;\nSELECT 2;\n', 'SELECT 1;\nCOMMIT;\n']) expect(problem(sql).message).not.toMatch(/second/);
  });

  it('every refusal says what to do', () => {
    expect(problem('SELECT 1;\nCOMMIT;\n').hint).toMatch(/Remove the BEGIN\/COMMIT lines.*split the file.*no-transaction/);
  });
});

describe('locating errors in the file', () => {
  it('maps a position in the sent message back to the file, and ignores positions outside it', () => {
    const prefix = 'BEGIN;\nINSERT …;\n';
    const file = 'SELECT 1;\nSELECT * FROM nope;\n';
    const sent = `${prefix}${file}\n;COMMIT;`;
    const position = [...sent].indexOf('n', prefix.length + 10) + 1; // 1-based, code points
    expect(positionInFile(sent, position, prefix.length, file.length)).toBe(file.indexOf('nope'));
    expect(positionInFile(sent, 3, prefix.length, file.length)).toBeUndefined();
    expect(positionInFile(sent, undefined, prefix.length, file.length)).toBeUndefined();
  });

  it('counts astral characters once, as PostgreSQL does', () => {
    const file = "SELECT '😀', * FROM nope;";
    const position = [...file].indexOf('n') + 1;
    expect(positionInFile(file, position, 0, file.length)).toBe(file.indexOf('nope'));
  });

  it('finds the PL/pgSQL line of a DO block from the error context', () => {
    const sql = "CREATE TABLE d (id int);\nDO $body$\nBEGIN\n  INSERT INTO d VALUES (1);\n    RAISE EXCEPTION 'x';\nEND\n$body$;\n";
    const statement = splitStatements(sql)[1]!;
    const offset = plpgsqlLineOffset(sql, statement, 'PL/pgSQL function inline_code_block line 4 at RAISE');
    expect(sql.slice(offset!, offset! + 5)).toBe('RAISE');
    expect(plpgsqlLineOffset(sql, statement, 'SQL statement "INSERT …"')).toBeUndefined();
  });
});
