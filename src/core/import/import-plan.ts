/**
 * The import plan (DESIGN §9): given their converted folder, their history's verdict and our
 * side (files, rollbacks, seals, ledger), what to write, record and seal, and every reason to
 * refuse. Pure; nothing is written by anyone while `problems` is not empty.
 */
import { compareVersions, parseMigrationName, versionKey } from '../migration-name.js';
import type { Seal } from '../lockfile.js';
import { isVerifiedChecksum, type LedgerEntry } from '../plan.js';
import type { Conversion, ConvertedMigration, HistoryVerdict } from './converted-migration.js';

export type FileAction = 'write' | 'same';

export interface PlannedMigration {
  migration: ConvertedMigration;
  file: FileAction;
  rollback: FileAction | 'none';
  /** their history records it as applied */
  applied: boolean;
  /** record: a ledger row to insert; recorded: already in our ledger; pending: `up` will run it */
  ledger: 'record' | 'recorded' | 'pending';
  appliedAt?: Date;
  /** add: a seal to add; sealed: already sealed; none: not applied, so not sealed */
  seal: 'add' | 'sealed' | 'none';
}

export interface ImportPlan {
  migrations: PlannedMigration[];
  problems: string[];
  warnings: string[];
  /** their files that `--move` removes (never one we write) */
  remove: string[];
}

export interface PlanInput {
  tool: string;
  /** their folder and ours, as shown in messages */
  theirDir: string;
  ourDir: string;
  conversion: Conversion;
  /** their folder is our migrations folder */
  sameFolder: boolean;
  move: boolean;
  /** our migrations folder: every file named like a migration of ours, with its bytes */
  ours: ReadonlyMap<string, Uint8Array>;
  /** our rollbacks folder: the files named like the ones we would write, with their bytes */
  rollbacks: ReadonlyMap<string, Uint8Array>;
  seals: readonly Seal[];
  /** undefined when no database is configured */
  ledger?: readonly LedgerEntry[];
  /** undefined when no database is configured (or their table does not exist) */
  history?: HistoryVerdict;
  /** our version of a ref their history records with no file, when it can be told (to recognise what an earlier import moved) */
  refVersion(ref: string): string | undefined;
}

export function overwriteMessage(file: string, source: string): string {
  return `${file} already exists with other content than ${source} converted; move it away (or delete it if it is an earlier, changed import) before importing`;
}

export function versionTakenMessage(file: string, existing: string): string {
  return `${file}: our migrations folder already has ${existing} with the same version; renumber or remove one of them before importing`;
}

export function sealDiffersMessage(file: string, sealed: string, now: string): string {
  return `${file} is sealed in the lockfile with ${sealed}, but importing it gives ${now}; a sealed migration is immutable: restore the sealed file, or drop the seal if it was never committed`;
}

export function ledgerDiffersMessage(stem: string, recorded: string, now: string): string {
  return `${stem} is already in our ledger with checksum ${recorded}, but importing it gives ${now}; run \`archon-migrate status\` and resolve it (repair) before importing`;
}

export function ledgerStateMessage(stem: string, status: string): string {
  return `${stem} is recorded as ${status} in our ledger; resolve it with \`archon-migrate repair ${stem}\` before importing`;
}

export function ledgerNameTakenMessage(stem: string, other: string): string {
  return `our ledger records ${other} with the version of ${stem}; two migrations cannot share a version: resolve it before importing`;
}

export function noFileForHistoryMessage(tool: string, ref: string, dir: string): string {
  return `${tool}'s history records ${ref} as applied, but no file of ${dir} is that migration; restore its file (git log) or remove the row from their history table before importing`;
}

export function sameFolderMessage(dir: string, source: string, file: string): string {
  return `${dir} is also our migrations folder, and ${source} would become ${file} beside it; pass --move to convert the folder in place (the originals stay in git)`;
}

export function outOfOrderWarning(pending: string, applied: string): string {
  return `${pending} is not applied but ${applied}, above it, is: \`up\` refuses that unless allowOutOfOrder is set`;
}

function fileAction(existing: Uint8Array | undefined, bytes: Uint8Array): FileAction | 'conflict' {
  if (existing === undefined) return 'write';
  return Buffer.from(existing).equals(Buffer.from(bytes)) ? 'same' : 'conflict';
}

function ledgerFor(m: ConvertedMigration, applied: boolean, input: PlanInput, problems: string[]): PlannedMigration['ledger'] {
  const rows = input.ledger ?? [];
  const own = rows.filter((r) => r.name === m.stem);
  const other = rows.find((r) => r.name !== m.stem && versionKey(parseMigrationName(`${r.name}.sql`)?.version ?? r.version) === versionKey(m.version));
  if (other) problems.push(ledgerNameTakenMessage(m.stem, other.name));
  const bad = own.find((r) => r.status !== 'applied');
  if (bad) problems.push(ledgerStateMessage(m.stem, bad.status));
  const recorded = own.find((r) => r.status === 'applied');
  if (recorded && isVerifiedChecksum(recorded.checksum) && recorded.checksum !== m.checksum) problems.push(ledgerDiffersMessage(m.stem, recorded.checksum!, m.checksum));
  if (recorded) return 'recorded';
  return applied && input.ledger !== undefined ? 'record' : 'pending';
}

function planOne(m: ConvertedMigration, input: PlanInput, problems: string[]): PlannedMigration {
  const source = m.sources[0]!;
  // In place (their folder is ours, same name): rewriting their file is the conversion itself.
  const inPlace = input.sameFolder && m.sources.includes(m.file);
  let file = fileAction(input.ours.get(m.file), m.content);
  if (file === 'conflict' && inPlace) file = 'write';
  if (file === 'conflict') problems.push(overwriteMessage(`${input.ourDir}/${m.file}`, source));
  for (const existing of input.ours.keys()) {
    if (existing !== m.file && versionKey(parseMigrationName(existing)!.version) === versionKey(m.version) && !(input.sameFolder && m.sources.includes(existing))) {
      problems.push(versionTakenMessage(m.file, existing));
    }
  }
  const rollback = m.rollback === undefined ? 'none' : fileAction(input.rollbacks.get(m.file), m.rollback);
  if (rollback === 'conflict') problems.push(overwriteMessage(`rollback ${m.file}`, m.sources[m.sources.length - 1]!));
  if (input.sameFolder && !input.move && (m.sources.length > 1 || !inPlace || file === 'write')) {
    problems.push(sameFolderMessage(input.theirDir, source, m.file));
  }
  const applied = input.history?.applied.has(m.ref) ?? false;
  const ledger = ledgerFor(m, applied, input, problems);
  const sealed = input.seals.find((s) => s.file === m.file);
  if (sealed && sealed.checksum !== m.checksum) problems.push(sealDiffersMessage(m.file, sealed.checksum, m.checksum));
  const appliedAt = input.history?.appliedAt.get(m.ref);
  return {
    migration: m,
    file: file === 'conflict' ? 'same' : file,
    rollback: rollback === 'conflict' ? 'same' : rollback,
    applied,
    ledger,
    ...(appliedAt === undefined ? {} : { appliedAt }),
    seal: ledger === 'pending' ? 'none' : sealed ? 'sealed' : 'add',
  };
}

export function planImport(input: PlanInput): ImportPlan {
  const problems = [...input.conversion.problems, ...(input.history?.problems ?? [])];
  const migrations = input.conversion.migrations.map((m) => planOne(m, input, problems));
  for (const ref of input.history?.unknown ?? []) {
    const version = input.refVersion(ref);
    const imported = version !== undefined && (input.ledger ?? []).some((r) => versionKey(parseMigrationName(`${r.name}.sql`)?.version ?? r.version) === versionKey(version));
    if (!imported) problems.push(noFileForHistoryMessage(input.tool, ref, input.theirDir));
  }
  const warnings: string[] = [];
  const done = migrations.filter((p) => p.ledger !== 'pending');
  for (const p of migrations.filter((x) => x.ledger === 'pending')) {
    const above = done.find((d) => compareVersions(d.migration.version, p.migration.version) > 0);
    if (above && input.ledger !== undefined) warnings.push(outOfOrderWarning(p.migration.file, above.migration.file));
  }
  const written = new Set(migrations.map((p) => p.migration.file));
  const remove = input.move ? migrations.flatMap((p) => p.migration.sources).filter((s) => !(input.sameFolder && written.has(s))) : [];
  return { migrations, problems, warnings, remove };
}
