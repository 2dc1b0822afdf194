/**
 * Migration file names: `<digits>_<lower-case letters, digits, _>.sql` (DESIGN §2).
 * Versions compare numerically at any width (`2` < `10` < `0011`) without converting to Number.
 */
export const MIGRATION_FILE_PATTERN = '<digits>_<lower-case letters, digits, _>.sql';

const FILE_RE = /^([0-9]+)_([a-z0-9_]+)\.sql$/;
/** The ledger's version column is varchar(20). */
export const MAX_VERSION_DIGITS = 20;

export interface MigrationName {
  /** "001_add_users.sql" */
  file: string;
  /** "001_add_users" — the ledger's migration_name */
  stem: string;
  /** "001" as written */
  version: string;
  /** canonical numeric form: leading zeros stripped, "0" if all zeros ("001" -> "1") */
  versionKey: string;
  /** "add_users" */
  name: string;
}

const ZERO = 0x30;

/** Index of the first character that is not a leading "0". */
function leadingZeros(version: string): number {
  let i = 0;
  while (i < version.length && version.charCodeAt(i) === ZERO) i++;
  return i;
}

/** Canonical numeric key of a digit string: leading zeros stripped, "0" when nothing is left. */
export function versionKey(version: string): string {
  const start = leadingZeros(version);
  if (start === version.length) return '0';
  return start === 0 ? version : version.slice(start);
}

export function parseMigrationName(file: string): MigrationName | undefined {
  const m = FILE_RE.exec(file);
  if (!m) return undefined;
  const version = m[1]!;
  if (version.length > MAX_VERSION_DIGITS) return undefined;
  const name = m[2]!;
  return { file, stem: file.slice(0, -'.sql'.length), version, versionKey: versionKey(version), name };
}

/**
 * Numeric comparison of two digit strings of any width: by length after stripping leading zeros,
 * then lexicographically. Equal numbers written with different widths ("1", "001") compare equal.
 */
export function compareVersions(a: string, b: string): number {
  // versionKey(a) vs versionKey(b), without building the keys: this runs inside sorts.
  let ia = leadingZeros(a);
  let ib = leadingZeros(b);
  let ka = a;
  let kb = b;
  if (ia === a.length) {
    ka = '0';
    ia = 0;
  }
  if (ib === b.length) {
    kb = '0';
    ib = 0;
  }
  const la = ka.length - ia;
  const lb = kb.length - ib;
  if (la !== lb) return la < lb ? -1 : 1;
  for (let k = 0; k < la; k++) {
    const ca = ka.charCodeAt(ia + k);
    const cb = kb.charCodeAt(ib + k);
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

/** Order of two migrations: numeric version, then file name (so the order is total and stable). */
export function compareMigrations(a: MigrationName, b: MigrationName): number {
  return compareVersions(a.version, b.version) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}

export interface NameProblem {
  file: string;
  kind: 'invalid-name' | 'duplicate-version';
  message: string;
}

export function invalidNameMessage(file: string): string {
  const m = FILE_RE.exec(file);
  if (m && m[1]!.length > MAX_VERSION_DIGITS) {
    return `${file}: invalid migration file name; the version has ${m[1]!.length} digits, at most ${MAX_VERSION_DIGITS} are allowed; expected ${MIGRATION_FILE_PATTERN}`;
  }
  return `${file}: invalid migration file name; expected ${MIGRATION_FILE_PATTERN} (e.g. 001_create_users.sql)`;
}

export function duplicateVersionMessage(file: string, other: string, version: string): string {
  return `${file}: duplicate migration version ${version}: ${other} and ${file} have the same version; renumber one of them (names must match ${MIGRATION_FILE_PATTERN})`;
}

/**
 * Sorts the `.sql` files among `files` (base names) by version. Files not ending in `.sql`
 * (any case) are ignored: the lockfile, README… Every problem is reported, not just the first one: invalid names and
 * every file that shares a numeric version with an earlier one. Files with a problem are not
 * in `migrations`, except the first file of a duplicated version.
 */
export function orderMigrations(files: readonly string[]): { migrations: MigrationName[]; problems: NameProblem[] } {
  const problems: NameProblem[] = [];
  const parsed: MigrationName[] = [];
  for (const file of files) {
    // `.SQL`, `.Sql`… are considered too, so that they are reported instead of silently skipped
    if (!file.toLowerCase().endsWith('.sql')) continue;
    const m = parseMigrationName(file);
    if (m) parsed.push(m);
    else problems.push({ file, kind: 'invalid-name', message: invalidNameMessage(file) });
  }
  parsed.sort(compareMigrations);
  const migrations: MigrationName[] = [];
  let previous: MigrationName | undefined;
  for (const m of parsed) {
    if (previous && previous.versionKey === m.versionKey) {
      problems.push({ file: m.file, kind: 'duplicate-version', message: duplicateVersionMessage(m.file, previous.file, m.versionKey) });
      continue;
    }
    migrations.push(m);
    previous = m;
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { migrations, problems };
}
