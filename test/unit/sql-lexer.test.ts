import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  findTransactionControl,
  isEmptySql,
  offsetToLineColumn,
  pgPositionToOffset,
  splitSegments,
  splitStatements,
  tokenize,
} from '../../src/core/sql-lexer.js';
import { parseDirectives, VALID_DIRECTIVES } from '../../src/core/directives.js';

const texts = (sql: string): string[] => splitStatements(sql).map((s) => s.text);

describe('splitStatements', () => {
  it('splits at top-level semicolons and reports offsets and lines', () => {
    const sql = 'CREATE TABLE a (id int);\n\n  INSERT INTO a VALUES (1);\nSELECT 1';
    const statements = splitStatements(sql);
    expect(statements).toEqual([
      { text: 'CREATE TABLE a (id int);', start: 0, end: 24, line: 1 },
      { text: 'INSERT INTO a VALUES (1);', start: 28, end: 53, line: 3 },
      { text: 'SELECT 1', start: 54, end: 62, line: 4 },
    ]);
    for (const s of statements) expect(sql.slice(s.start, s.end)).toBe(s.text);
  });

  it('returns nothing for empty, blank and comment-only input', () => {
    expect(splitStatements('')).toEqual([]);
    expect(splitStatements(' \n\t\r\n')).toEqual([]);
    expect(splitStatements('-- only a comment\n/* and a block */\n')).toEqual([]);
  });

  it('skips empty statements', () => {
    expect(texts(';;SELECT 1;; ;')).toEqual(['SELECT 1;']);
  });

  it('starts a statement at its first token, after leading comments', () => {
    expect(splitStatements('-- header\n/* note */ SELECT 1; -- trailing\n')).toEqual([{ text: 'SELECT 1;', start: 21, end: 30, line: 2 }]);
  });

  it('keeps comments inside a statement', () => {
    expect(texts('SELECT 1 -- one; two\n, 2 /* ; */;')).toEqual(['SELECT 1 -- one; two\n, 2 /* ; */;']);
  });

  it('ends an unterminated last statement at its last token, without trailing comments', () => {
    expect(texts('SELECT 1; SELECT 2 -- no semicolon\n')).toEqual(['SELECT 1;', 'SELECT 2']);
  });

  it.each([
    ["standard string with '' escapes", "SELECT 'it''s; fine', 'a;b';"],
    ['standard string with a backslash (standard_conforming_strings on)', "SELECT 'C:\\';"],
    ["E'' string with backslash escapes", "SELECT E'it\\'s; \\\\';"],
    ["e'' string in lower case", "SELECT e'\\';' ;"],
    ["E'' string with '' escape", "SELECT E'a''b;c';"],
    ['quoted identifier', 'SELECT 1 AS "a;""b";'],
    ['dollar quotes', "DO $$ BEGIN RAISE NOTICE 'x'; END $$;"],
    ['tagged dollar quotes containing $$', 'CREATE FUNCTION f() RETURNS text AS $body$ SELECT $$;$$; $body$ LANGUAGE sql;'],
    ['dollar tag with non-ASCII letters', 'SELECT $é$;$é$;'],
    ['line comment', 'SELECT 1 -- ; \n;'],
    ['nested block comments', 'SELECT /* a /* b; */ c; */ 1;'],
    ['parentheses (like psql)', 'SELECT (1;2);'],
    ["U&'' string", "SELECT U&'d\\0061t;a';"],
    ['bit and hex strings', "SELECT B'1;0', X'1;F';"],
  ])('does not split inside %s', (_name, sql) => {
    expect(texts(`${sql}\nSELECT 2;`)).toEqual([sql, 'SELECT 2;']);
  });

  it('does not split inside strings: exact pieces', () => {
    expect(texts("SELECT 'a;b'; SELECT E'\\';'; SELECT \"x;\"; SELECT $t$;$t$;")).toEqual([
      "SELECT 'a;b';",
      "SELECT E'\\';';",
      'SELECT "x;";',
      'SELECT $t$;$t$;',
    ]);
  });

  it("treats a backslash in a standard string as an ordinary character", () => {
    expect(texts("SELECT 'a\\'; SELECT 'b';")).toEqual(["SELECT 'a\\';", "SELECT 'b';"]);
  });

  it('only treats E as a prefix when it is a word of its own', () => {
    // `ae'…'` is not an E-string; the string starts at the quote and has no backslash escapes
    expect(texts("SELECT 1 AS \"x\", 'a\\'; SELECT 2;")).toEqual(["SELECT 1 AS \"x\", 'a\\';", 'SELECT 2;']);
  });

  it('does not take $1 parameters or identifiers with $ for dollar quotes', () => {
    expect(texts('SELECT $1; SELECT $2;')).toEqual(['SELECT $1;', 'SELECT $2;']);
    expect(texts('SELECT a$b$c; SELECT 2;')).toEqual(['SELECT a$b$c;', 'SELECT 2;']);
    expect(texts('SELECT x$$; SELECT 2;')).toEqual(['SELECT x$$;', 'SELECT 2;']);
  });

  it('dollar tags are case-sensitive', () => {
    expect(texts('SELECT $a$ ; $A$ ; $a$; SELECT 2;')).toEqual(['SELECT $a$ ; $A$ ; $a$;', 'SELECT 2;']);
  });

  it('an unterminated string or comment runs to the end of the source', () => {
    expect(texts("SELECT 'abc; SELECT 2;")).toEqual(["SELECT 'abc; SELECT 2;"]);
    expect(texts('SELECT 1 /* ; SELECT 2;')).toEqual(['SELECT 1 /* ; SELECT 2;']);
    expect(texts('SELECT 1; /* never closed')).toEqual(['SELECT 1;']);
    expect(texts('SELECT "abc; SELECT 2;')).toEqual(['SELECT "abc; SELECT 2;']);
    expect(texts("SELECT E'\\'; SELECT 2;")).toEqual(["SELECT E'\\'; SELECT 2;"]);
    expect(texts("SELECT E'\\")).toEqual(["SELECT E'\\"]);
    expect(texts('SELECT $$ ; SELECT 2;')).toEqual(['SELECT $$ ; SELECT 2;']);
  });

  describe('SQL-standard function bodies (BEGIN ATOMIC … END)', () => {
    it('keeps the body in one statement', () => {
      const fn = `CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO log VALUES (a);
  SELECT a + b;
END;`;
      expect(texts(`${fn}\nSELECT add(1, 2);`)).toEqual([fn, 'SELECT add(1, 2);']);
    });

    it('handles CASE … END inside the body', () => {
      const fn = `CREATE OR REPLACE FUNCTION sign_of(x int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN 'pos;' WHEN x < 0 THEN 'neg' ELSE CASE WHEN true THEN 'zero' END END;
  SELECT 'after case';
END;`;
      expect(texts(`${fn} SELECT 1;`)).toEqual([fn, 'SELECT 1;']);
    });

    it('handles procedures and mixed case', () => {
      const proc = 'create or replace procedure p() language sql begin atomic insert into t values (1); insert into t values (2); end;';
      expect(texts(`${proc}call p();`)).toEqual([proc, 'call p();']);
    });

    it('ignores words named begin/end inside parentheses (parameter names)', () => {
      const fn = 'CREATE FUNCTION f("begin" int, "end" int) RETURNS int LANGUAGE sql RETURN 1;';
      expect(texts(`${fn} SELECT 2;`)).toEqual([fn, 'SELECT 2;']);
    });

    it('does not track CASE … END outside a BEGIN ATOMIC body', () => {
      const fn = 'CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END;';
      expect(texts(`${fn} SELECT 2;`)).toEqual([fn, 'SELECT 2;']);
    });

    it('does not treat BEGIN/END in other statements as a block', () => {
      expect(texts('BEGIN; SELECT 1; END;')).toEqual(['BEGIN;', 'SELECT 1;', 'END;']);
      expect(texts('SELECT CASE WHEN true THEN 1 END; SELECT 2;')).toEqual(['SELECT CASE WHEN true THEN 1 END;', 'SELECT 2;']);
    });
  });

  it('reports lines after CRLF and lone CR line breaks', () => {
    expect(splitStatements('SELECT 1;\r\nSELECT 2;\rSELECT 3;').map((s) => s.line)).toEqual([1, 2, 3]);
  });
});

describe('splitSegments', () => {
  it('covers the source exactly, split after each top-level semicolon', () => {
    const sql = '-- head\nSELECT 1; /* x */ SELECT 2;\n-- tail\n';
    const segments = splitSegments(sql);
    expect(segments.map((s) => s.text)).toEqual(['-- head\nSELECT 1;', ' /* x */ SELECT 2;', '\n-- tail\n']);
    expect(segments.map((s) => [s.start, s.end, s.line])).toEqual([[0, 17, 1], [17, 35, 2], [35, 44, 3]]);
  });

  it('returns nothing for the empty string', () => {
    expect(splitSegments('')).toEqual([]);
  });
});

describe('tokenize', () => {
  it('covers the source exactly', () => {
    const sql = "SELECT E'\\'', $x$ $ $x$, \"q\"\"\", -- c\n/* a /* b */ */ $1;";
    const tokens = tokenize(sql);
    expect(tokens.map((t) => sql.slice(t.start, t.end)).join('')).toBe(sql);
    expect(tokens.filter((t) => t.type !== 'space').map((t) => [t.type, sql.slice(t.start, t.end)])).toEqual([
      ['word', 'SELECT'],
      ['string', "E'\\''"],
      ['other', ','],
      ['dollar-body', '$x$ $ $x$'],
      ['other', ','],
      ['quoted-ident', '"q"""'],
      ['other', ','],
      ['line-comment', '-- c'],
      ['block-comment', '/* a /* b */ */'],
      ['other', '$1'],
      ['semicolon', ';'],
    ]);
  });
});

describe('isEmptySql', () => {
  it.each([
    ['', true],
    ['  \n\t', true],
    ['-- nothing here\n', true],
    ['/* nothing /* nested */ */', true],
    [';', true],
    [' ; ;\n', true],
    ['-- archon-migrate: no-transaction\n', true],
    ['SELECT 1', false],
    ['-- x\nSELECT 1;', false],
    ["''", false],
    ['/* unterminated SELECT 1;', true],
  ])('%j -> %s', (sql, empty) => {
    expect(isEmptySql(sql)).toBe(empty);
  });
});

describe('offsetToLineColumn', () => {
  it('is 1-based', () => {
    expect(offsetToLineColumn('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(offsetToLineColumn('abc', 2)).toEqual({ line: 1, column: 3 });
    expect(offsetToLineColumn('a\nbc', 3)).toEqual({ line: 2, column: 2 });
  });

  it('counts LF, CRLF and lone CR as one line break each', () => {
    const sql = 'a\r\nb\rc\nd';
    expect(offsetToLineColumn(sql, sql.indexOf('b'))).toEqual({ line: 2, column: 1 });
    expect(offsetToLineColumn(sql, sql.indexOf('c'))).toEqual({ line: 3, column: 1 });
    expect(offsetToLineColumn(sql, sql.indexOf('d'))).toEqual({ line: 4, column: 1 });
  });

  it('counts columns in characters, so an astral character is one column', () => {
    const sql = "SELECT '😀😀', x";
    expect(offsetToLineColumn(sql, sql.indexOf('x'))).toEqual({ line: 1, column: 14 });
    expect(offsetToLineColumn('é😀x', 3)).toEqual({ line: 1, column: 3 });
  });

  it('clamps offsets outside the source', () => {
    expect(offsetToLineColumn('ab\ncd', -5)).toEqual({ line: 1, column: 1 });
    expect(offsetToLineColumn('ab\ncd', 99)).toEqual({ line: 2, column: 3 });
    expect(offsetToLineColumn('', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('pgPositionToOffset', () => {
  it('maps 1-based character positions to JS offsets', () => {
    expect(pgPositionToOffset('SELECT x', 1)).toBe(0);
    expect(pgPositionToOffset('SELECT x', 8)).toBe(7);
  });

  it('counts astral characters (two UTF-16 units) once, as PostgreSQL does', () => {
    const sql = "SELECT '😀', nope";
    // PostgreSQL would report position 13 for `nope`: S=1 … '=8 😀=9 '=10 ,=11 space=12 n=13
    expect(pgPositionToOffset(sql, 13)).toBe(sql.indexOf('nope'));
  });

  it('clamps positions outside the source', () => {
    expect(pgPositionToOffset('abc', 0)).toBe(0);
    expect(pgPositionToOffset('abc', -1)).toBe(0);
    expect(pgPositionToOffset('abc', 99)).toBe(3);
    expect(pgPositionToOffset('abc', Number.NaN)).toBe(0);
  });

  it('property: agrees with code-point iteration, and round-trips with offsetToLineColumn on one line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }).map((s) => s.replace(/[\r\n]/g, '')), (sql) => {
        const points = Array.from(sql);
        let offset = 0;
        points.forEach((p, i) => {
          expect(pgPositionToOffset(sql, i + 1)).toBe(offset);
          expect(offsetToLineColumn(sql, offset)).toEqual({ line: 1, column: i + 1 });
          offset += p.length;
        });
      }),
    );
  });
});

describe('parseDirectives', () => {
  it('defaults to a transaction and no timeouts', () => {
    expect(parseDirectives('SELECT 1;')).toEqual({ directives: { transaction: true }, problems: [] });
    expect(parseDirectives('')).toEqual({ directives: { transaction: true }, problems: [] });
  });

  it('reads directives from the leading comment lines', () => {
    const sql = '-- Adds an index without blocking writes.\n\n-- archon-migrate: no-transaction\n--archon-migrate: lock-timeout=5s\n-- archon-migrate:statement-timeout=60s\nCREATE INDEX CONCURRENTLY i ON t (x);\n';
    expect(parseDirectives(sql)).toEqual({ directives: { transaction: false, lockTimeout: '5s', statementTimeout: '60s' }, problems: [] });
  });

  it('accepts several directives on one line, separated by commas', () => {
    expect(parseDirectives('-- archon-migrate: no-transaction, lock-timeout = 250ms ,statement-timeout=2min\nSELECT 1;')).toEqual({
      directives: { transaction: false, lockTimeout: '250ms', statementTimeout: '2min' },
      problems: [],
    });
  });

  it.each([
    ['5000', '5000ms'],
    ['0', '0ms'],
    ['007s', '7s'],
    ['1h', '1h'],
    ['1H', '1h'],
    ['30min', '30min'],
  ])('accepts the duration %j as %j', (value, text) => {
    expect(parseDirectives(`-- archon-migrate: lock-timeout=${value}\n`).directives.lockTimeout).toBe(text);
  });

  it('ignores ordinary comments and directives inside strings', () => {
    const sql = "-- archon-migrate is nice\nSELECT '-- archon-migrate: no-transaction';\nDO $$ -- archon-migrate: no-transaction\n BEGIN END $$;";
    expect(parseDirectives(sql)).toEqual({ directives: { transaction: true }, problems: [] });
  });

  it('reads directives after a block comment at the top', () => {
    expect(parseDirectives('/* header */\n-- archon-migrate: no-transaction\nSELECT 1;').directives.transaction).toBe(false);
  });

  it('reports an unknown directive with its line and the valid directives', () => {
    const { directives, problems } = parseDirectives('-- first line\n-- archon-migrate: no-transactions\nSELECT 1;');
    expect(directives).toEqual({ transaction: true });
    expect(problems).toEqual([{ line: 2, message: `unknown directive "no-transactions"; valid directives: ${VALID_DIRECTIVES}` }]);
    expect(VALID_DIRECTIVES).toBe('no-transaction, lock-timeout=<duration>, statement-timeout=<duration> (duration: an integer with ms, s, min or h, or plain milliseconds)');
  });

  it.each([
    ['lock-timeout=5 s', 'bad value for lock-timeout: "5 s"'],
    ['lock-timeout=5sec', 'bad value for lock-timeout: "5sec"'],
    ['lock-timeout=1.5s', 'bad value for lock-timeout: "1.5s"'],
    ['lock-timeout=-1s', 'bad value for lock-timeout: "-1s"'],
    ['lock-timeout=', 'bad value for lock-timeout: ""'],
    ['lock-timeout', 'bad value for lock-timeout: ""'],
    ['statement-timeout=1d', 'bad value for statement-timeout: "1d"'],
    ['statement-timeout=597h', 'bad value for statement-timeout: "597h"'],
    ['statement-timeout=99999999999999999999', 'bad value for statement-timeout: "99999999999999999999"'],
  ])('reports a bad value: %s', (item, start) => {
    const key = item.startsWith('lock') ? 'lock-timeout' : 'statement-timeout';
    const { problems } = parseDirectives(`-- archon-migrate: ${item}\nSELECT 1;`);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(1);
    expect(problems[0]!.message).toBe(
      `${start}; expected an integer with ms, s, min or h (e.g. ${key}=5s), at most 2147483647 ms; valid directives: ${VALID_DIRECTIVES}`,
    );
  });

  it('accepts the largest timeout PostgreSQL accepts', () => {
    expect(parseDirectives('-- archon-migrate: statement-timeout=596h\n').problems).toEqual([]);
    expect(parseDirectives('-- archon-migrate: statement-timeout=2147483647\n').problems).toEqual([]);
  });

  it('reports a value given to no-transaction', () => {
    expect(parseDirectives('-- archon-migrate: no-transaction=true\n').problems).toEqual([
      { line: 1, message: 'directive no-transaction takes no value, found "no-transaction=true"; write "-- archon-migrate: no-transaction"' },
    ]);
  });

  it('reports a repeated directive', () => {
    expect(parseDirectives('-- archon-migrate: lock-timeout=1s\n-- archon-migrate: lock-timeout=2s\n').problems).toEqual([
      { line: 2, message: 'directive lock-timeout is given twice (first on line 1); keep one' },
    ]);
  });

  it('reports an empty directive', () => {
    expect(parseDirectives('-- archon-migrate:\n-- archon-migrate: no-transaction,\n').problems).toEqual([
      { line: 1, message: `empty directive; valid directives: ${VALID_DIRECTIVES}` },
      { line: 2, message: `empty directive; valid directives: ${VALID_DIRECTIVES}` },
    ]);
  });

  it('reports a directive after the first statement', () => {
    const { directives, problems } = parseDirectives('SELECT 1;\n-- archon-migrate: no-transaction\nSELECT 2; -- archon-migrate: lock-timeout=1s\n');
    expect(directives).toEqual({ transaction: true });
    expect(problems).toEqual([
      { line: 2, message: 'directives must be at the top of the file, before the first SQL statement; move this line up' },
      { line: 3, message: 'directives must be at the top of the file, before the first SQL statement; move this line up' },
    ]);
  });

  it('collects every problem and keeps what it understood', () => {
    const { directives, problems } = parseDirectives('-- archon-migrate: no-transaction, bogus, lock-timeout=soon\n-- archon-migrate: statement-timeout=1s\n');
    expect(directives).toEqual({ transaction: false, statementTimeout: '1s' });
    expect(problems.map((p) => [p.line, p.message.split(';')[0]])).toEqual([
      [1, 'unknown directive "bogus"'],
      [1, 'bad value for lock-timeout: "soon"'],
    ]);
  });

  it('handles CRLF files', () => {
    expect(parseDirectives('-- archon-migrate: no-transaction\r\n-- archon-migrate: lock-timeout=3s\r\nSELECT 1;\r\n')).toEqual({
      directives: { transaction: false, lockTimeout: '3s' },
      problems: [],
    });
  });
});

describe('findTransactionControl', () => {
  const found = (sql: string): [string, number][] => findTransactionControl(splitStatements(sql)).map((t) => [t.keyword, t.line]);

  it('finds every kind of top-level transaction control with its line', () => {
    const sql = [
      'BEGIN;',
      'begin transaction isolation level serializable;',
      'BEGIN WORK;',
      'START TRANSACTION;',
      'SAVEPOINT s1;',
      'RELEASE SAVEPOINT s1;',
      'ROLLBACK TO SAVEPOINT s1;',
      'COMMIT;',
      'COMMIT AND CHAIN;',
      'END;',
      'END TRANSACTION;',
      'ROLLBACK;',
      'ABORT;',
      "COMMIT PREPARED 'x';",
    ].join('\n');
    expect(found(sql)).toEqual([
      ['BEGIN', 1],
      ['BEGIN', 2],
      ['BEGIN', 3],
      ['START TRANSACTION', 4],
      ['SAVEPOINT', 5],
      ['RELEASE', 6],
      ['ROLLBACK', 7],
      ['COMMIT', 8],
      ['COMMIT', 9],
      ['END', 10],
      ['END', 11],
      ['ROLLBACK', 12],
      ['ABORT', 13],
      ['COMMIT', 14],
    ]);
  });

  it('returns the statement it found', () => {
    const [t] = findTransactionControl(splitStatements('SELECT 1;\n  commit ;'));
    expect(t!.statement).toEqual({ text: 'commit ;', start: 12, end: 20, line: 2 });
  });

  it('never matches inside DO bodies, function bodies or strings', () => {
    const sql = `DO $$ BEGIN COMMIT; ROLLBACK; END $$;
CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $fn$ BEGIN PERFORM 1; END $fn$;
CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
SELECT 'BEGIN;'; -- COMMIT;
/* ROLLBACK; */ SELECT "commit";`;
    expect(found(sql)).toEqual([]);
  });

  it('ignores START without TRANSACTION and words that only start with a keyword', () => {
    expect(found('START; committed; beginning; SELECT begin FROM t;')).toEqual([]);
  });

  it('skips comments before the keyword, also in segments', () => {
    expect(found('/* open */ BEGIN;\n-- close\nCOMMIT;')).toEqual([['BEGIN', 1], ['COMMIT', 3]]);
    const segments = splitSegments('SELECT 1;\n-- close it\n/* now */\nCOMMIT;');
    expect(findTransactionControl(segments).map((t) => [t.keyword, t.line])).toEqual([['COMMIT', 4]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const contentChars = fc.constantFrom(';', "'", '"', '$', '\\', '-', '/', '*', '\n', ' ', 'a', 'E', '$$', '--', '/*', '*/', 'é', '😀', 'BEGIN', 'END');
const content = fc.array(contentChars, { maxLength: 12 }).map((a) => a.join(''));

/** One SQL fragment whose tokens are known: a word, a literal, a body or a comment. */
const fragment = fc.oneof(
  fc.constantFrom('SELECT', 'x', 'foo_bar', '1', '$1', '::', ',', '+', '-', '/', '*', '=', 'é'),
  content.map((c) => `'${c.replace(/'/g, "''")}'`),
  content.map((c) => `E'${c.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`),
  content.map((c) => `e'${c.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`),
  content.map((c) => `"${c.replace(/"/g, '""')}"`),
  fc.tuple(fc.constantFrom('', 'a', 'body', 'x_1', 'é'), content).filter(([tag, c]) => !`${c}$`.includes(`$${tag}$`)).map(([tag, c]) => `$${tag}$${c}$${tag}$`),
  content.filter((c) => !/[\r\n]/.test(c)).map((c) => `--${c}\n`),
  content.filter((c) => !c.includes('/*') && !c.includes('*/') && !c.startsWith('*') && !c.endsWith('/') && !c.endsWith('*')).map((c) => `/*${c}*/`),
  content.filter((c) => !c.includes('/*') && !c.includes('*/')).map((c) => `/* a /* ${c} */ b */`),
);

/** A statement: a leading word, then fragments, separated by whitespace, ending in `;`. */
const statement = fc
  .tuple(fc.constantFrom('SELECT', 'INSERT', 'UPDATE', 'DO', 'CREATE'), fc.array(fragment, { maxLength: 6 }), fc.constantFrom(' ', '\n', '\t', '\r\n'))
  .map(([head, rest, sep]) => [head, ...rest].join(sep) + (rest.length > 0 && rest[rest.length - 1]!.endsWith('\n') ? '' : sep) + ';');

const separator = fc.constantFrom('', ' ', '\n', '\r\n', '\n\n', '-- between ; statements\n', '/* ; */', ' /* a /* ; */ */ ');

describe('lexer properties', () => {
  it('segments and tokens are lossless for arbitrary input', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(contentChars, fragment, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 30 }).map((a) => a.join('')), (sql) => {
        expect(splitSegments(sql).map((s) => s.text).join('')).toBe(sql);
        expect(tokenize(sql).map((t) => sql.slice(t.start, t.end)).join('')).toBe(sql);
        let at = 0;
        for (const s of splitSegments(sql)) {
          expect(s.start).toBe(at);
          expect(sql.slice(s.start, s.end)).toBe(s.text);
          at = s.end;
        }
        for (const s of splitStatements(sql)) expect(sql.slice(s.start, s.end)).toBe(s.text);
      }),
      { numRuns: 500 },
    );
  });

  it('never splits inside a literal, identifier, comment or dollar body: generated statements come back exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(separator, statement), { minLength: 1, maxLength: 8 }), separator, (parts, tail) => {
        const sql = parts.map(([sep, st]) => sep + st).join('') + tail;
        const generated = parts.map(([, st]) => st);
        const statements = splitStatements(sql);
        expect(statements.map((s) => s.text)).toEqual(generated);
        for (const s of statements) expect(offsetToLineColumn(sql, s.start).line).toBe(s.line);
        expect(findTransactionControl(statements)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('unterminated tokens', () => {
  it.each([
    ["'abc", 'string'],
    ["E'a\\'", 'string'],
    ['"abc', 'quoted-ident'],
    ['$t$ abc $t', 'dollar-body'],
    ['/* a /* b */', 'block-comment'],
  ])('%j is marked unterminated', (sql, type) => {
    expect(tokenize(sql)).toEqual([{ type, start: 0, end: sql.length, unterminated: true }]);
  });

  it.each(["'a'", "E'\\''", '"a"', '$t$ x $t$', '/* a /* b */ */'])('%j is terminated', (sql) => {
    expect(tokenize(sql)[0]!.unterminated).toBeUndefined();
  });
});

describe('scale', () => {
  it('splits a large file (20,000 statements, ~1 MB) without losing a statement', () => {
    const one = "INSERT INTO pages (id, body) VALUES (1, 'text; with ''quotes''') /* c */; -- x\n";
    const sql = one.repeat(20_000);
    const statements = splitStatements(sql);
    expect(statements).toHaveLength(20_000);
    expect(statements[19_999]!.line).toBe(20_000);
  });
});
