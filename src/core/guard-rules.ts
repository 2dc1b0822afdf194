/**
 * The guard's rules (DESIGN §3, §5 guard / verify), as a pure function of two snapshots of the
 * migrations directory: a base (HEAD for the pre-commit guard, the merge-base for verify) and a
 * next state (the index for the guard, the working tree for verify).
 *
 * A migration is sealed when its line is in the base lockfile: its content, its name and its
 * lockfile line are history and must not change. A line added by the next lockfile seals too: it
 * must match the file it names, and that file must exist. New migrations must be numbered above
 * the highest sealed version unless the config allows out-of-order additions, and every name in
 * the directory must be valid and have a version of its own.
 *
 * Every violation names the file, the sealed checksum and the one found, and says what to do.
 */
import { checkHistory, joinPath, moveNote, quoteArg } from './guard-history.js';
import type { Seal } from './lockfile.js';
import { formatSourceProblem, type SourceProblem } from './migration-source.js';
import { nextVersion } from './versioning.js';
import { compareVersions, MIGRATION_FILE_PATTERN, orderMigrations, parseMigrationName } from './migration-name.js';

export interface GuardInput {
  /** The migrations directory as a repository path ('' for the root), for messages. */
  migrationsDir: string;
  /** The lockfile as a repository path, for messages. */
  lockfile: string;
  base: {
    /** How messages name the base: "HEAD", "origin/main (merge-base 1a2b3c4)". */
    label: string;
    /** Revision for `git checkout <rev> -- <path>` hints. */
    rev: string;
    /** Lockfile text at the base; undefined when there is none. */
    lockfile: string | undefined;
    /**
     * Where the base's config kept the migrations directory and the lockfile (repository paths),
     * when its config names other places than the next state's; default: the same places.
     */
    migrationsDir?: string;
    lockfilePath?: string;
  };
  next: {
    /** How messages name the next state: "staged", "working tree". */
    label: string;
    /** Lockfile text in the next state; undefined when there is none. */
    lockfile: string | undefined;
    /**
     * Every file directly in the migrations directory in the next state, mapped to the checksum of
     * its content — or null when it is unchanged from the base and was not read (the guard reads
     * only what the commit changes; verify reads everything).
     */
    files: ReadonlyMap<string, string | null>;
    /**
     * Why `up` would refuse a file that is not sealed at the base (core/migration-source.ts), for
     * the files that were read; sealing such a file would make it unfixable.
     */
    problems?: ReadonlyMap<string, readonly SourceProblem[]>;
    /** Names in the migrations directory that are not regular files (symbolic links, directories, submodules). */
    notFiles?: readonly string[];
  };
  /** Names (in the migrations directory) that do not exist at the base. */
  added: readonly string[];
  /**
   * Renames reported by git: `from` is a name in the migrations directory, `to` the new name there
   * or, when moved elsewhere, a repository path. Renames with identical content are also found by
   * checksum, so verify may pass none.
   */
  renames?: readonly { from: string; to: string }[];
  allowOutOfOrder: boolean;
  /** Command suggested for a new migration; default "npm run db:create -- <name>". */
  createCommand?: string;
}

export type GuardViolationKind =
  | 'sealed-modified'
  | 'sealed-deleted'
  | 'sealed-renamed'
  | 'seal-changed'
  | 'seal-removed'
  | 'lockfile-deleted'
  | 'lockfile-invalid'
  | 'seal-mismatch'
  | 'seal-without-file'
  | 'out-of-order'
  | 'invalid-name'
  | 'duplicate-version'
  | 'unrunnable'
  | 'not-a-file';

export interface GuardViolation {
  kind: GuardViolationKind;
  /** Repository path of the file the violation is about. */
  file: string;
  /** One line: what is wrong, with both checksums where there are two. */
  message: string;
  /** One sentence: what to do instead. */
  hint: string;
  /** Checksum the base seals the file with. */
  sealed?: string;
  /** Checksum found in the next state (file content or lockfile line). */
  found?: string;
}

export interface GuardReport {
  violations: GuardViolation[];
  /** Things that weaken the check without blocking (e.g. an unreadable base lockfile). */
  warnings: string[];
  /** Seals of the base lockfile. */
  baseSeals: Seal[];
  /** Seals of the next lockfile; undefined when it is missing or invalid. */
  nextSeals: Seal[] | undefined;
  /** Places the config moved since the base; allowed when no violation says otherwise. */
  moved: PathMove[];
}

/** The config names another place than the base's config did (repository paths). */
export interface PathMove {
  what: 'migrationsDir' | 'lockfile';
  from: string;
  to: string;
  /** How many migrations the base seals. */
  seals: number;
}

export { moveNote, quoteArg };

/** The version one above `version`, at its width: a rename suggestion. */
function versionAfter(version: string): string {
  return nextVersion([version], 'sequential');
}

export function checkGuard(input: GuardInput): GuardReport {
  const violations: GuardViolation[] = [];
  const warnings: string[] = [];
  const dir = input.migrationsDir;
  const path = (file: string): string => joinPath(dir, file);
  const next = input.next;
  const history = checkHistory(input);
  violations.push(...history.violations);
  warnings.push(...history.warnings);
  const { baseSeals, nextSeals, renameTargets, moved } = history;
  const baseSealMap = new Map(baseSeals.map((s) => [s.file, s.checksum]));
  const added = new Set(input.added);

  // Lines the next lockfile adds seal too: they must match their file, which must exist.
  for (const seal of nextSeals ?? []) {
    if (baseSealMap.has(seal.file)) continue;
    const content = next.files.get(seal.file);
    if (content === undefined) {
      violations.push({
        kind: 'seal-without-file', file: path(seal.file), found: seal.checksum,
        message: `${input.lockfile}: seals ${seal.file} as ${seal.checksum}, but ${path(seal.file)} is not in the ${next.label === 'staged' ? 'index' : next.label}`,
        hint: next.label === 'staged' ? `Stage the migration too: \`git add ${quoteArg(path(seal.file))}\`.` : `Add ${path(seal.file)} to the branch, or rerun \`archon-migrate lock\`.`,
      });
    } else if (content !== null && content !== seal.checksum) {
      violations.push({
        kind: 'seal-mismatch', file: path(seal.file), sealed: seal.checksum, found: content,
        message: `${path(seal.file)}: the ${next.label} lockfile seals it as ${seal.checksum}, but its ${next.label} content is ${content}`,
        hint: 'It changed after it was applied and sealed: restore the applied content, or roll it back (`npm run db:rollback`) and apply it again (`npm run db:migrate`) to reseal it.',
      });
    }
  }

  // Names and versions of everything in the directory. A duplicated version is blamed on the
  // file that is not sealed (the sealed one is history), else on all but the first.
  const withProblems = new Set<string>();
  const dirLabel = dir === '' || dir === '.' ? 'the migrations directory' : dir;
  const byVersion = new Map<string, string[]>();
  for (const p of orderMigrations([...next.files.keys()]).problems) {
    if (p.kind !== 'invalid-name') continue;
    withProblems.add(p.file);
    violations.push({
      kind: 'invalid-name', file: path(p.file),
      message: `${path(p.file)}: invalid migration file name; expected ${MIGRATION_FILE_PATTERN} (e.g. 001_create_users.sql)`,
      hint: `Rename it to match the pattern (\`git mv\`), or keep SQL that is not a migration outside ${dirLabel}.`,
    });
  }
  for (const file of [...next.files.keys()].sort()) {
    const m = parseMigrationName(file);
    if (m) byVersion.set(m.versionKey, [...(byVersion.get(m.versionKey) ?? []), file]);
  }
  for (const [version, group] of byVersion) {
    if (group.length < 2) continue;
    const keep = group.find((f) => baseSealMap.has(f)) ?? group[0]!;
    for (const file of group) {
      if (file === keep) continue;
      withProblems.add(file);
      violations.push({
        kind: 'duplicate-version', file: path(file),
        message: `${path(file)}: duplicate migration version ${version}: ${path(keep)} has the same version`,
        hint: `Renumber ${file}${highestSealed(baseSeals) ? ` above the highest sealed version (\`git mv ${quoteArg(path(file))} ${quoteArg(path(`${versionAfter(highestSealed(baseSeals)!.version)}_${parseMigrationName(file)!.name}.sql`))}\`)` : ' (`git mv`)'}.`,
      });
    }
  }

  // A file `up` would refuse must not be sealed: once committed it could never be fixed.
  for (const file of [...(next.notFiles ?? [])].sort()) {
    if (baseSealMap.has(file)) continue;
    violations.push({
      kind: 'not-a-file', file: path(file),
      message: `${path(file)}: is not a regular file (a symbolic link or a directory); a migration must be the file itself`,
      hint: `Replace it with a regular file holding the SQL, or keep it outside ${dirLabel}.`,
    });
  }
  for (const [file, problems] of [...(next.problems ?? new Map<string, readonly SourceProblem[]>())].sort(([a], [b]) => a.localeCompare(b))) {
    if (baseSealMap.has(file) || problems.length === 0) continue;
    violations.push({
      kind: 'unrunnable', file: path(file),
      message: `${problems.map((p) => formatSourceProblem(path(file), p)).join('; ')} — up would refuse to run it`,
      hint: problems[0]!.hint,
    });
  }

  // New migrations go above the highest sealed version.
  if (!input.allowOutOfOrder) {
    const highest = highestSealed(baseSeals);
    if (highest) {
      for (const file of [...added].sort()) {
        if (renameTargets.has(file) || withProblems.has(file) || baseSealMap.has(file) || !next.files.has(file)) continue;
        const m = parseMigrationName(file);
        if (!m || compareVersions(m.version, highest.version) > 0) continue;
        const renamed = `${versionAfter(highest.version)}_${m.name}.sql`;
        violations.push({
          kind: 'out-of-order', file: path(file), ...(next.files.get(file) ? { found: next.files.get(file)! } : {}),
          message: `${path(file)}: new migration version ${m.versionKey} is not above the highest sealed version ${parseMigrationName(highest.file)!.versionKey} (${path(highest.file)})`,
          hint: `Renumber it: \`git mv ${quoteArg(path(file))} ${quoteArg(path(renamed))}\` (or set allowOutOfOrder: true in the config).`,
        });
      }
    }
  }

  return { violations, warnings, baseSeals, nextSeals, moved };
}

function highestSealed(seals: readonly Seal[]): { version: string; file: string } | undefined {
  let highest: { version: string; file: string } | undefined;
  for (const seal of seals) {
    const m = parseMigrationName(seal.file);
    if (m && (!highest || compareVersions(m.version, highest.version) > 0)) highest = { version: m.version, file: seal.file };
  }
  return highest;
}
