/**
 * What `import` makes of another tool's folder (DESIGN §9), as plain data: each of their
 * migrations becomes one of ours (`<version>_<name>.sql`, optionally a rollback), remembering
 * the files it came from and how their history table names it (`ref`).
 */

export const IMPORT_TOOLS = ['supabase', 'golang-migrate', 'dbmate', 'node-pg-migrate', 'postgres-migrations', 'flyway'] as const;
export type ImportTool = (typeof IMPORT_TOOLS)[number];

/** One file of their folder. */
export interface SourceFile {
  /** relative to their folder, `/` separators */
  path: string;
  bytes: Uint8Array;
}

export interface ConvertedMigration {
  version: string;
  name: string;
  /** `<version>_<name>.sql` */
  file: string;
  /** `<version>_<name>` (the ledger's migration_name) */
  stem: string;
  /** the bytes to write */
  content: Uint8Array;
  checksum: string;
  /** the rollback file's bytes, when they have a non-empty one */
  rollback?: Uint8Array;
  /** their files this migration comes from (removed by `--move`) */
  sources: string[];
  /** how their history table identifies it (a version, an id or a name, per tool) */
  ref: string;
  /** what was changed on the way, for the plan (e.g. their no-transaction marker turned into ours) */
  notes: string[];
}

/** A file of their folder that their tool itself does not run, and why. */
export interface IgnoredFile {
  path: string;
  reason: string;
}

export interface Conversion {
  /** in their order (which is also ours, or there is a problem) */
  migrations: ConvertedMigration[];
  ignored: IgnoredFile[];
  /** each a full sentence naming the file: any problem refuses the import */
  problems: string[];
}

/**
 * What their history table says: the refs of the migrations it records as applied, the refs it
 * records with no file in their folder, and the rows that refuse the import (dirty, failed…).
 */
export interface HistoryVerdict {
  applied: Set<string>;
  /** refs recorded as applied that no file of their folder has */
  unknown: string[];
  problems: string[];
  /** when they recorded each ref (where their table keeps it) */
  appliedAt: Map<string, Date>;
}

export function emptyVerdict(): HistoryVerdict {
  return { applied: new Set(), unknown: [], problems: [], appliedAt: new Map() };
}
