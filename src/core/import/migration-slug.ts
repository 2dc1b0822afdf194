/**
 * Their description part of a file name → ours: lower-case letters, digits and `_` (DESIGN §2).
 * Accents are dropped (`crée` → `cree`), every other run of characters becomes one `_`.
 * An empty result means the name cannot be converted.
 */
export function migrationSlug(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
