/**
 * How a folder numbers its migrations (DESIGN §2): `sequential` (001, 002, … — highest + 1 at the
 * same width) or `timestamp` (Supabase CLI's YYYYMMDDHHMMSS in UTC — the current time, one second
 * later when taken). Detected from the folder unless the config says. In a timestamp folder a
 * version of another width (`20240130_x.sql` among 14-digit ones) is misnumbered: numerically it
 * sorts far from where its date belongs.
 */
export type Versioning = 'sequential' | 'timestamp';

export const DEFAULT_VERSION_WIDTH = 3;
const TIMESTAMP = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/;

/** The UTC date-time of a 14-digit YYYYMMDDHHMMSS version, or undefined when it is not one. */
export function timestampOf(version: string): Date | undefined {
  const m = TIMESTAMP.exec(version);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const roundTrips = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
    && date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
  return roundTrips && y >= 1970 ? date : undefined;
}

export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** `timestamp` when the highest existing version is a 14-digit UTC date-time; `sequential` otherwise. */
export function detectVersioning(versions: readonly string[]): Versioning {
  let highest: string | undefined;
  for (const v of versions) {
    const n = v.replace(/^0+(?=[0-9])/, '');
    if (highest === undefined || n.length > highest.length || (n.length === highest.length && n > highest)) highest = n;
  }
  return highest !== undefined && timestampOf(highest) !== undefined ? 'timestamp' : 'sequential';
}

/** The version `create` gives a new migration. */
export function nextVersion(versions: readonly string[], versioning: Versioning = detectVersioning(versions), now: Date = new Date()): string {
  let highest = -1n;
  let width = versions.length === 0 ? DEFAULT_VERSION_WIDTH : 0;
  for (const v of versions) {
    const n = BigInt(v);
    if (n > highest) highest = n;
    if (v.length > width) width = v.length;
  }
  if (versioning === 'timestamp') {
    const taken = timestampOf(String(highest));
    const next = new Date(Math.max(Math.floor(now.getTime() / 1000) * 1000, taken ? taken.getTime() + 1000 : 0));
    return formatTimestamp(next);
  }
  return String(highest + 1n > 0n ? highest + 1n : 1n).padStart(width, '0');
}

export interface Misnumbered {
  file: string;
  version: string;
  message: string;
  hint: string;
}

/** In a timestamp folder: the files whose version is not a 14-digit UTC date-time. */
export function misnumbered(files: readonly { file: string; version: string; name: string }[], versioning: Versioning): Misnumbered[] {
  if (versioning !== 'timestamp') return [];
  return files.filter((f) => timestampOf(f.version) === undefined).map((f) => ({
    file: f.file,
    version: f.version,
    message: `${f.file}: version ${f.version} is not a 14-digit UTC timestamp (YYYYMMDDHHMMSS) like the others in this folder; numerically it sorts far from where its date belongs`,
    hint: `Rename it before it is applied and sealed, e.g. to ${suggestion(f.version)}_${f.name}.sql (\`archon-migrate create\` writes the current UTC time).`,
  }));
}

function suggestion(version: string): string {
  const digits = version.replace(/^0+(?=[0-9])/, '');
  const padded = digits.length < 14 ? digits.padEnd(14, '0') : digits.slice(0, 14);
  return timestampOf(padded) ? padded : formatTimestamp(new Date(0)).replace(/^1970/, 'YYYY');
}
