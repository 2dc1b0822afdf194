/**
 * Passwords never reach output (DESIGN §6). Pure string functions; they never throw.
 * When in doubt they redact too much rather than too little.
 */
export const REDACTED = '****';

/** A postgres URL's scheme, then everything up to whitespace or a quote. */
const POSTGRES_URL = /\b(postgres(?:ql)?:\/\/)([^\s'"`<>]*)/gi;
/** `password=…` as a URL query parameter or in a libpq `key=value` connection string. */
const PASSWORD_PARAM = /(\b(?:pg)?(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&#'"`]*)/gi;

/**
 * Where the user-info of a URL ends: the last `@` before the query, so that a password holding a
 * raw `@`, `/` or `:` is covered too. When the query holds the only `@` and a `:` precedes it, the
 * whole stretch is treated as user-info (over-redaction is the safe side).
 */
function userinfoEnd(rest: string): number {
  const queryStart = rest.search(/[?#]/);
  const authority = queryStart === -1 ? rest : rest.slice(0, queryStart);
  const at = authority.lastIndexOf('@');
  if (at !== -1) return at;
  const anyAt = rest.lastIndexOf('@');
  if (anyAt !== -1 && rest.slice(0, anyAt).includes(':')) return anyAt;
  return -1;
}

function redactUserinfo(scheme: string, rest: string): string {
  const end = userinfoEnd(rest);
  if (end === -1) return scheme + rest;
  const userinfo = rest.slice(0, end);
  const colon = userinfo.indexOf(':');
  if (colon === -1) return scheme + rest;
  return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}${rest.slice(end)}`;
}

/**
 * `postgres://user:secret@host/db?password=x` → `postgres://user:****@host/db?password=****`.
 * Works on a bare URL or on any text containing URLs or `password=` settings; anything else
 * comes back unchanged.
 */
export function redactUrl(url: string): string {
  try {
    if (typeof url !== 'string') return '';
    return url
      .replace(POSTGRES_URL, (_all, scheme: string, rest: string) => redactUserinfo(scheme, rest))
      .replace(PASSWORD_PARAM, (_all, key: string, value: string) => (value === '' ? key : key + REDACTED));
  } catch {
    return '';
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Replaces every occurrence of each secret — raw, `encodeURIComponent`-encoded, and decoded when
 * the secret itself is URL-encoded — with ****, and redacts passwords in postgres URLs and
 * `password=` settings. Empty secrets are ignored.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  try {
    if (typeof text !== 'string') return '';
    const forms = new Set<string>();
    for (const secret of Array.isArray(secrets) ? secrets : []) {
      if (typeof secret !== 'string' || secret === '') continue;
      forms.add(secret);
      forms.add(encodeURIComponent(secret));
      const decoded = safeDecode(secret);
      if (decoded !== undefined && decoded !== '') forms.add(decoded);
    }
    let out = redactUrl(text);
    // longest first, so a secret that contains another is replaced whole
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
      out = out.split(form).join(REDACTED);
    }
    return out;
  } catch {
    return '';
  }
}
