import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checksum, isChecksum, normalizeForChecksum } from '../../src/core/checksum.js';

interface Vector {
  id: number;
  name: string;
  hex: string;
  escaped: string;
  expected: string;
}

const spec = readFileSync(new URL('../../docs/checksum-spec.md', import.meta.url), 'utf8');

function readVectors(markdown: string): Vector[] {
  const rows = markdown.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  return rows.map((row) => {
    const m = /^\| (\d+) \| ([^|]+) \| `([0-9a-f]*)` \| `([^`]*)` \| `([^`]+)` \|$/.exec(row);
    if (!m) throw new Error(`unparseable vector row: ${row}`);
    return { id: Number(m[1]), name: m[2]!.trim(), hex: m[3]!, escaped: m[4]!, expected: m[5]! };
  });
}

/** The doc's reading form: \r, \n, \t, \uFEFF; everything else is literal UTF-8. */
function unescape(s: string): string {
  return s.replace(/\\r|\\n|\\t|\\uFEFF/g, (e) => ({ '\\r': '\r', '\\n': '\n', '\\t': '\t', '\\uFEFF': '\uFEFF' })[e]!);
}

const vectors = readVectors(spec);

describe('docs/checksum-spec.md test vectors', () => {
  it('has all the vectors the spec promises, numbered 1..n', () => {
    expect(vectors.map((v) => v.id)).toEqual(vectors.map((_, i) => i + 1));
    expect(vectors.length).toBe(15);
    const names = vectors.map((v) => v.name).join('\n');
    for (const word of ['empty file', 'CRLF', 'lone CR', 'leading BOM', 'BOM and CRLF', 'BOM in the middle', 'trailing spaces', 'mixed line endings']) {
      expect(names).toContain(word);
    }
  });

  for (const v of vectors) {
    it(`vector ${v.id} (${v.name}): bytes hash to ${v.expected.slice(0, 19)}…`, () => {
      expect(checksum(Buffer.from(v.hex, 'hex'))).toBe(v.expected);
    });
    it(`vector ${v.id} (${v.name}): the escaped form is the same bytes and the same checksum as a string`, () => {
      const text = unescape(v.escaped);
      expect(Buffer.from(text, 'utf8').toString('hex')).toBe(v.hex);
      expect(checksum(text)).toBe(v.expected);
    });
  }
});

describe('normalizeForChecksum', () => {
  const norm = (s: string): string => Buffer.from(normalizeForChecksum(Buffer.from(s, 'utf8'))).toString('utf8');

  it('strips exactly one leading BOM', () => {
    expect(norm('\uFEFFa')).toBe('a');
    expect(norm('\uFEFF\uFEFFa')).toBe('\uFEFFa');
    expect(norm('a\uFEFF')).toBe('a\uFEFF');
  });

  it('turns CRLF and lone CR into LF and keeps LF', () => {
    expect(norm('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
    expect(norm('\r\r\n\n\r')).toBe('\n\n\n\n');
  });

  it('changes nothing else', () => {
    const text = ' \tSELECT  1 ; \u00e9\u{1F600}\n\n';
    expect(norm(text)).toBe(text);
  });

  it('does not modify its input', () => {
    const input = Buffer.from('\uFEFFa\r\n', 'utf8');
    const copy = Buffer.from(input);
    normalizeForChecksum(input);
    expect(input.equals(copy)).toBe(true);
  });

  it('handles a truncated BOM prefix as content', () => {
    expect([...normalizeForChecksum(Uint8Array.from([0xef, 0xbb]))]).toEqual([0xef, 0xbb]);
  });
});

describe('checksum', () => {
  it('is sha256 over the normalised bytes, prefixed', () => {
    const expected = 'sha256:' + createHash('sha256').update('x\ny\n').digest('hex');
    expect(checksum('x\r\ny\r\n')).toBe(expected);
    expect(checksum(new TextEncoder().encode('x\ry\r'))).toBe(expected);
  });

  it('property: line-ending style and a leading BOM never change the checksum', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\r\n\uFEFF]/g, ''))), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean(), (lines, eol, bom) => {
        const lf = lines.join('\n');
        const other = (bom ? '\uFEFF' : '') + lines.join(eol);
        expect(checksum(other)).toBe(checksum(lf));
      }),
    );
  });

  it('property: any other change of content changes the checksum', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (a, b) => {
        fc.pre(!a.includes('\r') && !b.includes('\r'));
        fc.pre(a !== '' || !b.startsWith('\uFEFF')); // a leading BOM is not content
        expect(checksum(a + b)).not.toBe(checksum(a));
      }),
    );
  });

  it('string and bytes forms agree', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(checksum(s)).toBe(checksum(new TextEncoder().encode(s)));
    }));
  });
});

describe('isChecksum', () => {
  it('accepts sha256: and 64 lower-case hex digits', () => {
    expect(isChecksum(checksum(''))).toBe(true);
    expect(isChecksum('sha256:' + 'a'.repeat(64))).toBe(true);
  });

  it.each([
    [''],
    ['sha256:'],
    ['sha256:' + 'a'.repeat(63)],
    ['sha256:' + 'a'.repeat(65)],
    ['sha256:' + 'A'.repeat(64)],
    ['SHA256:' + 'a'.repeat(64)],
    ['md5:' + 'a'.repeat(32)],
    ['a'.repeat(64)],
    [' sha256:' + 'a'.repeat(64)],
    ['sha256:' + 'a'.repeat(64) + '\n'],
    ['sha256:' + 'g'.repeat(64)],
  ])('rejects %j', (value) => {
    expect(isChecksum(value)).toBe(false);
  });
});
