/**
 * `import --from TOOL [--dir PATH] [--table NAME] [--dry-run] [--move] [--json]`: another tool's
 * migrations become ours; with a database URL configured, what its history table records as
 * applied is recorded in our ledger and sealed. Exit 1 when the import is refused (every problem
 * listed, nothing written), 2 on bad usage (unknown tool, missing folder).
 */
import path from 'node:path';
import type { ImportTool } from '../../core/import/converted-migration.js';
import { importJson } from '../../runner/import/import-json.js';
import { importMigrations, type ImportResult } from '../../runner/import/import-migrations.js';
import type { CommandContext, Output } from '../context.js';
import { eventRenderer, plural } from '../runner-output.js';

function renderFiles(result: ImportResult, out: Output, rollbacksDir: string): void {
  const c = out.color;
  for (const p of result.plan.migrations) {
    const m = p.migration;
    out.result(`  ${p.file === 'write' ? c.green('write    ') : c.dim('unchanged')}  ${m.file}  ${c.dim(`← ${m.sources.join(', ')}`)}`);
    if (p.rollback !== 'none') out.result(`  ${p.rollback === 'write' ? c.green('rollback ') : c.dim('unchanged')}  ${rollbacksDir}/${m.file}`);
    for (const note of m.notes) out.result(c.dim(`             ${note}`));
  }
  for (const i of result.ignored) out.info(c.dim(`  ignored    ${i.path}: ${i.reason}`));
}

function renderHistory(result: ImportResult, out: Output): void {
  const c = out.color;
  if (result.history === null) {
    out.result(`No database configured: only the files are imported. Set DATABASE_URL (or --database-url) and run the same import to record what ${result.label} applied.`);
    return;
  }
  if (!result.history.found) {
    out.result(`No table ${result.history.table} in ${result.database}: ${result.label} recorded nothing there, so every migration is pending.`);
    return;
  }
  out.result(`History: ${result.history.table} records ${plural(result.history.applied, 'of them', 'of them')} as applied.`);
  for (const p of result.plan.migrations) {
    const m = p.migration;
    if (p.ledger === 'record') out.result(`  ${c.green('record   ')}  ${m.stem}  ${c.dim(m.checksum)}`);
    else if (p.ledger === 'recorded') out.result(`  ${c.dim('recorded ')}  ${m.stem}  ${c.dim('already in our ledger')}`);
    else out.result(`  ${c.yellow('pending  ')}  ${m.stem}  ${c.dim('`archon-migrate up` applies it')}`);
  }
}

function summary(result: ImportResult, lockfile: string): string {
  const pending = result.plan.migrations.filter((p) => p.ledger === 'pending').length;
  const rollbacks = result.plan.migrations.filter((p) => p.rollback === 'write').length;
  if (result.dryRun) return 'Dry run: nothing was written.';
  const rollbacksWritten = result.plan.migrations.some((p) => p.rollback === 'write');
  if (result.written.length + result.recorded.length + result.sealed.length + result.removed.length === 0 && !rollbacksWritten) {
    return `Nothing to import: every migration of ${result.dir} is already imported${result.history === null ? '' : ', recorded and sealed as their history says'}.`;
  }
  const parts = [`Imported ${plural(result.plan.migrations.length, 'migration')} from ${result.label}: wrote ${plural(result.written.length, 'file')} and ${plural(rollbacks, 'rollback')}`];
  if (result.history !== null) parts.push(`recorded ${result.recorded.length} as applied`);
  if (result.sealed.length > 0) parts.push(`sealed ${result.sealed.length} in ${lockfile}`);
  if (result.removed.length > 0) parts.push(`removed ${plural(result.removed.length, 'original')}`);
  if (pending > 0 && result.history !== null) parts.push(`${pending} pending: run \`archon-migrate up\``);
  return `${parts.join('; ')}.`;
}

export default async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const config = await ctx.loadConfig();
  // Their history lives in a real database: the embedded one never has it.
  const db = config.databaseUrl === undefined ? undefined : await ctx.openDatabase(config);
  let result: ImportResult;
  try {
    result = await importMigrations({
      config, ...(db === undefined ? {} : { db }), from: opts.from as ImportTool, onEvent: eventRenderer(ctx.out),
      ...(typeof opts.dir === 'string' ? { dir: path.resolve(ctx.cwd, opts.dir) } : {}),
      ...(typeof opts.table === 'string' ? { table: opts.table } : {}),
      dryRun: opts.dryRun === true, move: opts.move === true,
    });
  } finally {
    await db?.close();
  }
  const out = ctx.out;
  if (opts.json === true) {
    out.json(importJson(result));
  } else if (result.ok) {
    out.result(`Import from ${result.label}: ${result.dir} → ${path.relative(config.root, config.migrationsDir) || '.'}${result.dryRun ? ' (dry run)' : ''}`);
    renderFiles(result, out, path.relative(config.root, config.rollbacksDir) || '.');
    renderHistory(result, out);
    for (const w of result.plan.warnings) out.warn(`${out.color.yellow('warning:')} ${w}`);
    out.result(summary(result, path.relative(config.root, config.lockfile)));
  }
  if (!result.ok && result.error) throw result.error;
  return 0;
}
