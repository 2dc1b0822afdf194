/**
 * `archon-migrate verify [--base REF] [--format text|markdown|json]` — the CI check (DESIGN §5).
 * Exit 1 when a guard rule is violated; 2 for a bad base or format. With `--format markdown` the
 * summary is also appended to the file named by $GITHUB_STEP_SUMMARY when that is set.
 * The json document is described by VerifyReport in src/git/verify.ts.
 */
import { appendFileSync } from 'node:fs';
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import { configAtRevision } from '../config-at-revision.js';
import { formatVerifyMarkdown, formatVerifyText, runVerify } from '../../git/verify.js';

const FORMATS = ['text', 'markdown', 'json'] as const;

export default async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = (opts.format ?? 'text') as string;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw usageError(`unknown --format ${JSON.stringify(format)}; expected one of ${FORMATS.join(', ')}`);
  }
  const base = typeof opts.base === 'string' ? opts.base : undefined;
  const config = await ctx.loadConfig();
  const report = await runVerify({
    cwd: ctx.cwd, env: ctx.env,
    migrationsDir: config.migrationsDir, rollbacksDir: config.rollbacksDir, lockfile: config.lockfile,
    allowOutOfOrder: config.allowOutOfOrder, baseBranch: config.baseBranch,
    ...(base === undefined ? {} : { base }),
    config: configAtRevision(ctx, config),
  });
  const { out } = ctx;
  if (format === 'json') {
    out.json(report);
  } else if (format === 'markdown') {
    const md = formatVerifyMarkdown(report);
    out.result(md.trimEnd());
    const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) appendFileSync(summaryFile, md + '\n');
  } else {
    const c = out.color;
    const [head, ...rest] = formatVerifyText(report);
    out.result(report.ok ? c.green(head!) : c.red(head!));
    for (const line of rest) out.result(line.startsWith('  ✗') ? c.red(line) : line.startsWith('    !') ? c.yellow(line) : line);
  }
  return report.ok ? 0 : 1;
}
