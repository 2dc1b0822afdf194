/**
 * The lockfile (DESIGN §3): one header line holding a hash over the entry lines, then one
 * `<file> sha256:<hex>` line per sealed migration in version order. LF, UTF-8, final newline.
 *
 *   archon-migrate lock v1 sha256:<hex of sha256 over the entry lines, each followed by "\n">
 *   001_create_sources.sql sha256:<hex>
 *
 * The header hash changes with every added line, so two branches that each add a migration always
 * conflict in git on line 1. Only the tool writes this file; parsing is strict and every error
 * names the line and the fix.
 */
import { createHash } from 'node:crypto';
import { ArchonError } from './errors.js';
import { isChecksum } from './checksum.js';
import { compareVersions, MIGRATION_FILE_PATTERN, parseMigrationName, type MigrationName } from './migration-name.js';

export interface Seal {
  file: string;
  checksum: string;
}

export const LOCKFILE_HEADER_PREFIX = 'archon-migrate lock v1 ';

export class LockfileError extends ArchonError {
  readonly line: number;
  readonly path?: string;

  constructor(message: string, options: { line: number; path?: string; hint?: string; cause?: unknown }) {
    super(message, { exitCode: 2, ...(options.hint === undefined ? {} : { hint: options.hint }), cause: options.cause });
    this.name = 'LockfileError';
    this.line = options.line;
    if (options.path !== undefined) this.path = options.path;
  }
}

function entryLine(seal: Seal): string {
  return `${seal.file} ${seal.checksum}`;
}

/** sha256 over the entry lines, each followed by "\n". */
export function lockfileHeaderHash(entryLines: readonly string[]): string {
  const hash = createHash('sha256');
  for (const line of entryLines) hash.update(line + '\n', 'utf8');
  return 'sha256:' + hash.digest('hex');
}

/** A seal with its parsed name, so that a sort parses each name once, not once per comparison. */
interface NamedSeal {
  seal: Seal;
  name: MigrationName | undefined;
}

function compareNamedSeals(a: NamedSeal, b: NamedSeal): number {
  if (a.name && b.name) {
    const c = compareVersions(a.name.version, b.name.version);
    if (c !== 0) return c;
  }
  return a.seal.file < b.seal.file ? -1 : a.seal.file > b.seal.file ? 1 : 0;
}

function sortNamed(seals: readonly Seal[]): NamedSeal[] {
  return seals.map((seal) => ({ seal, name: parseMigrationName(seal.file) })).sort(compareNamedSeals);
}

/** Sorts seals by version (then file name). */
export function sortSeals(seals: readonly Seal[]): Seal[] {
  return sortNamed(seals).map((n) => n.seal);
}

/**
 * Deterministic lockfile text for `seals`, sorted by version. Throws (exit 2) on input that
 * could not be parsed back: invalid names or checksums, duplicate files or versions.
 */
export function serializeLockfile(seals: readonly Seal[]): string {
  const sorted = sortNamed(seals);
  const seenFile = new Set<string>();
  const seenVersion = new Map<string, string>();
  for (const { seal, name: m } of sorted) {
    if (!m) throw new ArchonError(`cannot seal ${seal.file}: invalid migration file name; expected ${MIGRATION_FILE_PATTERN}`, { exitCode: 2, hint: 'Rename the file to match the pattern.' });
    if (!isChecksum(seal.checksum)) throw new ArchonError(`cannot seal ${seal.file}: invalid checksum ${JSON.stringify(seal.checksum)}; expected sha256:<64 lower-case hex digits>`, { exitCode: 2 });
    if (seenFile.has(seal.file)) throw new ArchonError(`cannot seal ${seal.file} twice`, { exitCode: 2 });
    const other = seenVersion.get(m.versionKey);
    if (other !== undefined) throw new ArchonError(`cannot seal ${seal.file}: version ${m.versionKey} is already sealed by ${other}`, { exitCode: 2, hint: 'Renumber one of the two migrations.' });
    seenFile.add(seal.file);
    seenVersion.set(m.versionKey, seal.file);
  }
  const lines = sorted.map((n) => entryLine(n.seal));
  return [LOCKFILE_HEADER_PREFIX + lockfileHeaderHash(lines), ...lines].map((l) => l + '\n').join('');
}

const RELOCK = 'rerun `archon-migrate lock`';

/**
 * Parses lockfile text. `path` (relative, for messages) is named in every error.
 * Throws LockfileError (exit 2): the message is `<path>: line <n>: <problem>`, the hint the fix.
 */
export function parseLockfile(text: string, path?: string): Seal[] {
  const shown = path ?? '<lockfile>';
  const restore = `restore it with \`git checkout -- ${shown}\``;
  const restoreOrRelock = `The tool is the only writer of this file: ${restore} or ${RELOCK}.`;
  const fail = (line: number, problem: string, hint: string): never => {
    const message = path === undefined ? `line ${line}: ${problem}` : `${path}: line ${line}: ${problem}`;
    throw new LockfileError(message, { line, hint, ...(path === undefined ? {} : { path }) });
  };

  if (text === '') fail(1, 'the lockfile is empty', `${capitalise(restore)}, or delete it and ${RELOCK} to seal the current migrations.`);

  const rawLines = text.split('\n');
  // Conflict markers first: they explain every other problem at once.
  for (let i = 0; i < rawLines.length; i++) {
    const l = rawLines[i]!;
    if (/^(<<<<<<<|=======|>>>>>>>|\|\|\|\|\|\|\|)( |\r?$)/.test(l)) {
      fail(i + 1, `git merge conflict marker "${l.slice(0, 7)}" — two branches added migrations`,
        `Do not merge it by hand: take the base branch's lockfile (e.g. \`git checkout origin/main -- ${shown}\`), renumber your new migrations above its last entry, then ${RELOCK}.`);
    }
  }
  const crIndex = rawLines.findIndex((l) => l.includes('\r'));
  if (crIndex !== -1) {
    fail(crIndex + 1, 'CRLF line ending; the lockfile must use LF line endings',
      `Add \`${shown} text eol=lf\` to .gitattributes and check it out again (\`git checkout -- ${shown}\`), or ${RELOCK}.`);
  }
  if (!text.endsWith('\n')) {
    fail(rawLines.length, 'missing newline at the end of the file', restoreOrRelock);
  }
  const lines = rawLines.slice(0, -1);

  const header = lines[0]!;
  if (header.startsWith('\uFEFF')) {
    fail(1, 'the file starts with a byte order mark (BOM)', `Save it as UTF-8 without a BOM: ${restore} or ${RELOCK}.`);
  }
  if (!header.startsWith(LOCKFILE_HEADER_PREFIX)) {
    fail(1, `missing or bad header: expected "${LOCKFILE_HEADER_PREFIX}sha256:<hex>", found ${JSON.stringify(truncate(header))}`, restoreOrRelock);
  }
  const headerHash = header.slice(LOCKFILE_HEADER_PREFIX.length);
  if (!isChecksum(headerHash)) {
    fail(1, `bad header hash ${JSON.stringify(truncate(headerHash))}: expected sha256:<64 lower-case hex digits>`, restoreOrRelock);
  }

  const seals: Seal[] = [];
  const byFile = new Map<string, number>();
  const byVersion = new Map<string, { file: string; line: number }>();
  let previous: { version: string; file: string; line: number } | undefined;
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    if (line === '') fail(lineNo, 'unexpected blank line', restoreOrRelock);
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      fail(lineNo, `malformed entry ${JSON.stringify(truncate(line))}: expected "<file> sha256:<hex>"`, restoreOrRelock);
    }
    const [file, sum] = parts as [string, string];
    const m = parseMigrationName(file);
    if (!m) fail(lineNo, `invalid migration file name ${JSON.stringify(truncate(file))}: expected ${MIGRATION_FILE_PATTERN}`, restoreOrRelock);
    if (!isChecksum(sum)) fail(lineNo, `bad checksum ${JSON.stringify(truncate(sum))} for ${file}: expected sha256:<64 lower-case hex digits>`, restoreOrRelock);
    const dupLine = byFile.get(file);
    if (dupLine !== undefined) fail(lineNo, `duplicate entry for ${file} (also on line ${dupLine})`, restoreOrRelock);
    const dupVersion = byVersion.get(m!.versionKey);
    if (dupVersion !== undefined) {
      fail(lineNo, `duplicate version ${m!.versionKey}: ${file} and ${dupVersion.file} (line ${dupVersion.line})`,
        `Two migrations share a version (often after a merge): renumber the one that is not applied anywhere yet, then ${RELOCK}.`);
    }
    if (previous && compareVersions(previous.version, m!.version) > 0) {
      fail(lineNo, `entries out of version order: ${file} comes after ${previous.file} (line ${previous.line})`, restoreOrRelock);
    }
    byFile.set(file, lineNo);
    byVersion.set(m!.versionKey, { file, line: lineNo });
    previous = { version: m!.version, file, line: lineNo };
    seals.push({ file, checksum: sum });
  }

  // The entry lines, each followed by "\n", are exactly the text after the header line.
  const expected = 'sha256:' + createHash('sha256').update(text.slice(header.length + 1), 'utf8').digest('hex');
  if (expected !== headerHash) {
    fail(1, 'header hash does not match the entries — the lockfile was edited by hand', `${capitalise(restore)} or ${RELOCK}.`);
  }
  return seals;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function truncate(s: string): string {
  return s.length > 200 ? s.slice(0, 197) + '...' : s;
}

/** What changed from `before` to `after`, each list in version order. */
export function diffSeals(before: readonly Seal[], after: readonly Seal[]): {
  added: Seal[];
  changed: { file: string; before: string; after: string }[];
  removed: Seal[];
} {
  const beforeMap = new Map(before.map((s) => [s.file, s.checksum]));
  const afterMap = new Map(after.map((s) => [s.file, s.checksum]));
  const added: Seal[] = [];
  const changed: { file: string; before: string; after: string }[] = [];
  const removed: Seal[] = [];
  for (const s of sortSeals(after)) {
    const old = beforeMap.get(s.file);
    if (old === undefined) added.push({ file: s.file, checksum: s.checksum });
    else if (old !== s.checksum) changed.push({ file: s.file, before: old, after: s.checksum });
  }
  for (const s of sortSeals(before)) {
    if (!afterMap.has(s.file)) removed.push({ file: s.file, checksum: s.checksum });
  }
  return { added, changed, removed };
}

/**
 * Seals `add` on top of `existing`, sorted by version. An existing line is never rewritten:
 * re-adding the same file with the same checksum is a no-op; with another checksum it throws
 * (exit 1), as does a new file whose version is already sealed by another file.
 */
export function mergeSeals(existing: readonly Seal[], add: readonly Seal[]): Seal[] {
  const byFile = new Map(existing.map((s) => [s.file, s.checksum]));
  const byVersion = new Map<string, string>();
  for (const s of existing) {
    const m = parseMigrationName(s.file);
    if (m) byVersion.set(m.versionKey, s.file);
  }
  const result: Seal[] = existing.map((s) => ({ file: s.file, checksum: s.checksum }));
  for (const s of add) {
    const sealed = byFile.get(s.file);
    if (sealed !== undefined) {
      if (sealed === s.checksum) continue;
      throw new ArchonError(`${s.file} is sealed with ${sealed} but its content now has ${s.checksum}; a sealed migration must not change`,
        { exitCode: 1, hint: `Restore ${s.file} from git and put the change in a new migration.` });
    }
    const m = parseMigrationName(s.file);
    if (!m) throw new ArchonError(`cannot seal ${s.file}: invalid migration file name; expected ${MIGRATION_FILE_PATTERN}`, { exitCode: 2, hint: 'Rename the file to match the pattern.' });
    const other = byVersion.get(m.versionKey);
    if (other !== undefined) {
      throw new ArchonError(`cannot seal ${s.file}: version ${m.versionKey} is already sealed by ${other}`, { exitCode: 1, hint: `Renumber ${s.file} above the highest sealed version.` });
    }
    byFile.set(s.file, s.checksum);
    byVersion.set(m.versionKey, s.file);
    result.push({ file: s.file, checksum: s.checksum });
  }
  return sortSeals(result);
}
