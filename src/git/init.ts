/**
 * `init` (DESIGN §5): wires an existing repository — config file, migrations directory and empty
 * lockfile, npm scripts, husky's `prepare`, the pre-commit hook, `.gitignore` — and never
 * clobbers what is there: an existing script with another value, an existing hook, an existing
 * lint-staged setup are kept and reported. Running it twice changes nothing the second time.
 * It installs nothing; it returns the `npm install` command still needed.
 *
 * The hook runs the guard standalone, once, before any lint-staged call: lint-staged passes only
 * added/copied/modified/renamed paths (never a deletion or a rename's old path) and runs no task
 * for a commit that only deletes, so the guard must read the index itself. Adding it to the
 * lint-staged config as well would run it twice — init does not.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ArchonError } from '../core/errors.js';
import { serializeLockfile } from '../core/lockfile.js';
import { execGit, type GitEnv } from './exec-git.js';

export interface InitOptions {
  /** Project root: the directory holding package.json. */
  root: string;
  env?: GitEnv;
  /** The config file found, if any (then no config file is written). */
  configFile?: string;
  /** Absolute paths (from the loaded config or the defaults). */
  migrationsDir: string;
  lockfile: string;
}

export interface InitAction {
  /** added / updated: changed a file; kept: left as it was; note: something to know or do. */
  kind: 'added' | 'updated' | 'kept' | 'note';
  message: string;
}

export interface InitResult {
  actions: InitAction[];
  /** Whether any file was written. */
  changed: boolean;
  /** `npm install -D …` for what package.json lacks, if anything. */
  installCommand?: string;
}

export const GUARD_HOOK_LINE = 'archon-migrate guard';

export const SCRIPTS: readonly (readonly [string, string])[] = [
  ['db:migrate', 'archon-migrate up'],
  ['db:status', 'archon-migrate status'],
  ['db:create', 'archon-migrate create'],
  ['db:rollback', 'archon-migrate down'],
  ['db:verify', 'archon-migrate verify'],
];

const LINT_STAGED_FILES = ['.lintstagedrc', '.lintstagedrc.json', '.lintstagedrc.yaml', '.lintstagedrc.yml', '.lintstagedrc.mjs', '.lintstagedrc.cjs', '.lintstagedrc.js',
  'lint-staged.config.js', 'lint-staged.config.mjs', 'lint-staged.config.cjs', 'lint-staged.config.ts', 'lint-staged.config.mts', 'lint-staged.config.cts'];

type PackageJson = Record<string, unknown> & { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

function posixRel(from: string, to: string): string {
  return relative(from, to).split(sep).join('/') || '.';
}

export function configTemplate(migrationsDir: string, baseBranch: string): string {
  return [
    "import { defineConfig } from 'archon-migrate';",
    '',
    'export default defineConfig({',
    `  migrationsDir: ${JSON.stringify(migrationsDir)},`,
    `  baseBranch: ${JSON.stringify(baseBranch)},`,
    '  // databaseUrl: read from DATABASE_URL (.env is loaded). Without one, commands use an',
    '  // embedded PostgreSQL (PGlite) in .archon/pglite.',
    '});',
    '',
  ].join('\n');
}

/** `husky` → '.husky'; `husky hooks` → 'hooks'; undefined when the script does not run husky. */
export function huskyDirFromPrepare(prepare: string | undefined): string | undefined {
  if (prepare === undefined) return undefined;
  const m = /(?:^|[\s;&|(])husky(?:\s+install)?(?:\s+([^\s;&|)]+))?/.exec(prepare);
  if (!m) return undefined;
  return m[1] !== undefined && !m[1].startsWith('-') ? m[1] : '.husky';
}

/** Where our line goes into an existing hook: after the leading shebang, comments, blank lines and husky v8 preamble. */
export function insertGuardLine(hook: string, line: string): string {
  const lines = hook.split('\n');
  let at = 0;
  while (at < lines.length) {
    const l = lines[at]!.trim();
    if (l === '' || l.startsWith('#') || /husky\.sh["']?$/.test(l)) at++;
    else break;
  }
  // Keep a blank line that separates the preamble from the commands after our line.
  lines.splice(at, 0, line);
  const text = lines.join('\n');
  return text.endsWith('\n') ? text : text + '\n';
}

async function detectBaseBranch(root: string, env: GitEnv | undefined): Promise<string> {
  const git = { cwd: root, ...(env ? { env } : {}) };
  try {
    const remote = await execGit(git, ['symbolic-ref', '-q', '--short', 'refs/remotes/origin/HEAD'], [1, 128]);
    const name = remote.code === 0 ? remote.stdout.toString('utf8').trim() : '';
    if (name.startsWith('origin/')) return name.slice('origin/'.length);
    const head = await execGit(git, ['symbolic-ref', '-q', '--short', 'HEAD'], [1, 128]);
    const branch = head.code === 0 ? head.stdout.toString('utf8').trim() : '';
    if (branch === 'master' || branch === 'main' || branch === 'trunk' || branch === 'develop') return branch;
  } catch {
    // not a repository, or no git: the default will do
  }
  return 'main';
}

async function gitTopLevel(root: string, env: GitEnv | undefined): Promise<string | undefined> {
  try {
    const r = await execGit({ cwd: root, ...(env ? { env } : {}) }, ['rev-parse', '--show-toplevel']);
    return r.stdout.toString('utf8').trim();
  } catch {
    return undefined;
  }
}

export async function runInit(options: InitOptions): Promise<InitResult> {
  const { root } = options;
  const actions: InitAction[] = [];
  let changed = false;
  const added = (message: string): void => { actions.push({ kind: 'added', message }); changed = true; };
  const updated = (message: string): void => { actions.push({ kind: 'updated', message }); changed = true; };
  const kept = (message: string): void => { actions.push({ kind: 'kept', message }); };
  const note = (message: string): void => { actions.push({ kind: 'note', message }); };
  const rel = (p: string): string => posixRel(root, p);

  const pkgPath = join(root, 'package.json');
  if (!existsSync(pkgPath)) {
    throw new ArchonError(`no package.json in ${root}`, { exitCode: 2, hint: 'Run `npm init -y` first (or run init in the project root with --cwd).' });
  }
  const pkgText = readFileSync(pkgPath, 'utf8');
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(pkgText) as PackageJson;
  } catch (error) {
    throw new ArchonError(`package.json is not valid JSON: ${(error as Error).message}`, { exitCode: 2, cause: error });
  }
  let pkgChanged = false;

  // 1. Config file.
  if (options.configFile !== undefined) {
    kept(`existing config ${rel(options.configFile)}`);
  } else {
    const configPath = join(root, 'archon-migrate.config.ts');
    writeFileSync(configPath, configTemplate(rel(options.migrationsDir), await detectBaseBranch(root, options.env)));
    added('archon-migrate.config.ts');
  }

  // 2. Migrations directory and empty lockfile.
  if (existsSync(options.migrationsDir)) kept(`existing ${rel(options.migrationsDir)}/`);
  else {
    mkdirSync(options.migrationsDir, { recursive: true });
    added(`${rel(options.migrationsDir)}/`);
  }
  if (existsSync(options.lockfile)) kept(`existing lockfile ${rel(options.lockfile)}`);
  else {
    mkdirSync(dirname(options.lockfile), { recursive: true });
    writeFileSync(options.lockfile, serializeLockfile([]));
    added(`empty lockfile ${rel(options.lockfile)}`);
  }

  // 3. npm scripts: never clobber one with another value.
  const scripts: Record<string, string> = { ...(pkg.scripts ?? {}) };
  for (const [name, command] of SCRIPTS) {
    const existing = scripts[name];
    if (existing === undefined) {
      scripts[name] = command;
      pkgChanged = true;
      added(`npm script ${name}: ${command}`);
    } else if (existing === command) {
      kept(`npm script ${name}`);
    } else {
      kept(`existing npm script ${name} (${JSON.stringify(existing)}); not replaced with ${JSON.stringify(command)}`);
    }
  }

  // 4. husky's prepare script, and the hooks directory it installs.
  const prepare = scripts.prepare;
  let huskyDir = huskyDirFromPrepare(prepare);
  if (huskyDir !== undefined) {
    kept(`npm script prepare (${JSON.stringify(prepare)})`);
  } else {
    huskyDir = '.husky';
    scripts.prepare = prepare === undefined || prepare.trim() === '' ? 'husky' : `${prepare} && husky`;
    pkgChanged = true;
    if (prepare === undefined) added('npm script prepare: husky');
    else updated(`npm script prepare: ${JSON.stringify(prepare)} → ${JSON.stringify(scripts.prepare)}`);
  }
  if (pkgChanged) pkg.scripts = scripts;

  // 5. The pre-commit hook.
  const lintStagedConfig = pkg['lint-staged'] !== undefined ? 'package.json "lint-staged"' : LINT_STAGED_FILES.find((f) => existsSync(join(root, f)));
  const hookPath = join(root, huskyDir, 'pre-commit');
  if (existsSync(hookPath)) {
    const hook = readFileSync(hookPath, 'utf8');
    if (/(^|\s|\/)archon-migrate(\s+[^\n]*)?\s+guard\b/m.test(hook)) {
      kept(`existing ${rel(hookPath)} (already runs the guard)`);
    } else {
      // husky v8 hooks (sourcing husky.sh) do not put node_modules/.bin on PATH; husky 9 does.
      const line = /husky\.sh/.test(hook) ? `npx --no -- ${GUARD_HOOK_LINE}` : GUARD_HOOK_LINE;
      writeFileSync(hookPath, insertGuardLine(hook, line));
      updated(`${rel(hookPath)}: added \`${line}\` before its existing commands`);
    }
  } else {
    mkdirSync(dirname(hookPath), { recursive: true });
    const lines = [GUARD_HOOK_LINE];
    if (lintStagedConfig !== undefined) lines.push('npx --no -- lint-staged');
    writeFileSync(hookPath, lines.join('\n') + '\n');
    chmodSync(hookPath, 0o755);
    added(`${rel(hookPath)} running ${lines.map((l) => `\`${l}\``).join(' then ')}`);
  }
  if (lintStagedConfig !== undefined) {
    kept(`lint-staged config (${lintStagedConfig}); the guard is not added to it — it runs once, standalone, in the hook, because lint-staged never passes deletions or a rename's old path`);
  }

  // 6. .gitignore.
  const ignorePath = join(root, '.gitignore');
  const ignore = existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : undefined;
  const have = new Set((ignore ?? '').split(/\r?\n/).map((l) => l.trim().replace(/^\//, '').replace(/\/$/, '')));
  const missing = ['.env', '.archon/'].filter((e) => !have.has(e.replace(/\/$/, '')));
  if (missing.length === 0) kept('.gitignore (already ignores .env and .archon/)');
  else {
    const prefix = ignore === undefined || ignore === '' || ignore.endsWith('\n') ? '' : '\n';
    writeFileSync(ignorePath, (ignore ?? '') + prefix + missing.join('\n') + '\n');
    if (ignore === undefined) added(`.gitignore with ${missing.join(', ')}`);
    else updated(`.gitignore: added ${missing.join(', ')}`);
  }

  if (pkgChanged) {
    const indent = /^[ \t]+(?=")/m.exec(pkgText)?.[0] ?? '  ';
    writeFileSync(pkgPath, JSON.stringify(pkg, null, indent) + (pkgText.endsWith('\n') ? '\n' : ''));
  }

  // 7. What is left to do.
  const deps = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}) };
  const need = ['archon-migrate', 'husky', ...(lintStagedConfig !== undefined ? ['lint-staged'] : [])].filter((d) => deps[d] === undefined);
  const top = await gitTopLevel(root, options.env);
  if (top === undefined) note('not inside a git repository yet: the hook is installed by `npm run prepare` after `git init`');
  else if (posixRel(top, root) !== '.' && huskyDir === '.husky') {
    note(`package.json is in a subdirectory of the repository (${posixRel(top, root)}): set "prepare" to \`cd ${posixRel(root, top)} && husky ${posixRel(top, root)}/.husky\` (husky needs the path from the repository root)`);
  }
  const result: InitResult = { actions, changed };
  if (need.length > 0) result.installCommand = `npm install -D ${need.join(' ')}`;
  return result;
}
