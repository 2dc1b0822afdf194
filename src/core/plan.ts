/**
 * The plan: what the database has applied, what the files say and what the lockfile seals,
 * put side by side (DESIGN §2–§5). Pure: the runner reads files, seals and ledger rows and hands
 * them here; everything `status`, `up`, `down`, `baseline` and `repair` decide is computed here.
 *
 * Matching is by migration name (the file name without `.sql`), never by the ledger's `version`
 * column: Archon's own table stores its release ("0.1.0") there, so the version used for ordering
 * is parsed from the name, with the column as a fallback for names that carry no number.
 */
import { failedError, usageError, type ArchonError } from './errors.js';
import { compareVersions, parseMigrationName, versionKey, type MigrationName } from './migration-name.js';
import type { Seal } from './lockfile.js';

/** A migration file as read from disk (after name, checksum and directive validation). */
export interface MigrationFile {
  name: MigrationName;
  /** `sha256:<hex>` of the file (checksum spec) */
  checksum: string;
  /** false for `-- archon-migrate: no-transaction` (or another tool's marker, or detected) */
  readonly transaction: boolean;
  /** no transaction because every statement needs that, not because a directive says so */
  readonly detectedNoTransaction?: boolean;
}

export type LedgerStatus = 'applied' | 'failed' | 'running';

/** One row of the ledger table, as the plan needs it. */
export interface LedgerEntry {
  version: string;
  /** migration_name: the file name without `.sql` */
  name: string;
  /** `sha256:<hex>`; NULL (or a free-form string) in rows written by Archon's own scripts */
  checksum: string | null;
  appliedAt: Date | string | null;
  executionMs: number | null;
  status: LedgerStatus;
  appliedBy: string | null;
  /** a 'running' row whose runner is gone (it died or lost its connection): reported as failed */
  runnerGone?: boolean;
}

export type MigrationState = 'applied' | 'pending' | 'modified' | 'missing-file' | 'failed' | 'running';

/**
 * - `sealed`: the lockfile seals the file with its current checksum
 * - `unsealed`: the file is not in the lockfile (normal for a new, pending migration)
 * - `mismatch`: the lockfile seals another checksum for this file
 * - `no-file`: there is no file (a ledger row or seal whose file is gone)
 */
export type SealState = 'sealed' | 'unsealed' | 'mismatch' | 'no-file';

export interface StatusRow {
  /** file name without `.sql` — the ledger's migration_name */
  migration: string;
  /** file name, null when the file is missing */
  file: string | null;
  /** version as written in the file name (or the ledger's version column when the name has none) */
  version: string;
  state: MigrationState;
  seal: SealState;
  /** checksum of the file now; null when the file is missing */
  checksum: string | null;
  /** checksum recorded in the ledger; null when not applied or not recorded */
  recordedChecksum: string | null;
  /** checksum in the lockfile; null when not sealed */
  sealedChecksum: string | null;
  /** ISO 8601 */
  appliedAt: string | null;
  executionMs: number | null;
  appliedBy: string | null;
  /** transaction mode of the file; null when the file is missing */
  transaction: boolean | null;
  /** no transaction because every statement of the file needs that (not a directive) */
  detectedNoTransaction: boolean;
  /** the ledger has a row for this migration */
  inLedger: boolean;
  /** applied, but the ledger holds no archon-migrate checksum yet (rows adopted from Archon): filled on the next `up` or `repair` */
  unverified: boolean;
  /** failed because its runner is gone while its row said running (a no-transaction migration, possibly partly applied) */
  runnerGone: boolean;
}

export interface StatusSummary {
  total: number;
  applied: number;
  pending: number;
  modified: number;
  missingFile: number;
  failed: number;
  running: number;
  unsealed: number;
  sealMismatch: number;
  unverified: number;
}

export interface StatusReport {
  rows: StatusRow[];
  summary: StatusSummary;
}

/** `sha256:` checksums are ours; anything else in the column (NULL, Archon's free text, MD5) is "not verified yet". */
export function isVerifiedChecksum(value: string | null): value is string {
  return value !== null && /^sha256:[0-9a-f]{64}$/.test(value);
}

function isoTime(value: Date | string | null): string | null {
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

const STATUS_RANK: Record<LedgerStatus, number> = { running: 0, failed: 1, applied: 2 };

/**
 * One representative row per migration name. Archon's scripts insert their own row (version
 * "0.1.0") next to ours, so a name can have several: a running or failed row wins (it must be
 * resolved), then an applied row with our checksum, then any.
 */
export function representativeRows(ledger: readonly LedgerEntry[]): Map<string, LedgerEntry> {
  const byName = new Map<string, LedgerEntry>();
  for (const row of ledger) {
    const current = byName.get(row.name);
    if (!current) {
      byName.set(row.name, row);
      continue;
    }
    const a = STATUS_RANK[row.status] ?? 3;
    const b = STATUS_RANK[current.status] ?? 3;
    if (a < b || (a === b && isVerifiedChecksum(row.checksum) && !isVerifiedChecksum(current.checksum))) {
      byName.set(row.name, row);
    }
  }
  return byName;
}

/** The version a ledger row sorts by: the number in its name, else its version column. */
function rowVersion(row: LedgerEntry): string {
  return parseMigrationName(`${row.name}.sql`)?.version ?? row.version;
}

function compareRows(a: StatusRow, b: StatusRow): number {
  const va = /^[0-9]+$/.test(a.version);
  const vb = /^[0-9]+$/.test(b.version);
  if (va !== vb) return va ? -1 : 1; // numbered first, then names Archon recorded without a number
  if (va && vb) {
    const c = compareVersions(a.version, b.version);
    if (c !== 0) return c;
  }
  return a.migration < b.migration ? -1 : a.migration > b.migration ? 1 : 0;
}

function sealStateOf(file: MigrationFile | undefined, seal: Seal | undefined): SealState {
  if (!file) return 'no-file';
  if (!seal) return 'unsealed';
  return seal.checksum === file.checksum ? 'sealed' : 'mismatch';
}

/** Every migration known to the files, the lockfile or the ledger, in version order. */
export function computeStatus(files: readonly MigrationFile[], seals: readonly Seal[], ledger: readonly LedgerEntry[]): StatusReport {
  const rowsByName = representativeRows(ledger);
  const sealsByFile = new Map(seals.map((s) => [s.file, s]));
  const filesByStem = new Map(files.map((f) => [f.name.stem, f]));
  const names = new Set<string>([...filesByStem.keys(), ...rowsByName.keys()]);
  for (const s of seals) {
    // A seal whose file is gone and which the ledger does not know: still worth a line.
    const stem = s.file.endsWith('.sql') ? s.file.slice(0, -4) : s.file;
    names.add(stem);
  }

  const rows: StatusRow[] = [];
  for (const stem of names) {
    const file = filesByStem.get(stem);
    const row = rowsByName.get(stem);
    const seal = sealsByFile.get(`${stem}.sql`);
    let state: MigrationState;
    if (row && row.status === 'running' && row.runnerGone) state = 'failed';
    else if (row && row.status !== 'applied') state = row.status;
    else if (row && !file) state = 'missing-file';
    else if (row && file && isVerifiedChecksum(row.checksum) && row.checksum !== file.checksum) state = 'modified';
    else if (row) state = 'applied';
    else if (file) state = 'pending';
    else state = 'missing-file';
    rows.push({
      migration: stem,
      file: file ? file.name.file : null,
      version: file ? file.name.version : row ? rowVersion(row) : (parseMigrationName(`${stem}.sql`)?.version ?? stem),
      state,
      seal: sealStateOf(file, seal),
      checksum: file ? file.checksum : null,
      recordedChecksum: row ? row.checksum : null,
      sealedChecksum: seal ? seal.checksum : null,
      appliedAt: row ? isoTime(row.appliedAt) : null,
      executionMs: row ? row.executionMs : null,
      appliedBy: row ? row.appliedBy : null,
      transaction: file ? file.transaction : null,
      detectedNoTransaction: file?.detectedNoTransaction === true,
      inLedger: row !== undefined,
      unverified: row !== undefined && row.status === 'applied' && file !== undefined && !isVerifiedChecksum(row.checksum),
      runnerGone: row?.runnerGone === true && row.status === 'running',
    });
  }
  rows.sort(compareRows);
  return { rows, summary: summarize(rows) };
}

function summarize(rows: readonly StatusRow[]): StatusSummary {
  const count = (pred: (r: StatusRow) => boolean) => rows.filter(pred).length;
  return {
    total: rows.length,
    applied: count((r) => r.state === 'applied'),
    pending: count((r) => r.state === 'pending'),
    modified: count((r) => r.state === 'modified'),
    missingFile: count((r) => r.state === 'missing-file'),
    failed: count((r) => r.state === 'failed'),
    running: count((r) => r.state === 'running'),
    unsealed: count((r) => r.seal === 'unsealed'),
    sealMismatch: count((r) => r.seal === 'mismatch'),
    unverified: count((r) => r.unverified),
  };
}

// ---------------------------------------------------------------------------------------------
// up

export type Blocker =
  | { kind: 'drift'; migration: string; file: string; recorded: string; current: string; message: string }
  | { kind: 'failed' | 'running'; migration: string; appliedBy: string | null; since: string | null; message: string }
  | { kind: 'out-of-order'; migration: string; file: string; highestApplied: string; message: string }
  | { kind: 'version-taken'; migration: string; file: string; appliedAs: string; message: string }
  | { kind: 'seal-mismatch'; migration: string; file: string; sealed: string; current: string; message: string }
  | { kind: 'unsealed'; migration: string; file: string; message: string };

export interface UpPlanOptions {
  /** apply pending migrations up to and including this version */
  to?: string;
  /** refuse unless every file is sealed with its current checksum */
  frozen?: boolean;
  allowOutOfOrder?: boolean;
  /** the lockfile's path relative to the project, for messages */
  lockfilePath?: string;
}

export interface UpPlan {
  /** pending migrations to apply, in version order (empty when blocked) */
  apply: MigrationFile[];
  /** every pending migration within `to`, in version order, blocked or not */
  pending: MigrationFile[];
  /** applied rows with no archon-migrate checksum yet (adopted from Archon): fill with the file's checksum */
  fillChecksums: { migration: string; checksum: string }[];
  /** reasons to refuse; when non-empty nothing may be applied */
  blockers: Blocker[];
  /** not blocking, but worth saying (missing files of applied migrations, seals of missing files) */
  warnings: string[];
  status: StatusReport;
}

/** `--to` must be a version of an existing migration file. Throws a usage error (exit 2) otherwise. */
export function resolveTargetVersion(files: readonly MigrationFile[], to: string): string {
  if (!/^[0-9]+$/.test(to)) {
    throw usageError(`--to ${to}: not a migration version (expected digits, e.g. --to 005)`);
  }
  if (!files.some((f) => f.name.versionKey === versionKey(to))) {
    throw usageError(`--to ${to}: no migration file has version ${to}`, 'Run `archon-migrate status` to list the migrations.');
  }
  return to;
}

export function planUp(files: readonly MigrationFile[], seals: readonly Seal[], ledger: readonly LedgerEntry[], options: UpPlanOptions = {}): UpPlan {
  const status = computeStatus(files, seals, ledger);
  const lockfile = options.lockfilePath ?? 'the lockfile';
  const blockers: Blocker[] = [];
  const warnings: string[] = [];
  const fillChecksums: { migration: string; checksum: string }[] = [];
  const filesByStem = new Map(files.map((f) => [f.name.stem, f]));
  if (options.to !== undefined) resolveTargetVersion(files, options.to);

  // Highest applied version (any ledger row whose name carries a number) and which name holds each version.
  let highest: string | undefined;
  const appliedByVersion = new Map<string, string>();
  for (const row of representativeRows(ledger).values()) {
    const parsed = parseMigrationName(`${row.name}.sql`);
    if (!parsed) continue;
    if (highest === undefined || compareVersions(parsed.version, highest) > 0) highest = parsed.version;
    if (!appliedByVersion.has(parsed.versionKey)) appliedByVersion.set(parsed.versionKey, row.name);
  }

  for (const r of status.rows) {
    const file = r.file ?? `${r.migration}.sql`;
    switch (r.state) {
      case 'modified':
        blockers.push({
          kind: 'drift', migration: r.migration, file, recorded: r.recordedChecksum!, current: r.checksum!,
          message: `${file} was changed after it was applied: the database recorded ${r.recordedChecksum} but the file is now ${r.checksum}`,
        });
        break;
      case 'failed':
        blockers.push({
          kind: 'failed', migration: r.migration, appliedBy: r.appliedBy, since: r.appliedAt,
          message: r.runnerGone
            ? `${file} was being applied without a transaction by runner ${r.appliedBy ?? 'unknown'}${r.appliedAt ? ` since ${r.appliedAt}` : ''}, which is gone (it stopped or lost its connection); it may be partly applied`
            : `${file} failed${r.appliedAt ? ` at ${r.appliedAt}` : ''}${r.appliedBy ? ` (runner ${r.appliedBy})` : ''} and may be partly applied`,
        });
        break;
      case 'running':
        blockers.push({
          kind: 'running', migration: r.migration, appliedBy: r.appliedBy, since: r.appliedAt,
          message: `${file} is being applied by ${r.appliedBy ?? 'another runner'}${r.appliedAt ? ` since ${r.appliedAt}` : ''}`,
        });
        break;
      case 'missing-file':
        if (r.inLedger) {
          warnings.push(`${r.migration} is recorded as applied but its file ${file} is missing`);
        } else {
          warnings.push(`${lockfile} seals ${file} but the file is missing`);
        }
        break;
      case 'applied':
        if (r.unverified) fillChecksums.push({ migration: r.migration, checksum: r.checksum! });
        break;
      case 'pending':
        break;
    }
    if (r.seal === 'mismatch' && (options.frozen || r.state === 'pending')) {
      blockers.push({
        kind: 'seal-mismatch', migration: r.migration, file, sealed: r.sealedChecksum!, current: r.checksum!,
        message: `${file} does not match its seal in ${lockfile}: sealed ${r.sealedChecksum}, file ${r.checksum}`,
      });
    } else if (r.seal === 'mismatch') {
      warnings.push(`${file} does not match its seal in ${lockfile} (sealed ${r.sealedChecksum}, file ${r.checksum})`);
    } else if (r.seal === 'unsealed' && options.frozen) {
      blockers.push({ kind: 'unsealed', migration: r.migration, file, message: `${file} is not sealed in ${lockfile}` });
    }
  }

  const pending: MigrationFile[] = [];
  const allPending: MigrationFile[] = [];
  for (const r of status.rows) {
    if (r.state !== 'pending') continue;
    const f = filesByStem.get(r.migration)!;
    if (options.to === undefined || compareVersions(f.name.version, options.to) <= 0) allPending.push(f);
    const taken = appliedByVersion.get(f.name.versionKey);
    if (taken !== undefined) {
      blockers.push({
        kind: 'version-taken', migration: r.migration, file: f.name.file, appliedAs: taken,
        message: `${f.name.file} has version ${f.name.version}, which the database already applied as ${taken}`,
      });
      continue;
    }
    if (!options.allowOutOfOrder && highest !== undefined && compareVersions(f.name.version, highest) < 0) {
      blockers.push({
        kind: 'out-of-order', migration: r.migration, file: f.name.file, highestApplied: highest,
        message: `${f.name.file} is pending but version ${highest} is already applied (out of order)`,
      });
      continue;
    }
    if (options.to !== undefined && compareVersions(f.name.version, options.to) > 0) continue;
    pending.push(f);
  }

  return { apply: blockers.length > 0 ? [] : pending, pending: allPending, fillChecksums, blockers, warnings, status };
}

/** `archon-migrate repair <name>` for one migration; without a name (repairs everything) for several. */
function repairCommand(names: readonly string[], suffix = ''): string {
  return `\`archon-migrate repair${names.length === 1 ? ` ${names[0]}` : ''}${suffix}\``;
}

/** The fixes for a set of blockers: one sentence per kind, naming the migrations, in the order they need action. */
export function blockerHints(blockers: readonly Blocker[]): string[] {
  const of = (kind: Blocker['kind']) => blockers.filter((b) => b.kind === kind);
  const names = (bs: readonly Blocker[]) => bs.map((b) => b.migration);
  const files = (bs: readonly Blocker[]) => bs.map((b) => ('file' in b ? b.file : `${b.migration}.sql`)).join(' ');
  const hints: string[] = [];
  const drift = of('drift');
  if (drift.length > 0) hints.push(`Restore the applied file${drift.length > 1 ? 's' : ''} (\`git checkout -- ${files(drift)}\`) and put the change in a new migration, or accept the edit with ${repairCommand(names(drift))}.`);
  const failed = of('failed');
  if (failed.length > 0) hints.push(`Check what of it ran, fix the cause, then run ${repairCommand(names(failed))} (deletes the failed row so \`up\` runs it again; add \`--applied\` if you completed it by hand).`);
  const running = of('running');
  if (running.length > 0) hints.push(`Wait for the other runner; if it crashed, run ${repairCommand(names(running))}.`);
  const taken = of('version-taken');
  if (taken.length > 0) hints.push(`Renumber ${files(taken)} above the highest applied version (\`archon-migrate create\` picks the next number).`);
  const outOfOrder = of('out-of-order');
  if (outOfOrder.length > 0) hints.push(`Renumber ${files(outOfOrder)} above the highest applied version, or set \`allowOutOfOrder: true\` in the config.`);
  const mismatch = of('seal-mismatch');
  if (mismatch.length > 0) hints.push(`A sealed migration is immutable: restore ${files(mismatch)} with \`git checkout -- <file>\` and put the change in a new migration.`);
  if (of('unsealed').length > 0) hints.push('Run `archon-migrate lock` (or `up` without --frozen) and commit the lockfile.');
  return hints;
}

/** Every fix for a set of blockers, one per line (the CLI prints each as a `fix:` line). */
export function blockerHint(blockers: readonly Blocker[]): string | undefined {
  const hints = blockerHints(blockers);
  return hints.length === 0 ? undefined : hints.join('\n');
}

/** The error `up` raises for a blocked plan: exit 1, every reason in the message, one per line. */
export function blockedError(blockers: readonly Blocker[]): ArchonError {
  const first = blockers[0]!;
  const rest = blockers.length > 1 ? `\n${blockers.slice(1).map((b) => `  ${b.message}`).join('\n')}` : '';
  return failedError(`nothing applied: ${first.message}${rest}`, blockerHint(blockers));
}

// ---------------------------------------------------------------------------------------------
// down

export interface DownTarget {
  /** migration name (`005_add_x`), file name (`005_add_x.sql`) or version (`005`, `5`) */
  target?: string;
  /** roll back the last N applied migrations */
  steps?: number;
}

/**
 * Which applied migrations `down` rolls back, newest (highest version) first.
 * Default: the last applied one. `target`: that migration and every applied one above it.
 * `steps`: the last N. Unknown target → usage error (exit 2); a target that is not applied → exit 1.
 */
export function planDown(status: StatusReport, options: DownTarget): StatusRow[] {
  const blocking = status.rows.filter((r) => r.state === 'failed' || r.state === 'running');
  if (blocking.length > 0) {
    const r = blocking[0]!;
    const what = r.state === 'running' ? `being applied by ${r.appliedBy ?? 'another runner'}`
      : r.runnerGone ? `left half-applied by runner ${r.appliedBy ?? 'unknown'}, which is gone` : 'recorded as failed';
    throw failedError(`${r.file ?? r.migration} is ${what}; nothing rolled back`, `Resolve it first with \`archon-migrate repair ${r.migration}\`.`);
  }
  const applied = status.rows.filter((r) => r.inLedger && (r.state === 'applied' || r.state === 'modified' || r.state === 'missing-file'));
  const newestFirst = [...applied].reverse();
  if (options.target !== undefined && options.steps !== undefined) {
    throw usageError('down: give either a target or --steps, not both');
  }
  if (options.steps !== undefined) {
    if (!Number.isInteger(options.steps) || options.steps < 1) throw usageError(`--steps ${options.steps}: expected a whole number ≥ 1`);
    if (options.steps > newestFirst.length && newestFirst.length > 0) {
      throw failedError(`--steps ${options.steps}: only ${newestFirst.length} migration${newestFirst.length === 1 ? ' is' : 's are'} applied; nothing rolled back`,
        `Use \`--steps ${newestFirst.length}\` to roll back ${newestFirst.length === 1 ? 'it' : `all ${newestFirst.length}`}.`);
    }
    return newestFirst.slice(0, options.steps);
  }
  if (options.target === undefined) return newestFirst.slice(0, 1);
  const t = options.target.endsWith('.sql') ? options.target.slice(0, -4) : options.target;
  const isVersion = /^[0-9]+$/.test(t);
  const match = status.rows.find((r) => (isVersion ? /^[0-9]+$/.test(r.version) && compareVersions(r.version, t) === 0 : r.migration === t));
  if (!match) {
    throw usageError(`down ${options.target}: no migration ${isVersion ? 'has version' : 'is named'} ${t}`, 'Run `archon-migrate status` to list the migrations.');
  }
  const index = newestFirst.findIndex((r) => r.migration === match.migration);
  if (index < 0) {
    throw failedError(`down ${options.target}: ${match.migration} is not applied (${match.state}); nothing rolled back`);
  }
  return newestFirst.slice(0, index + 1);
}

// ---------------------------------------------------------------------------------------------
// baseline

export interface BaselinePlan {
  /** files to record as applied without running them */
  record: MigrationFile[];
  /** already applied with the same checksum */
  alreadyApplied: string[];
  /** applied rows adopted from Archon whose checksum gets filled */
  fillChecksums: { migration: string; checksum: string }[];
}

export function planBaseline(files: readonly MigrationFile[], ledger: readonly LedgerEntry[], to: string): BaselinePlan {
  resolveTargetVersion(files, to);
  const rows = representativeRows(ledger);
  const record: MigrationFile[] = [];
  const alreadyApplied: string[] = [];
  const fillChecksums: { migration: string; checksum: string }[] = [];
  const conflicts: string[] = [];
  for (const f of files) {
    if (compareVersions(f.name.version, to) > 0) continue;
    const row = rows.get(f.name.stem);
    if (!row) {
      record.push(f);
    } else if (row.status !== 'applied') {
      conflicts.push(`${f.name.file} is recorded as ${row.status}`);
    } else if (!isVerifiedChecksum(row.checksum)) {
      alreadyApplied.push(f.name.stem);
      fillChecksums.push({ migration: f.name.stem, checksum: f.checksum });
    } else if (row.checksum !== f.checksum) {
      conflicts.push(`${f.name.file} is already applied with checksum ${row.checksum} but the file is now ${f.checksum}`);
    } else {
      alreadyApplied.push(f.name.stem);
    }
  }
  if (conflicts.length > 0) {
    throw failedError(`baseline refused, nothing recorded: ${conflicts.join('; ')}`, 'Resolve it with `archon-migrate repair <name>` first.');
  }
  return { record, alreadyApplied, fillChecksums };
}

// ---------------------------------------------------------------------------------------------
// repair

export type RepairAction =
  | { kind: 'delete-failed'; migration: string; state: 'failed' | 'running'; appliedBy: string | null; since: string | null }
  | { kind: 'mark-applied'; migration: string; state: 'failed' | 'running'; checksum: string | null; appliedBy: string | null; since: string | null }
  | { kind: 'accept-checksum'; migration: string; recorded: string; current: string }
  | { kind: 'fill-checksum'; migration: string; checksum: string };

export interface RepairOptions {
  /** migration name, file name or version; all repairable migrations when absent */
  name?: string;
  /** mark failed/running rows applied instead of deleting them */
  applied?: boolean;
}

export function planRepair(status: StatusReport, options: RepairOptions): RepairAction[] {
  let rows = status.rows;
  if (options.name !== undefined) {
    const t = options.name.endsWith('.sql') ? options.name.slice(0, -4) : options.name;
    const isVersion = /^[0-9]+$/.test(t);
    rows = rows.filter((r) => (isVersion ? /^[0-9]+$/.test(r.version) && compareVersions(r.version, t) === 0 : r.migration === t));
    if (rows.length === 0) {
      throw usageError(`repair ${options.name}: no migration ${isVersion ? 'has version' : 'is named'} ${t}`, 'Run `archon-migrate status` to list the migrations.');
    }
  }
  const actions: RepairAction[] = [];
  for (const r of rows) {
    if (r.state === 'failed' || r.state === 'running') {
      actions.push(options.applied
        ? { kind: 'mark-applied', migration: r.migration, state: r.state, checksum: r.checksum, appliedBy: r.appliedBy, since: r.appliedAt }
        : { kind: 'delete-failed', migration: r.migration, state: r.state, appliedBy: r.appliedBy, since: r.appliedAt });
    } else if (r.state === 'modified') {
      actions.push({ kind: 'accept-checksum', migration: r.migration, recorded: r.recordedChecksum!, current: r.checksum! });
    } else if (r.unverified) {
      actions.push({ kind: 'fill-checksum', migration: r.migration, checksum: r.checksum! });
    }
  }
  return actions;
}
