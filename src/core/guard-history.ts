/**
 * The history rules of the guard (DESIGN §3, §5): what the base seals — its lockfile lines and
 * the sealed files — must reach the next state unchanged.
 *
 * The base is judged where the base kept it: its own migrations directory and lockfile, which
 * the next state's config may have moved. A move keeps history only when every seal and every
 * sealed file reappears unchanged at the new place; then it is allowed and reported (`moved`).
 * Anything less is a deletion of sealed history, whatever the config now says.
 */
import { type Seal, LockfileError, parseLockfile } from './lockfile.js';
import type { GuardInput, GuardViolation, PathMove } from './guard-rules.js';

export interface HistoryReport {
  violations: GuardViolation[];
  warnings: string[];
  baseSeals: Seal[];
  nextSeals: Seal[] | undefined;
  /** Names in the next directory that git or the content shows to be renamed sealed migrations. */
  renameTargets: Set<string>;
  moved: PathMove[];
}

export function joinPath(dir: string, file: string): string {
  return dir === '' || dir === '.' ? file : `${dir.replace(/\/+$/, '')}/${file}`;
}

/** Quotes a path for a shell command in a hint when it needs it. */
export function quoteArg(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Paths and commands that differ when the config moved the directory or the lockfile. */
function places(input: GuardInput) {
  const { base } = input;
  const dir = input.migrationsDir;
  const baseDir = base.migrationsDir ?? dir;
  const lock = input.lockfile;
  const baseLock = base.lockfilePath ?? lock;
  const path = (file: string): string => joinPath(dir, file);
  const basePath = (file: string): string => joinPath(baseDir, file);
  // In place: check the base's copy out. Moved: write the base's copy to the new place.
  const bring = (from: string, to: string): string => (from === to ? `git checkout ${base.rev} -- ${quoteArg(to)}` : `git show ${quoteArg(`${base.rev}:${from}`)} > ${quoteArg(to)}`);
  return {
    dir, baseDir, lock, baseLock, path, basePath,
    dirMoved: baseDir !== dir,
    lockMoved: baseLock !== lock,
    restoreFile: (file: string): string => bring(basePath(file), path(file)),
    restoreLock: bring(baseLock, lock),
    /** "HEAD", or "HEAD (migrations/archon-migrate.lock)" when the lockfile moved. */
    baseLockLabel: baseLock !== lock ? `${base.label} (${baseLock})` : base.label,
  };
}

/** Seals of the base lockfile; an unparseable one only warns (it was committed past the guard). */
function parseBase(input: GuardInput, baseLock: string, warnings: string[]): Seal[] {
  if (input.base.lockfile === undefined) return [];
  try {
    return parseLockfile(input.base.lockfile, baseLock);
  } catch (error) {
    if (!(error instanceof LockfileError)) throw error;
    warnings.push(`the lockfile in ${input.base.label} is invalid (${error.message}); sealed migrations cannot be checked against it`);
    return [];
  }
}

export function checkHistory(input: GuardInput): HistoryReport {
  const violations: GuardViolation[] = [];
  const warnings: string[] = [];
  const { base, next } = input;
  const p = places(input);
  const create = input.createCommand ?? 'npm run db:create -- <name>';
  const baseSeals = parseBase(input, p.baseLock, warnings);

  let nextSeals: Seal[] | undefined;
  if (next.lockfile === undefined) {
    if (baseSeals.length > 0) {
      violations.push(p.lockMoved ? {
        kind: 'lockfile-deleted', file: p.lock,
        message: `${p.lock}: no lockfile (${next.label}), but ${base.label} seals ${plural(baseSeals.length, 'migration')} in ${p.baseLock}, the lockfile the config named there`,
        hint: `Move the lockfile unchanged (\`${p.restoreLock}\`), or set lockfile back to ${p.baseLock}; sealed migrations are history and stay sealed.`,
      } : {
        kind: 'lockfile-deleted', file: p.lock,
        message: `${p.lock}: lockfile deleted (${next.label}), but ${base.label} seals ${plural(baseSeals.length, 'migration')}`,
        hint: `Restore it with \`${p.restoreLock}\`; sealed migrations are history and stay sealed.`,
      });
    }
  } else {
    try {
      // An unchanged lockfile (most commits) is parsed once.
      nextSeals = next.lockfile === base.lockfile && baseSeals.length > 0 ? baseSeals : parseLockfile(next.lockfile, p.lock);
    } catch (error) {
      if (!(error instanceof LockfileError)) throw error;
      violations.push({
        kind: 'lockfile-invalid', file: p.lock,
        message: `${error.message} (${next.label})`,
        hint: error.hint ?? `Restore it with \`${p.restoreLock}\` and let the tool write it.`,
      });
    }
  }
  if (nextSeals !== undefined) violations.push(...lineRules(baseSeals, nextSeals, input, p, create));
  const files = fileRules(baseSeals, input, p, create);
  violations.push(...files.violations);

  const moved: PathMove[] = [];
  if (p.dirMoved) moved.push({ what: 'migrationsDir', from: p.baseDir, to: p.dir, seals: baseSeals.length });
  if (p.lockMoved) moved.push({ what: 'lockfile', from: p.baseLock, to: p.lock, seals: baseSeals.length });
  return { violations, warnings, baseSeals, nextSeals, renameTargets: files.renameTargets, moved };
}

type Places = ReturnType<typeof places>;

/** Lockfile lines that exist in the base stay as they are. */
function lineRules(baseSeals: readonly Seal[], nextSeals: readonly Seal[], input: GuardInput, p: Places, create: string): GuardViolation[] {
  const out: GuardViolation[] = [];
  const nextSealMap = new Map(nextSeals.map((s) => [s.file, s.checksum]));
  const label = p.baseLockLabel;
  const nextLabel = p.lockMoved ? `${input.next.label} (${p.lock})` : input.next.label;
  for (const seal of baseSeals) {
    const now = nextSealMap.get(seal.file);
    if (now === undefined) {
      out.push({
        kind: 'seal-removed', file: p.lock, sealed: seal.checksum,
        message: `${p.lock}: the seal of ${seal.file} was removed (${label}: ${seal.checksum}, ${nextLabel}: line removed)`,
        hint: `Restore the lockfile with \`${p.restoreLock}\`; committed seals are never removed — undo a migration's effect with a new migration (\`${create}\`).`,
      });
    } else if (now !== seal.checksum) {
      out.push({
        kind: 'seal-changed', file: p.lock, sealed: seal.checksum, found: now,
        message: `${p.lock}: the seal of ${seal.file} was changed (${label}: ${seal.checksum}, ${nextLabel}: ${now})`,
        hint: `Restore the lockfile with \`${p.restoreLock}\`; committed seals never change — put the change in a new migration (\`${create}\`).`,
      });
    }
  }
  return out;
}

/** Sealed files: content, deletion, rename — each sealed name must be in the next directory, unchanged. */
function fileRules(baseSeals: readonly Seal[], input: GuardInput, p: Places, create: string): { violations: GuardViolation[]; renameTargets: Set<string> } {
  const violations: GuardViolation[] = [];
  const renameTargets = new Set<string>();
  const { base, next } = input;
  const baseSealMap = new Map(baseSeals.map((s) => [s.file, s.checksum]));
  const gitRenames = new Map((input.renames ?? []).map((r) => [r.from, r.to]));
  const sealedIn = (file: string): string => (p.dirMoved ? `${base.label} (${p.basePath(file)})` : base.label);
  for (const seal of baseSeals) {
    const content = next.files.get(seal.file);
    if (content === undefined) {
      // Same content under a new name is a rename (a renumbering, typically).
      const to = gitRenames.get(seal.file) ?? input.added.find((f) => next.files.get(f) === seal.checksum && !baseSealMap.has(f));
      if (to !== undefined) {
        const toPath = next.files.has(to) ? p.path(to) : to;
        const toSum = next.files.get(to) ?? undefined;
        renameTargets.add(to);
        violations.push({
          kind: 'sealed-renamed', file: p.basePath(seal.file), sealed: seal.checksum, ...(toSum ? { found: toSum } : {}),
          message: `${p.basePath(seal.file)}: sealed migration renamed to ${toPath} (sealed in ${base.label} as ${seal.checksum}, ${next.label}: ${toSum ?? 'renamed'})`,
          hint: `Rename it back with \`git mv ${quoteArg(toPath)} ${quoteArg(p.path(seal.file))}\`; a sealed migration keeps its name and number${toSum !== undefined && toSum !== seal.checksum ? ` and its content (\`${p.restoreFile(seal.file)}\`)` : ''} — add a new migration instead (\`${create}\`).`,
        });
      } else if (p.dirMoved) {
        violations.push({
          kind: 'sealed-deleted', file: p.basePath(seal.file), sealed: seal.checksum,
          message: `${p.basePath(seal.file)}: sealed migration left behind: the config now keeps migrations in ${p.dir || '.'}, which has no ${seal.file} (sealed in ${base.label} as ${seal.checksum}, ${next.label}: missing)`,
          hint: `Move it unchanged with the others (\`${p.restoreFile(seal.file)}\`), or set migrationsDir back to ${p.baseDir || '.'}; sealed migrations move all together or not at all.`,
        });
      } else {
        violations.push({
          kind: 'sealed-deleted', file: p.path(seal.file), sealed: seal.checksum,
          message: `${p.path(seal.file)}: sealed migration deleted (sealed in ${base.label} as ${seal.checksum}, ${next.label}: deleted)`,
          hint: `Restore it with \`${p.restoreFile(seal.file)}\`; to undo its effect, add a new migration (\`${create}\`).`,
        });
      }
    } else if (content !== null && content !== seal.checksum) {
      violations.push({
        kind: 'sealed-modified', file: p.path(seal.file), sealed: seal.checksum, found: content,
        message: `${p.path(seal.file)}: sealed migration changed (sealed in ${sealedIn(seal.file)} as ${seal.checksum}, ${next.label} content is ${content})`,
        hint: `Restore it with \`${p.restoreFile(seal.file)}\` and put the change in a new migration: \`${create}\`.`,
      });
    }
  }
  return { violations, renameTargets };
}

/**
 * One line reporting a place the config moved since the base: allowed when nothing blocked
 * (every seal and sealed migration reappeared unchanged), else the context of the violations.
 */
export function moveNote(move: PathMove, blocked: boolean): string {
  const from = move.from || '.';
  const to = move.to || '.';
  return blocked
    ? `the config moves ${move.what} from ${from} to ${to}: the base's sealed history must reappear unchanged at the new place`
    : `${move.what} moved from ${from} to ${to}, with all ${plural(move.seals, 'sealed migration')} and their seals unchanged`;
}
