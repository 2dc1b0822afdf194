/**
 * Passwords never reach output (DESIGN §6). Pure string functions; they never throw.
 */
export const REDACTED = '****';

const URL_WITH_USERINFO = /\b(postgres(?:ql)?:\/\/)([^\s/?#@'"]*)@/gi;
const PASSWORD_PARAM = /([?&](?:password|pass|pwd|sslpassword)=)([^&#\s'"]*)/gi;

/**
 * `postgres://user:secret@host/db?password=x` → `postgres://user:****@host/db?password=****`.
 * Works on a bare URL or on text containing URLs; anything else comes back unchanged.
 */
export function redactUrl(url: string): string {
  try {
    if (typeof url !== 'string') return '';
    return url
      .replace(URL_WITH_USERINFO, (_all, scheme: string, userinfo: string) => {
        const colon = userinfo.indexOf(':');
        if (colon === -1) return `${scheme}${userinfo}@`;
        return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
      })
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
 * Replaces every occurrence of each secret, raw and URL-encoded (`encodeURIComponent`, and the
 * decoded form of an encoded secret), with ****. Also redacts passwords in postgres URLs.
 * Empty secrets are ignored.
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
    // longest first, so a secret that contains another is replaced whole
    let out = text;
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
      out = out.split(form).join(REDACTED);
    }
    return redactUrl(out);
  } catch {
    return '';
  }
}
