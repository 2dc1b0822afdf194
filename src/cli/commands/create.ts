/**
 * `create NAME [--rollback]`: writes the next-numbered migration from a template. The version
 * is one above the highest existing one, zero-padded to the widest existing version (3 by
 * default), or in a folder of 14-digit UTC timestamps (Supabase's), the current UTC time. Nothing is written when the name or the folder has a problem, and an existing file is
 * never overwritten.
 */
import { mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { failedError, usageError } from '../../core/errors.js';
import { MAX_VERSION_DIGITS, MIGRATION_FILE_PATTERN, orderMigrations } from '../../core/migration-name.js';
import { detectVersioning, nextVersion } from '../../core/versioning.js';
import type { CommandContext } from '../context.js';

const MAX_FILE_NAME_BYTES = 255;

const NAME_HINT = 'Use lower-case letters, digits and _, e.g. `archon-migrate create add_users` (spaces and - become _).';

/** `"Add users"` → `add_users`; throws a usage error for anything that cannot become a name. */
export function sanitizeMigrationName(raw: string): string {
  if (raw.trim() === '') throw usageError('missing migration name', NAME_HINT);
  if (/[/\\]/.test(raw) || raw.includes('..')) {
    throw usageError(`invalid migration name ${JSON.stringify(raw)}: it must not contain /, \\ or .. (the file is always created in the migrations folder)`, NAME_HINT);
  }
  const name = raw.trim().toLowerCase().replace(/[\s-]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw usageError(`invalid migration name ${JSON.stringify(raw)}: only lower-case letters, digits and _ are allowed (file names must match ${MIGRATION_FILE_PATTERN})`, NAME_HINT);
  }
  return name;
}

function now(env: Readonly<Record<string, string | undefined>>): Date {
  // SOURCE_DATE_EPOCH (seconds) pins the time for reproducible output.
  const epoch = env.SOURCE_DATE_EPOCH;
  return epoch !== undefined && /^[0-9]+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

export function migrationTemplate(stem: string, created: string): string {
  return [
    `-- Migration ${stem}`,
    `-- Created ${created}`,
    '--',
    '-- Runs in one transaction together with its ledger record. Once applied and sealed in the',
    '-- lockfile this file must not change: put later changes in a new migration.',
    '-- Optional directives go at the very top of the file, one per line, e.g.:',
    '--   -- archon-migrate: no-transaction   (CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM)',
    '--   -- archon-migrate: lock-timeout=5s',
    '--   -- archon-migrate: statement-timeout=60s',
    '',
    '',
  ].join('\n');
}

export function rollbackTemplate(stem: string, created: string): string {
  return [
    `-- Rollback of ${stem}`,
    `-- Created ${created}`,
    '--',
    `-- Undo what ${stem}.sql does; \`archon-migrate down\` runs this file.`,
    '',
    '',
  ].join('\n');
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function writeNew(file: string, content: string, shown: string): Promise<void> {
  try {
    await writeFile(file, content, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw failedError(`${shown} already exists; not overwriting it`, 'Run `archon-migrate create` again to get the next number, or remove the stray file.');
    }
    throw error;
  }
}

export default async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const name = sanitizeMigrationName(args[0] ?? '');
  const config = await ctx.loadConfig();
  const shown = (p: string) => path.relative(ctx.cwd, p) || '.';

  const { migrations, problems } = orderMigrations(await listFiles(config.migrationsDir));
  if (problems.length > 0) {
    for (const problem of problems) ctx.out.warn(`  ${shown(path.join(config.migrationsDir, problem.file))}: ${problem.message.replace(`${problem.file}: `, '')}`);
    throw usageError(`cannot number a new migration: ${shown(config.migrationsDir)} has ${problems.length} file name problem${problems.length === 1 ? '' : 's'} (listed above)`,
      'Rename or remove those files first.');
  }

  const versions = migrations.map((m) => m.version);
  const version = nextVersion(versions, config.versioning ?? detectVersioning(versions), now(ctx.env));
  if (version.length > MAX_VERSION_DIGITS) {
    throw usageError(`cannot number a new migration: the next version ${version} has more than ${MAX_VERSION_DIGITS} digits (the ledger's version column holds ${MAX_VERSION_DIGITS} digits)`,
      'Keep versions to at most 20 digits (e.g. 001, or a date like 20261124120000).');
  }
  const stem = `${version}_${name}`;
  // File names are limited to 255 bytes, and the ledger's migration_name to 255 characters.
  if (Buffer.byteLength(`${stem}.sql`) > MAX_FILE_NAME_BYTES) {
    throw usageError(`migration name too long: ${stem}.sql would be ${Buffer.byteLength(`${stem}.sql`)} bytes (at most ${MAX_FILE_NAME_BYTES})`, 'Use a shorter name.');
  }
  const file = path.join(config.migrationsDir, `${stem}.sql`);
  const rollback = opts.rollback === true ? path.join(config.rollbacksDir, `${stem}.sql`) : undefined;
  const created = now(ctx.env).toISOString().slice(0, 10);

  await mkdir(config.migrationsDir, { recursive: true });
  if (rollback !== undefined) await mkdir(config.rollbacksDir, { recursive: true });
  await writeNew(file, migrationTemplate(stem, created), shown(file));
  if (rollback !== undefined) {
    try {
      await writeNew(rollback, rollbackTemplate(stem, created), shown(rollback));
    } catch (error) {
      await unlink(file); // all or nothing: the migration was created by this run a moment ago
      throw error;
    }
  }

  ctx.out.result(`Created ${shown(file)}`);
  if (rollback !== undefined) ctx.out.result(`Created ${shown(rollback)}`);
  ctx.out.info(ctx.out.color.dim('Write the SQL, then run `archon-migrate up` to apply and seal it.'));
  return 0;
}
