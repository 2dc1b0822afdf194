/**
 * Flyway versions (`1`, `1.2.3`, `1_2`, `2013.01.15.11.35.56`) → ours (digits only), keeping
 * Flyway's order. Flyway compares versions part by part as integers, a missing part counting as
 * 0 (so `1.0` is `1`). The mapping, for the set of versions of one folder:
 *
 * - when every version has one part (trailing `.0` parts ignored), it is kept as written;
 * - otherwise the first part is written as a number and each later part position i is
 *   zero-padded to the widest value at that position in the folder (a missing part is 0):
 *   `1.2`, `1.10`, `2` → widths [2] → `102`, `110`, `200`.
 *
 * Numerically, these keep Flyway's order and equality exactly: the first parts compare as
 * numbers, the fixed-width tail compares like the tuple. The same folder always maps the same way.
 */
export interface FlywayVersion {
  /** as written in the file name */
  written: string;
  /** integer parts, trailing zero parts removed (Flyway's equality) */
  parts: bigint[];
  /** `1.2` style canonical text: how its history is matched */
  key: string;
}

export function parseFlywayVersion(written: string): FlywayVersion | undefined {
  if (!/^[0-9]+([._][0-9]+)*$/.test(written)) return undefined;
  const parts = written.split(/[._]/).map((p) => BigInt(p));
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return { written, parts, key: parts.join('.') };
}

export function compareFlywayVersions(a: FlywayVersion, b: FlywayVersion): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const x = a.parts[i] ?? 0n;
    const y = b.parts[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Our version of each of `versions` (same order), per the mapping above. */
export function mapFlywayVersions(versions: readonly FlywayVersion[]): string[] {
  const positions = Math.max(1, ...versions.map((v) => v.parts.length));
  if (positions === 1) return versions.map((v) => (/^[0-9]+$/.test(v.written) ? v.written : v.parts[0]!.toString()));
  const widths: number[] = [];
  for (let i = 1; i < positions; i++) widths.push(Math.max(1, ...versions.map((v) => (v.parts[i] ?? 0n).toString().length)));
  return versions.map((v) => v.parts[0]!.toString() + widths.map((w, i) => (v.parts[i + 1] ?? 0n).toString().padStart(w, '0')).join(''));
}
