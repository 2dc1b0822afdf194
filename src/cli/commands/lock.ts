/**
 * `lock`: seals every migration file in the lockfile. Existing seals are never rewritten: a
 * sealed file whose content changed, or that disappeared, stops the command (exit 1) and
 * nothing is written. The file is replaced atomically, and only when its content changes.
 *
 * `lock --check`: exit 0 when the lockfile exists and matches the files exactly; otherwise exit 1
 * naming every problem. Writes nothing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { failedError } from '../../core/errors.js';
import { mergeSeals, parseLockfile, serializeLockfile, type Seal } from '../../core/lockfile.js';
import { assertRunnable, loadMigrations } from '../../runner/migration-files.js';
import { addSeals, writeAtomically } from '../../runner/seal-store.js';
import type { CommandContext } from '../context.js';

export type LockProblem =
  | { kind: 'unsealed'; file: string; checksum: string }
  | { kind: 'modified'; file: string; sealed: string; current: string }
  | { kind: 'missing'; file: string; sealed: string };

/** Compares the seals with the files on disk; problems in version order of the files, then missing ones. */
export function compareWithFiles(seals: readonly Seal[], files: readonly Seal[]): LockProblem[] {
  const sealed = new Map(seals.map((s) => [s.file, s.checksum]));
  const present = new Set(files.map((f) => f.file));
  const problems: LockProblem[] = [];
  for (const f of files) {
    const s = sealed.get(f.file);
    if (s === undefined) problems.push({ kind: 'unsealed', file: f.file, checksum: f.checksum });
    else if (s !== f.checksum) problems.push({ kind: 'modified', file: f.file, sealed: s, current: f.checksum });
  }
  for (const s of seals) if (!present.has(s.file)) problems.push({ kind: 'missing', file: s.file, sealed: s.checksum });
  return problems;
}

export function describeProblem(problem: LockProblem, shownFile: string): string {
  switch (problem.kind) {
    case 'unsealed':
      return `${shownFile}: not sealed; run \`archon-migrate lock\``;
    case 'modified':
      return `${shownFile}: changed after it was sealed (sealed ${problem.sealed}, now ${problem.current}); restore it and put the change in a new migration`;
    case 'missing':
      return `${shownFile}: sealed but the file is missing; restore it (a sealed migration is never deleted)`;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export default async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const check = opts.check === true;
  const config = await ctx.loadConfig();
  const shown = (p: string) => path.relative(ctx.cwd, p) || '.';
  const shownLockfile = shown(config.lockfile);
  const shownMigration = (file: string) => shown(path.join(config.migrationsDir, file));

  // The same loader as `up`: names, regular files, UTF-8 and directives are checked alike, so lock
  // never seals a file that up would refuse (a committed seal would forbid the fix).
  const migrations = existsSync(config.migrationsDir) ? await loadMigrations(config) : [];
  const text = await readIfExists(config.lockfile);
  const seals = text === undefined ? [] : parseLockfile(text, shownLockfile);
  const files: Seal[] = migrations.map((m) => ({ file: m.name.file, checksum: m.checksum }));
  const problems = compareWithFiles(seals, files);

  if (check) {
    if (text === undefined) {
      throw failedError(`${shownLockfile} does not exist${files.length === 0 ? '' : ` (${files.length} migration${files.length === 1 ? '' : 's'} to seal)`}`,
        'Run `archon-migrate lock` and commit the lockfile.');
    }
    if (problems.length === 0) {
      ctx.out.info(`${shownLockfile} is up to date: ${seals.length} migration${seals.length === 1 ? '' : 's'} sealed.`);
      return 0;
    }
    for (const p of problems) ctx.out.warn(`  ${describeProblem(p, shownMigration(p.file))}`);
    throw failedError(`${shownLockfile} does not match the migration files: ${problems.length} problem${problems.length === 1 ? '' : 's'} (listed above)`,
      problems.every((p) => p.kind === 'unsealed') ? 'Run `archon-migrate lock` and commit the lockfile.' : 'Sealed migrations are immutable: restore them from git and put changes in new migrations.');
  }

  const blocking = problems.filter((p) => p.kind !== 'unsealed');
  if (blocking.length === 1) {
    const p = blocking[0]!;
    throw failedError(p.kind === 'modified'
      ? `${shownMigration(p.file)} changed after it was sealed (sealed ${p.sealed}, now ${p.current}); sealed lines are never rewritten`
      : `${shownMigration(p.file)} is sealed in ${shownLockfile} but the file is missing`,
    p.kind === 'modified'
      ? `Restore it (\`git checkout -- ${shownMigration(p.file)}\`) and create a new migration for the change: \`archon-migrate create <name>\`.`
      : `Restore it (\`git checkout -- ${shownMigration(p.file)}\`); a sealed migration is never deleted.`);
  }
  if (blocking.length > 1) {
    for (const p of blocking) ctx.out.warn(`  ${describeProblem(p, shownMigration(p.file))}`);
    throw failedError(`cannot update ${shownLockfile}: ${blocking.length} sealed migrations changed or are missing (listed above); nothing was written`,
      'Restore them from git and put changes in new migrations (`archon-migrate create <name>`).');
  }

  const added = problems.filter((p) => p.kind === 'unsealed').map((p) => ({ file: p.file, checksum: p.checksum }));
  const addedFiles = new Set(added.map((s) => s.file));
  assertRunnable(migrations.filter((m) => addedFiles.has(m.name.file)));
  const next = serializeLockfile(mergeSeals(seals, added));
  if (next === text) {
    ctx.out.info(`${shownLockfile} is up to date: ${seals.length} migration${seals.length === 1 ? '' : 's'} sealed.`);
    return 0;
  }
  // New seals go through the runner's seal store (file lock, re-read, merge, atomic write), so a
  // concurrent `up` on this machine never loses a line; a project without migrations gets a
  // header-only lockfile.
  if (added.length > 0) await addSeals(config, added);
  else await writeAtomically(config.lockfile, next);
  for (const s of added) ctx.out.result(`Sealed ${shownMigration(s.file)} ${ctx.out.color.dim(s.checksum)}`);
  ctx.out.info(`${shownLockfile}: ${seals.length + added.length} migration${seals.length + added.length === 1 ? '' : 's'} sealed${added.length === 0 ? '' : `, ${added.length} new`}.`);
  return 0;
}
