import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ArchonError } from '../../src/core/errors.js';
import { MAX_IDENTIFIER_BYTES, parseTableName, qualifiedTable, quoteIdent, quoteLiteral } from '../../src/core/sql-quote.js';
import { splitStatements, tokenize } from '../../src/core/sql-lexer.js';

const FORM = 'expected <table> or <schema>.<table> (double-quote a part that holds dots, upper-case letters or other characters: "My.Schema"."t")';

function tableError(value: string): ArchonError {
  try {
    parseTableName(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ArchonError);
    return e as ArchonError;
  }
  throw new Error(`expected parseTableName(${JSON.stringify(value)}) to throw`);
}

describe('quoteIdent', () => {
  it.each([
    ['archon_migrations', '"archon_migrations"'],
    ['My Table', '"My Table"'],
    ['a"b', '"a""b"'],
    ['""', '""""""'],
    ['', '""'],
    ['select', '"select"'],
    ['é😀', '"é😀"'],
  ])('%j -> %s', (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });

  it('rejects NUL', () => {
    expect(() => quoteIdent('a\0b')).toThrow('identifier "a\\u0000b" contains a NUL character');
  });

  it('property: the lexer reads a quoted identifier back as one token', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), (name) => {
      const q = quoteIdent(name);
      expect(tokenize(q)).toEqual([{ type: 'quoted-ident', start: 0, end: q.length }]);
      expect(q.slice(1, -1).replace(/""/g, '"')).toBe(name);
    }));
  });
});

describe('quoteLiteral', () => {
  it.each([
    ['5s', "'5s'"],
    ["it's", "'it''s'"],
    ["''", "''''''"],
    ['', "''"],
    ['C:\\path\\', "'C:\\path\\'"],
    ['a;b', "'a;b'"],
  ])('%j -> %s', (value, quoted) => {
    expect(quoteLiteral(value)).toBe(quoted);
  });

  it('rejects NUL with a usage error', () => {
    let error: unknown;
    try {
      quoteLiteral('a\0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArchonError);
    expect((error as ArchonError).exitCode).toBe(2);
    expect((error as ArchonError).message).toBe('a SQL string literal cannot contain a NUL character');
  });

  it('property: a quoted literal is one string token and cannot end a statement', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), (value) => {
      const q = quoteLiteral(value);
      expect(tokenize(q)).toEqual([{ type: 'string', start: 0, end: q.length }]);
      expect(splitStatements(`SELECT ${q}; SELECT 2;`)).toHaveLength(2);
    }));
  });
});

describe('parseTableName', () => {
  it.each([
    ['archon_migrations', { name: 'archon_migrations' }],
    ['ops.archon_migrations', { schema: 'ops', name: 'archon_migrations' }],
    ['Ops.Migrations', { schema: 'ops', name: 'migrations' }],
    ['  ops.t  ', { schema: 'ops', name: 't' }],
    ['"My.Schema"."t""x"', { schema: 'My.Schema', name: 't"x' }],
    ['"My Table"', { name: 'My Table' }],
    ['public."T"', { schema: 'public', name: 'T' }],
    ['_t$1', { name: '_t$1' }],
    ['"é"', { name: 'é' }],
    ['a'.repeat(63), { name: 'a'.repeat(63) }],
  ])('%j', (value, expected) => {
    expect(parseTableName(value)).toEqual(expected);
  });

  it.each([
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['.t', 'it starts with a dot'],
    ['t.', 'it ends with a dot'],
    ['s.t.', 'it ends with a dot'],
    ['a..b', 'it has an empty part'],
    ['a.b.c', 'it has more than two parts'],
    ['"a"."b"."c"', 'it has more than two parts'],
    ['"abc', 'unbalanced double quote'],
    ['ops."t', 'unbalanced double quote'],
    ['"a""', 'unbalanced double quote'],
    ['""', 'a quoted part is empty'],
    ['"a"b', 'unexpected character "b" at position 4'],
    ['1abc', 'unexpected character "1" at position 1'],
    ['my-table', 'unexpected character "-" at position 3'],
    ['ops. t', 'unexpected character " " at position 5'],
    ['a b', 'unexpected character " " at position 2'],
    ['  a b', 'unexpected character " " at position 4'],
    ['t;drop table x', 'unexpected character ";" at position 2'],
    ['a'.repeat(64), `"${'a'.repeat(64)}" is longer than 63 bytes`],
    [`"${'é'.repeat(32)}"`, `"${'é'.repeat(32)}" is longer than 63 bytes`],
    ['"a\0b"', 'it contains a NUL character'],
  ])('rejects %j: %s', (value, problem) => {
    const e = tableError(value);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`invalid table name ${JSON.stringify(value)}: ${problem}; ${FORM}`);
    expect(e.hint).toBe('Fix the `table` setting (or ARCHON_MIGRATE_TABLE).');
  });

  it('limits are bytes, not characters', () => {
    expect(MAX_IDENTIFIER_BYTES).toBe(63);
    expect(parseTableName(`"${'é'.repeat(31)}x"`).name).toHaveLength(32);
  });

  it('property: parseTableName(qualifiedTable(t)) returns t', () => {
    const part = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\0') && new TextEncoder().encode(s).length <= 63);
    fc.assert(fc.property(fc.option(part, { nil: undefined }), part, (schema, name) => {
      const t = schema === undefined ? { name } : { schema, name };
      expect(parseTableName(qualifiedTable(t))).toEqual(t);
    }));
  });
});

describe('qualifiedTable', () => {
  it('quotes every part', () => {
    expect(qualifiedTable({ name: 'archon_migrations' })).toBe('"archon_migrations"');
    expect(qualifiedTable({ schema: 'My.Schema', name: 't"x' })).toBe('"My.Schema"."t""x"');
  });
});
