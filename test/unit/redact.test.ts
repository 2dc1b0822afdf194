import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REDACTED, redactSecrets, redactUrl } from '../../src/core/redact.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://user:secret@localhost:5432/app', 'postgres://user:****@localhost:5432/app'],
    ['postgresql://user:secret@db.example.com/app?sslmode=require', 'postgresql://user:****@db.example.com/app?sslmode=require'],
    ['POSTGRES://User:Secret@host/db', 'POSTGRES://User:****@host/db'],
    ['postgres://postgres.abcd:p%40ss%3Aw%2Frd@aws-0.pooler.supabase.com:6543/postgres', 'postgres://postgres.abcd:****@aws-0.pooler.supabase.com:6543/postgres'],
    ['postgres://u:p@ss@host/db', 'postgres://u:****@host/db'],
    ['postgres://u:pa/ss@host/db', 'postgres://u:****@host/db'],
    ['postgres://u:pa:ss@host/db', 'postgres://u:****@host/db'],
    ['postgres://u:p?ss@host/db', 'postgres://u:****@host/db'],
    ['postgres://u:@host/db', 'postgres://u:****@host/db'],
    ['postgres://host/db?user=u&password=secret&sslmode=require', 'postgres://host/db?user=u&password=****&sslmode=require'],
    ['postgres://host/db?password=secret', 'postgres://host/db?password=****'],
    ['postgres://u:a@host/db?sslpassword=b', 'postgres://u:****@host/db?sslpassword=****'],
    ['host=db user=u password=secret dbname=x', 'host=db user=u password=**** dbname=x'],
    ["host=db password='se cret' dbname=x", 'host=db password=**** dbname=x'],
    ['PGPASSWORD=secret psql', 'PGPASSWORD=**** psql'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    'postgres://localhost/app',
    'postgres://user@localhost/app',
    'postgres://user@host:5432/db?application_name=x',
    'postgres:///app?host=/var/run/postgresql',
    'not a url',
    '',
    'http://user:pass@example.com',
  ])('leaves %j unchanged', (input) => {
    expect(redactUrl(input)).toBe(input);
  });

  it('redacts every URL inside longer text, including quoted ones', () => {
    const text = `connect "postgres://a:one@h1/db" failed; retry with 'postgresql://b:two@h2/db' and postgres://c:three@h3/db.`;
    expect(redactUrl(text)).toBe(`connect "postgres://a:****@h1/db" failed; retry with 'postgresql://b:****@h2/db' and postgres://c:****@h3/db.`);
  });

  it('is idempotent', () => {
    const once = redactUrl('postgres://u:s@h/db?password=x');
    expect(redactUrl(once)).toBe(once);
  });

  it('never throws, and never lets the password through (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.string({ minLength: 6, maxLength: 20 }).filter((p) => !/[\s'"`<>]/.test(p) && /^[A-Za-z0-9]/.test(p)),
        fc.stringMatching(/^[a-z0-9.-]{1,12}$/),
        (noise, user, password, host) => {
          fc.pre(!user.includes(password) && !host.includes(password) && !noise.includes(password) && !'postgres'.includes(password) && !'/db'.includes(password));
          const out = redactUrl(`${noise} postgres://${user}:${password}@${host}/db ${noise}`);
          expect(out).not.toContain(password);
          expect(out).toContain(`postgres://${user}:${REDACTED}@`);
        },
      ),
    );
  });

  it('never throws on garbage', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(typeof redactUrl(s)).toBe('string');
      expect(typeof redactUrl('postgres://' + s)).toBe('string');
    }));
    expect(redactUrl(undefined as unknown as string)).toBe('');
    expect(redactUrl(42 as unknown as string)).toBe('');
  });
});

describe('redactSecrets', () => {
  it('replaces raw and URL-encoded forms', () => {
    const secret = 'p@ss w/rd';
    const text = `raw ${secret}, encoded ${encodeURIComponent(secret)}, twice ${secret}`;
    expect(redactSecrets(text, [secret])).toBe('raw ****, encoded ****, twice ****');
  });

  it('replaces the decoded form of an encoded secret', () => {
    expect(redactSecrets('error for user with password p@ss', ['p%40ss'])).toBe('error for user with password ****');
  });

  it('also redacts postgres URLs and password= settings', () => {
    expect(redactSecrets('postgres://u:other@h/db failed: token abc123', ['abc123'])).toBe('postgres://u:****@h/db failed: token ****');
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    expect(redactSecrets('key=abcdef', ['abc', 'abcdef'])).toBe('key=****');
  });

  it('ignores empty secrets and works without secrets', () => {
    expect(redactSecrets('nothing to hide', [''])).toBe('nothing to hide');
    expect(redactSecrets('nothing to hide')).toBe('nothing to hide');
  });

  it('treats secrets literally, not as patterns', () => {
    expect(redactSecrets('a.c abc a+c', ['a.c', 'a+c'])).toBe('**** abc ****');
  });

  it('property: no secret survives, in any form', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', minLength: 2 }), fc.string({ unit: 'binary' }), (before, secret, after) => {
        fc.pre(!secret.includes('*')); // the replacement is made of '*'
        const text = `${before}${secret}${after} ${encodeURIComponent(secret)}`;
        const out = redactSecrets(text, [secret]);
        expect(out).not.toContain(secret);
        expect(out).not.toContain(encodeURIComponent(secret));
      }),
    );
  });

  it('never throws on garbage', () => {
    expect(redactSecrets(null as unknown as string, ['x'])).toBe('');
    expect(redactSecrets('x', null as unknown as string[])).toBe('x');
    expect(redactSecrets('a%b', ['%E0%A4%A', 'a%b'])).toBe('****');
  });
});
