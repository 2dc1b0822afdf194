/**
 * Reading the migrations folder, the rollbacks folder and the lockfile, and validating them
 * before any database work (STYLE: validate before you connect): names and versions, UTF-8 and
 * directives of every file; the transaction-control scan of the files that are about to run.
 */
import { readFileSync, type Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { checksum } from '../core/checksum.js';
import { usageError, type ArchonError } from '../core/errors.js';
import { parseLockfile, type Seal } from '../core/lockfile.js';
import { decodeMigration, EMPTY_HINT, executionOf, formatSourceProblem, isSqlName, NOT_UTF8_HINT, textProblem, type Execution, type SourceProblem } from '../core/migration-source.js';
import { mayHoldNonTransactional } from '../core/non-transactional.js';
import { MIGRATION_FILE_PATTERN, orderMigrations, type MigrationName } from '../core/migration-name.js';
import type { MigrationFile } from '../core/plan.js';
import { isEmptySql } from '../core/sql-lexer.js';
import { parseDirectives, type Directives } from '../core/directives.js';
import type { ResolvedConfig } from '../config/load-config.js';
import type { PreparedBody } from '../core/transaction-body.js';

export interface SqlSource {
  /** absolute path */
  path: string;
  /** relative to the project root, for messages ("migrations/001_x.sql") */
  displayPath: string;
  /** file text without a leading BOM (the checksum ignores it, PostgreSQL would not) */
  sql: string;
  checksum: string;
  directives: Directives;
  /** false for a directive, another tool's marker, or statements that cannot run in one */
  readonly transaction: boolean;
  /** no transaction because every statement needs that: shown as "no transaction (detected)" */
  readonly detectedNoTransaction?: boolean;
  /** transactional files: what is sent; undefined when `problem` is set or for no-transaction files */
  readonly body?: PreparedBody | undefined;
  /** why it cannot run (transaction control, mixed statements, psql-only text): raised only when the file is about to run */
  readonly problem?: SourceProblem | undefined;
  /** only whitespace and comments: refused when the file is about to run */
  readonly empty: boolean;
}

export interface LoadedMigration extends MigrationFile, SqlSource {}

export function displayPath(config: ResolvedConfig, file: string): string {
  return path.relative(config.root, file).split(path.sep).join('/') || file;
}

/** What reading a file gives, before any lexing of its body. */
interface FileText {
  path: string;
  displayPath: string;
  sql: string;
  checksum: string;
  directives: Directives;
}

/**
 * A file read from disk. Lexing the whole body (transaction control, emptiness) is needed only
 * for files that are about to run, so it happens on first use: a no-op `up` or `status` over
 * many applied migrations reads and checksums them, nothing more.
 */
class SourceFile implements SqlSource {
  readonly path: string;
  readonly displayPath: string;
  readonly sql: string;
  readonly checksum: string;
  readonly directives: Directives;
  #execution: Execution | undefined;
  #empty: boolean | undefined;

  constructor(text: FileText) {
    this.path = text.path;
    this.displayPath = text.displayPath;
    this.sql = text.sql;
    this.checksum = text.checksum;
    this.directives = text.directives;
  }

  get transaction(): boolean {
    if (!this.directives.transaction) return false;
    return mayHoldNonTransactional(this.sql) ? this.#analyse().transaction : true;
  }

  get detectedNoTransaction(): boolean {
    return this.directives.transaction && mayHoldNonTransactional(this.sql) && this.#analyse().detected !== null;
  }

  get body(): PreparedBody | undefined {
    return this.#analyse().body;
  }

  get problem(): SourceProblem | undefined {
    return this.#analyse().problem;
  }

  get empty(): boolean {
    this.#empty ??= isEmptySql(this.sql);
    return this.#empty;
  }

  #analyse(): Execution {
    this.#execution ??= executionOf(this.sql, this.directives);
    return this.#execution;
  }
}

class MigrationSourceFile extends SourceFile implements LoadedMigration {
  readonly name: MigrationName;

  constructor(text: FileText, name: MigrationName) {
    super(text);
    this.name = name;
  }
}

/**
 * Reads one SQL file and checks what every file must pass (UTF-8, directives); directive problems
 * are returned, not thrown. Synchronous: for many small files one read each is far cheaper than
 * a promise each (open, stat, read and close through the thread pool).
 */
function readFileText(config: ResolvedConfig, file: string, shown = displayPath(config, file)): { text: FileText; directiveProblems: string[] } {
  const bytes = readFileSync(file);
  const sql = decodeMigration(bytes);
  // What runs must be exactly the bytes that were checksummed: no replacement characters.
  if (sql === undefined) throw usageError(`${shown} is not valid UTF-8 text`, NOT_UTF8_HINT);
  const bad = textProblem(sql);
  if (bad) throw usageError(formatSourceProblem(shown, bad), bad.hint);
  const { directives, problems } = parseDirectives(sql);
  return {
    text: { path: file, displayPath: shown, sql, checksum: checksum(bytes), directives },
    directiveProblems: problems.map((p) => `${shown}:${p.line}: ${p.message}`),
  };
}

export const DUPLICATE_HINT = 'Renumber the one that is not applied anywhere yet above the highest version (`git mv` it to the next free number); never renumber an applied migration.';

function kindOf(e: Dirent): string {
  if (e.isSymbolicLink()) return 'a symbolic link';
  if (e.isDirectory()) return 'a directory';
  if (e.isFIFO()) return 'a named pipe (FIFO)';
  if (e.isSocket()) return 'a socket';
  return 'a device';
}

/** Reads and analyses one SQL file; directive problems are returned, not thrown. */
export async function readSqlSource(config: ResolvedConfig, file: string): Promise<{ source: SqlSource; directiveProblems: string[] }> {
  const { text, directiveProblems } = readFileText(config, file);
  return { source: new SourceFile(text), directiveProblems };
}

function problemsError(problems: readonly string[], hint?: string): ArchonError {
  const [first, ...rest] = problems;
  return usageError(rest.length === 0 ? first! : `${first}\n${rest.map((p) => `  ${p}`).join('\n')}`, hint);
}

/**
 * Every migration file, in version order, read and checked. Throws a usage error (exit 2) listing
 * every invalid name, duplicate version and bad directive. Transaction-control problems stay on
 * each file (`problem`): only files that are about to run are refused for them.
 */
export async function loadMigrations(config: ResolvedConfig): Promise<LoadedMigration[]> {
  let dirents;
  try {
    dirents = await readdir(config.migrationsDir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw usageError(`migrations folder ${displayPath(config, config.migrationsDir)} does not exist`,
        'Create it (`archon-migrate create <name>` or `archon-migrate init`), or set `migrationsDir` in the config.');
    }
    if (code === 'ENOTDIR') {
      throw usageError(`migrations folder ${displayPath(config, config.migrationsDir)} is not a directory`, 'Set `migrationsDir` in the config to the folder that holds the migrations.');
    }
    throw error;
  }
  // A migration is a regular file: a symbolic link's content can change without the migration
  // changing in git, and a directory, FIFO or socket named like a migration is a mistake; all
  // are reported, whatever the case of `.sql`.
  const entries = dirents.filter((e) => e.isFile()).map((e) => e.name);
  const notFiles = dirents.filter((e) => !e.isFile() && isSqlName(e.name))
    .map((e) => `${displayPath(config, path.join(config.migrationsDir, e.name))}: ${kindOf(e)}, not a migration file; a migration must be a regular file (its content is what gets sealed)`);
  const { migrations, problems } = orderMigrations(entries);
  const messages = [
    ...notFiles,
    ...problems.map((p) => `${displayPath(config, path.join(config.migrationsDir, p.file))}: ${p.message.replace(/^[^:]*: /, '')}`),
  ];
  if (messages.length > 0) {
    const hints = [
      ...(notFiles.length > 0 || problems.some((p) => p.kind === 'invalid-name') ? [`Migration files must be named ${MIGRATION_FILE_PATTERN}; rename or move the others out of the folder.`] : []),
      ...(problems.some((p) => p.kind === 'duplicate-version') ? [DUPLICATE_HINT] : []),
    ];
    throw problemsError(messages, hints.join('\n'));
  }
  const loaded: LoadedMigration[] = [];
  const directiveProblems: string[] = [];
  const folder = path.relative(config.root, config.migrationsDir).split(path.sep).join('/');
  for (const name of migrations) {
    const shown = folder === '' ? name.file : `${folder}/${name.file}`; // = displayPath(config, file), computed once per folder
    const { text, directiveProblems: found } = readFileText(config, path.join(config.migrationsDir, name.file), shown);
    if (found.length > 0) directiveProblems.push(...found);
    loaded.push(new MigrationSourceFile(text, name));
  }
  if (directiveProblems.length > 0) throw problemsError(directiveProblems, 'Fix the directive comment at the top of the file.');
  return loaded;
}

/**
 * Throws (exit 2) when a file among `files` cannot run: it is empty (only whitespace and
 * comments — sealed, it could never be filled in), or its transaction control would break
 * all-or-nothing.
 */
export function assertRunnable(files: readonly SqlSource[]): void {
  const empty = files.filter((f) => f.empty);
  if (empty.length > 0) {
    throw problemsError(empty.map((f) => `${f.displayPath} is empty (only whitespace and comments); nothing was run`), EMPTY_HINT);
  }
  const problems = files.filter((f) => f.problem).map((f) => ({ f, p: f.problem! }));
  if (problems.length === 0) return;
  throw problemsError(
    problems.map(({ f, p }) => formatSourceProblem(f.displayPath, p)),
    problems[0]!.p.hint,
  );
}

/** The lockfile's seals; a missing lockfile means no seals. Throws the parse error (exit 2). */
export async function readSeals(config: ResolvedConfig): Promise<{ seals: Seal[]; exists: boolean; text: string | null }> {
  let text: string;
  try {
    text = await readFile(config.lockfile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { seals: [], exists: false, text: null };
    throw error;
  }
  return { seals: parseLockfile(text, displayPath(config, config.lockfile)), exists: true, text };
}

/** Path of the rollback file of `file` (same name in the rollbacks folder). */
export function rollbackPath(config: ResolvedConfig, file: string): string {
  return path.join(config.rollbacksDir, file);
}

/** The migration files and the lockfile's seals, read and validated. */
export interface ProjectFiles {
  migrations: LoadedMigration[];
  seals: Seal[];
  lockfileExists: boolean;
}

/**
 * Everything that can be checked without a database: file names and versions, directives and the
 * lockfile. The CLI calls it before opening a connection and hands the result to the runner
 * (`RunnerOptions.project`), so the files are read once; a runner function called without it
 * reads and checks them itself. Throws a usage error (exit 2).
 */
export async function validateProject(config: ResolvedConfig): Promise<ProjectFiles> {
  const migrations = await loadMigrations(config);
  const lock = await readSeals(config);
  return { migrations, seals: lock.seals, lockfileExists: lock.exists };
}
