/**
 * `verify` (DESIGN §5): the CI backstop for `git commit --no-verify`. The same rules as the guard
 * (core/guard-rules.ts), comparing the working tree — files and lockfile — with the base: the
 * merge-base of HEAD and the base branch (`origin/<baseBranch>` when it exists, else
 * `<baseBranch>`, or `--base REF`). Plus a review summary of the migrations the branch adds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksum } from '../core/checksum.js';
import { ArchonError } from '../core/errors.js';
import { isSqlName, migrationSourceProblems, type SourceProblem } from '../core/migration-source.js';
import { checkGuard, moveNote, type GuardViolation, type PathMove } from '../core/guard-rules.js';
import { orderMigrations } from '../core/migration-name.js';
import { findRisks, type Risk } from '../core/risk.js';
import { parseDirectives } from '../core/directives.js';
import { readObjects, listTree } from './blobs.js';
import { readConfigFilesAt, type ConfigAtRevision } from './config-at-revision.js';
import type { GitEnv } from './exec-git.js';
import { isShallow, mergeBase, repoInfo, resolveCommit, toRepoPath } from './repo.js';

/**
 * The `verify --format json` document (stable; additions only within a major version):
 *
 * {
 *   "version": 1,
 *   "ok": boolean,                       // false = exit 1
 *   "base": { "ref": "origin/main", "commit": "<id>", "mergeBase": "<id>" },
 *   "migrationsDir": "migrations",       // repository paths
 *   "lockfile": "migrations/archon-migrate.lock",
 *   "violations": [{ "kind": "sealed-modified" | …, "file": "migrations/001_a.sql",
 *                    "message": "…", "hint": "…", "sealed"?: "sha256:…", "found"?: "sha256:…" }],
 *   "warnings": ["…"],
 *   "moved": [{ "what": "migrationsDir" | "lockfile", "from": "migrations", "to": "db", "seals": 3 }],
 *   "added": [{ "file": "003_x.sql", "path": "migrations/003_x.sql", "checksum": "sha256:…",
 *               "transaction": true, "lockTimeout"?: "5s", "statementTimeout"?: "60s",
 *               "rollback": false, "sealed": false,
 *               "risks": [{ "kind": "drop-table" | …, "line": 3, "table": "users", "column"?: "…", "message": "…" }],
 *               "directiveProblems": [{ "line": 1, "message": "…" }] }]
 * }
 */
export interface VerifyReport {
  version: 1;
  ok: boolean;
  base: { ref: string; commit: string; mergeBase: string };
  migrationsDir: string;
  lockfile: string;
  violations: GuardViolation[];
  warnings: string[];
  /** Places the branch's config moved since the base; allowed when `ok`. */
  moved: PathMove[];
  added: AddedMigration[];
}

export interface AddedMigration {
  file: string;
  path: string;
  checksum: string;
  transaction: boolean;
  lockTimeout?: string;
  statementTimeout?: string;
  /** A rollback file exists in the rollbacks directory. */
  rollback: boolean;
  /** The working tree's lockfile seals it. */
  sealed: boolean;
  risks: Risk[];
  directiveProblems: { line: number; message: string }[];
}

export interface VerifyOptions {
  cwd: string;
  env?: GitEnv;
  /** Absolute paths from the config. */
  migrationsDir: string;
  rollbacksDir: string;
  lockfile: string;
  allowOutOfOrder: boolean;
  baseBranch: string;
  /** --base REF; default: origin/<baseBranch>, else <baseBranch>. */
  base?: string;
  /** The config at the base; without it, the base is taken to use the paths above. */
  config?: ConfigAtRevision;
}

/**
 * Regular files directly in `dir`, name -> content, and the `.sql` names that are not regular
 * files (symbolic links, directories); empty when the directory is missing.
 */
function readDirFiles(dir: string): { files: Map<string, Buffer>; notFiles: string[] } {
  const files = new Map<string, Buffer>();
  const notFiles: string[] = [];
  if (!existsSync(dir)) return { files, notFiles };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) files.set(entry.name, readFileSync(join(dir, entry.name)));
    else if (isSqlName(entry.name)) notFiles.push(entry.name);
  }
  return { files, notFiles };
}

async function resolveBase(git: { cwd: string; env?: GitEnv }, options: VerifyOptions): Promise<{ ref: string; commit: string }> {
  const candidates = options.base !== undefined ? [options.base] : [`origin/${options.baseBranch}`, options.baseBranch];
  for (const ref of candidates) {
    const commit = await resolveCommit(git, ref);
    if (commit !== undefined) return { ref, commit };
  }
  const shallow = await isShallow(git);
  throw new ArchonError(
    options.base !== undefined ? `base ${options.base} is not a commit in this repository${shallow ? ' (this is a shallow clone)' : ''}` : `base branch ${options.baseBranch} not found (tried origin/${options.baseBranch} and ${options.baseBranch})`,
    { exitCode: 2, hint: missingBaseHint(options.base ?? options.baseBranch, shallow) },
  );
}

/** What to fetch for a missing base: a branch by name, a commit by hash; a relative ref (HEAD~1) cannot be fetched. */
export function missingBaseHint(ref: string, shallow: boolean): string {
  if (/[~^@:]/.test(ref) || /^HEAD\b/.test(ref)) {
    return shallow
      ? `Fetch more history (\`git fetch --unshallow\`; in GitHub Actions use actions/checkout with fetch-depth: 0), or pass --base with a branch name.`
      : `${ref} names a commit this history does not have; pass --base with a branch or a commit that exists (\`git log --oneline\` lists them).`;
  }
  const name = ref.replace(/^(refs\/remotes\/)?origin\//, '');
  return `Fetch it (\`git fetch origin ${name}\`; in GitHub Actions use actions/checkout with fetch-depth: 0) or pass --base REF.`;
}

export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const git0 = { cwd: options.cwd, ...(options.env ? { env: options.env } : {}) };
  const info = await repoInfo(git0);
  const git = { ...git0, cwd: info.root };
  if (info.head === undefined) throw new ArchonError('the repository has no commit yet; verify compares HEAD with a base branch', { exitCode: 2, hint: 'Commit first, or run `archon-migrate lock --check`.' });
  const base = await resolveBase(git, options);
  const mb = await mergeBase(git, base.commit, info.head);
  if (mb === undefined) {
    const shallow = await isShallow(git);
    throw new ArchonError(`no merge-base between HEAD and ${base.ref}${shallow ? ' (this is a shallow clone)' : ''}`, {
      exitCode: 2, hint: shallow ? 'Fetch the full history: actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`.' : 'Pass --base with a ref that shares history with HEAD.',
    });
  }

  const short = mb.slice(0, 7);
  const baseLabel = `${base.ref} (merge-base ${short})`;
  const dir = toRepoPath(info.root, options.migrationsDir);
  const lock = toRepoPath(info.root, options.lockfile);
  // The base is judged where the base's config kept its migrations (config-at-revision.ts).
  let baseDir = dir;
  let baseLockPath = lock;
  if (options.config !== undefined) {
    const [files] = await readConfigFilesAt(git, info.root, options.config.candidates, [mb]);
    const at = await options.config.paths(files!, baseLabel);
    baseDir = toRepoPath(info.root, at.migrationsDir);
    baseLockPath = toRepoPath(info.root, at.lockfile);
  }
  const baseEntries = await listTree(git, mb, baseDir);
  const baseNames = new Set(baseEntries.filter((e) => e.path.slice(0, e.path.lastIndexOf('/') + 1) === (baseDir === '' ? '' : `${baseDir}/`)).map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)));
  const [baseLock] = await readObjects(git, [`${mb}:${baseLockPath}`]);

  const { files: work, notFiles } = readDirFiles(options.migrationsDir);
  const files = new Map<string, string>();
  const problems = new Map<string, SourceProblem[]>();
  for (const [name, bytes] of work) {
    files.set(name, checksum(bytes));
    if (isSqlName(name)) problems.set(name, migrationSourceProblems(bytes));
  }
  const workLock = existsSync(options.lockfile) ? readFileSync(options.lockfile, 'utf8') : undefined;
  const added = [...files.keys()].filter((n) => !baseNames.has(n));

  const report = checkGuard({
    migrationsDir: dir, lockfile: lock, allowOutOfOrder: options.allowOutOfOrder,
    base: {
      label: baseLabel, rev: base.ref, lockfile: baseLock?.toString('utf8'),
      ...(baseDir === dir ? {} : { migrationsDir: baseDir }),
      ...(baseLockPath === lock ? {} : { lockfilePath: baseLockPath }),
    },
    next: { label: 'working tree', lockfile: workLock, files, problems, notFiles },
    added,
  });

  // Review summary: the migrations the branch adds, in version order.
  const baseSealed = new Set(report.baseSeals.map((s) => s.file));
  const nextSealed = new Set((report.nextSeals ?? []).map((s) => s.file));
  const newTables = new Set<string>();
  const summary: AddedMigration[] = [];
  for (const m of orderMigrations(added).migrations) {
    if (baseSealed.has(m.file)) continue;
    const sql = work.get(m.file)!.toString('utf8');
    const { directives, problems } = parseDirectives(sql);
    const analysis = findRisks(sql, { newTables });
    for (const t of analysis.createdTables) newTables.add(t);
    summary.push({
      file: m.file,
      path: dir === '' ? m.file : `${dir}/${m.file}`,
      checksum: files.get(m.file)!,
      transaction: directives.transaction,
      ...(directives.lockTimeout ? { lockTimeout: directives.lockTimeout } : {}),
      ...(directives.statementTimeout ? { statementTimeout: directives.statementTimeout } : {}),
      rollback: existsSync(join(options.rollbacksDir, m.file)),
      sealed: nextSealed.has(m.file),
      risks: analysis.risks,
      directiveProblems: problems,
    });
  }

  return {
    version: 1,
    ok: report.violations.length === 0,
    base: { ref: base.ref, commit: base.commit, mergeBase: mb },
    migrationsDir: dir,
    lockfile: lock,
    violations: report.violations,
    warnings: report.warnings,
    moved: report.moved,
    added: summary,
  };
}

function txLabel(m: AddedMigration): string {
  const parts = [m.transaction ? 'transaction' : 'no-transaction'];
  if (m.lockTimeout) parts.push(`lock-timeout=${m.lockTimeout}`);
  if (m.statementTimeout) parts.push(`statement-timeout=${m.statementTimeout}`);
  return parts.join(', ');
}

/** Plain text, one line per item. */
export function formatVerifyText(r: VerifyReport): string[] {
  const lines: string[] = [];
  lines.push(`verify: ${r.ok ? 'ok' : 'FAILED'} — ${r.migrationsDir || '.'} compared with ${r.base.ref} (merge-base ${r.base.mergeBase.slice(0, 7)})`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const m of r.moved) lines.push(`note: ${moveNote(m, !r.ok)}`);
  for (const v of r.violations) {
    lines.push(`  ✗ ${v.message}`);
    lines.push(`    fix: ${v.hint}`);
  }
  if (r.added.length === 0) {
    lines.push('No new migrations on this branch.');
  } else {
    lines.push(`${r.added.length} new migration${r.added.length === 1 ? '' : 's'} on this branch:`);
    for (const m of r.added) {
      lines.push(`  ${m.path}  ${m.checksum}  ${txLabel(m)}  rollback: ${m.rollback ? 'yes' : 'no'}  ${m.sealed ? 'sealed' : 'not sealed yet'}`);
      for (const k of m.risks) lines.push(`    ! line ${k.line}: ${k.message}`);
      for (const p of m.directiveProblems) lines.push(`    ! line ${p.line}: directive: ${p.message}`);
    }
  }
  return lines;
}

function mdCode(s: string): string {
  return '`' + s.replace(/`/g, "'").replace(/\|/g, '\\|') + '`';
}

function mdText(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** GitHub-flavoured markdown for a pull-request check summary. */
export function formatVerifyMarkdown(r: VerifyReport): string {
  const out: string[] = [];
  out.push(`### archon-migrate verify: ${r.ok ? '✅ passed' : '❌ failed'}`);
  out.push('');
  out.push(`Compared ${mdCode(r.migrationsDir || '.')} with ${mdCode(r.base.ref)} (merge-base ${mdCode(r.base.mergeBase.slice(0, 7))}).`);
  out.push('');
  if (r.violations.length > 0) {
    out.push('**Problems**');
    out.push('');
    for (const v of r.violations) out.push(`- ❌ ${mdText(v.message)}<br>fix: ${mdText(v.hint)}`);
    out.push('');
  }
  for (const w of r.warnings) out.push(`> ⚠️ ${mdText(w)}`);
  for (const m of r.moved) out.push(`> ℹ️ ${mdText(moveNote(m, !r.ok))}`);
  if (r.added.length === 0) {
    out.push('No new migrations on this branch.');
  } else {
    out.push('| Migration | Checksum | Mode | Rollback | Sealed | Review |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const m of r.added) {
      const review = [
        ...m.risks.map((k) => `⚠️ line ${k.line}: ${mdText(k.message)}`),
        ...m.directiveProblems.map((p) => `❌ line ${p.line}: ${mdText(p.message)}`),
      ];
      out.push(`| ${mdCode(m.path)} | ${mdCode(m.checksum.slice(0, 19) + '…')} | ${txLabel(m)} | ${m.rollback ? 'yes' : 'no'} | ${m.sealed ? 'yes' : 'no'} | ${review.length > 0 ? review.join('<br>') : '—'} |`);
    }
  }
  out.push('');
  return out.join('\n');
}
