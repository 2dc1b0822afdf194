/**
 * The checks every tool's conversion ends with: each of their migrations gets a valid name of
 * ours, no two share a version, our numeric order is their order, and the converted file is one
 * `up` would run (the same checks as `lock` and the guard: UTF-8, not empty, directives,
 * transaction control). Every problem is collected, none stops the others.
 */
import { checksum } from '../checksum.js';
import { compareVersions, MAX_VERSION_DIGITS, parseMigrationName, versionKey } from '../migration-name.js';
import { decodeMigration, migrationSourceProblems } from '../migration-source.js';
import type { Conversion, ConvertedMigration, IgnoredFile } from './converted-migration.js';
import { migrationSlug } from './migration-slug.js';

/** One of their migrations, before our checks. */
export interface Draft {
  /** digits, as their file writes them (or as mapped, for Flyway's dotted versions) */
  version: string;
  /** their description, any characters */
  rawName: string;
  /** their main file, for messages */
  source: string;
  sources: string[];
  content: Uint8Array;
  rollback?: Uint8Array;
  ref: string;
  notes: string[];
}

/** The ledger's migration_name is varchar(255), and so is a file name in bytes. */
const MAX_STEM = 250;

export function versionTooLongMessage(source: string, version: string): string {
  return `${source}: its version ${version} has ${version.length} digits, more than the ${MAX_VERSION_DIGITS} archon-migrate's ledger holds; renumber it before importing`;
}

export function unconvertibleNameMessage(source: string, raw: string): string {
  return `${source}: its name ${JSON.stringify(raw)} has no letter or digit to keep for a file name of ours; rename the file (keep its version) before importing`;
}

export function nameTooLongMessage(source: string): string {
  return `${source}: its name is too long for a migration name (at most ${MAX_STEM} characters with the version); shorten it before importing`;
}

export function duplicateImportVersionMessage(first: string, second: string, key: string): string {
  return `${first} and ${second} have the same version ${key}; two migrations cannot share a version: renumber one of them before importing`;
}

export function orderDiffersMessage(tool: string, first: string, second: string): string {
  return `${tool} runs ${first} before ${second}, but their versions sort the other way here (numerically); rename one so that both orders agree before importing`;
}

export function convertedFileProblemMessage(source: string, file: string, problem: string, hint: string): string {
  return `${source} (as ${file}): ${problem}; ${hint}`;
}

export function rollbackNotUtf8Message(source: string): string {
  return `${source}: the rollback is not valid UTF-8 text; save it as UTF-8 before importing`;
}

function convert(draft: Draft, problems: string[]): ConvertedMigration | undefined {
  if (draft.version.length > MAX_VERSION_DIGITS) {
    problems.push(versionTooLongMessage(draft.source, draft.version));
    return undefined;
  }
  const name = migrationSlug(draft.rawName);
  if (name === '') {
    problems.push(unconvertibleNameMessage(draft.source, draft.rawName));
    return undefined;
  }
  const file = `${draft.version}_${name}.sql`;
  if (file.length - 4 > MAX_STEM || parseMigrationName(file) === undefined) {
    problems.push(nameTooLongMessage(draft.source));
    return undefined;
  }
  for (const p of migrationSourceProblems(draft.content)) {
    problems.push(convertedFileProblemMessage(draft.source, file, p.line === undefined ? p.message : `line ${p.line}: ${p.message}`, p.hint));
  }
  if (draft.rollback !== undefined && decodeMigration(draft.rollback) === undefined) problems.push(rollbackNotUtf8Message(draft.source));
  return {
    version: draft.version,
    name,
    file,
    stem: file.slice(0, -'.sql'.length),
    content: draft.content,
    checksum: checksum(draft.content),
    ...(draft.rollback === undefined ? {} : { rollback: draft.rollback }),
    sources: draft.sources,
    ref: draft.ref,
    notes: draft.notes,
  };
}

/** `drafts` in their tool's order; `problems` already found by the tool's own parsing. */
export function finishConversion(tool: string, drafts: readonly Draft[], ignored: IgnoredFile[], problems: string[]): Conversion {
  const migrations: ConvertedMigration[] = [];
  const byVersion = new Map<string, Draft>();
  let previous: Draft | undefined;
  for (const draft of drafts) {
    const key = versionKey(draft.version);
    const twin = byVersion.get(key);
    if (twin !== undefined) {
      problems.push(duplicateImportVersionMessage(twin.source, draft.source, key));
      continue;
    }
    byVersion.set(key, draft);
    if (previous !== undefined && compareVersions(previous.version, draft.version) > 0) {
      problems.push(orderDiffersMessage(tool, previous.source, draft.source));
    }
    previous = draft;
    const converted = convert(draft, problems);
    if (converted !== undefined) migrations.push(converted);
  }
  return { migrations, ignored, problems };
}
