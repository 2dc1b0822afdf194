/**
 * The `--json` output of `status`, `up` and `down`: a stable, documented contract. Every document
 * carries `"archonMigrate": 1`, the version of this format; fields are only ever added within a
 * version. Times are ISO 8601 strings in UTC, durations integer milliseconds, checksums
 * `sha256:<hex>`, file paths relative to the project root with `/` separators.
 */
import type { Blocker, MigrationState, SealState, StatusSummary } from '../core/plan.js';
import type { DownResult } from './down.js';
import type { MigrationFailure } from './failure.js';
import type { StatusResult } from './status.js';
import type { UpResult } from './up.js';

export const JSON_FORMAT_VERSION = 1;

/** An error as printed: `message` (one or more lines) and the fix. */
export interface ErrorJson {
  message: string;
  hint: string | null;
}

/**
 * `archon-migrate status --json`
 *
 * ```json
 * {
 *   "archonMigrate": 1,
 *   "command": "status",
 *   "database": "PostgreSQL at db.example.com:5432/app as deploy",
 *   "ledger": { "table": "\"archon_migrations\"", "exists": true, "missingColumns": [] },
 *   "lockfile": { "path": "migrations/archon-migrate.lock", "exists": true },
 *   "migrations": [
 *     { "migration": "001_create_sources", "file": "001_create_sources.sql", "version": "001",
 *       "state": "applied", "seal": "sealed", "checksum": "sha256:…", "recordedChecksum": "sha256:…",
 *       "sealedChecksum": "sha256:…", "appliedAt": "2025-01-02T03:04:05.000Z", "executionMs": 12,
 *       "appliedBy": "ci-runner 4242", "transaction": true, "unverified": false }
 *   ],
 *   "summary": { "total": 1, "applied": 1, "pending": 0, "modified": 0, "missingFile": 0, "failed": 0,
 *                "running": 0, "unsealed": 0, "sealMismatch": 0, "unverified": 0 },
 *   "warnings": [],
 *   "refusals": []
 * }
 * ```
 * `refusals`: why `up` would refuse to run now (`{ message, hint }` each); exit code 1 when any.
 * `state`: applied | pending | modified (file checksum ≠ recorded) | missing-file | failed | running.
 * `seal`: sealed | unsealed | mismatch (lockfile checksum ≠ file) | no-file.
 * `unverified`: applied, but the ledger row (adopted from Archon) has no checksum yet; the next
 * `up` or `repair` fills it. `file`, `checksum` and `transaction` are null when the file is
 * missing; `recordedChecksum`, `appliedAt`, `executionMs`, `appliedBy` are null when not in the ledger.
 */
export interface StatusJson {
  archonMigrate: 1;
  command: 'status';
  database: string;
  ledger: { table: string; exists: boolean; missingColumns: string[] };
  lockfile: { path: string; exists: boolean };
  migrations: StatusMigrationJson[];
  summary: StatusSummary;
  warnings: string[];
  /** why `up` would refuse to run now, each with its fix; status exits 1 when this is not empty */
  refusals: { message: string; hint: string }[];
}

export interface StatusMigrationJson {
  migration: string;
  file: string | null;
  version: string;
  state: MigrationState;
  seal: SealState;
  checksum: string | null;
  recordedChecksum: string | null;
  sealedChecksum: string | null;
  appliedAt: string | null;
  executionMs: number | null;
  appliedBy: string | null;
  transaction: boolean | null;
  /** no transaction because every statement of the file must run outside one (no directive) */
  detectedNoTransaction: boolean;
  unverified: boolean;
  /** failed: a no-transaction migration whose runner is gone while its row said running */
  runnerGone: boolean;
}

/**
 * `archon-migrate up --json` (also with `--dry-run`)
 *
 * ```json
 * {
 *   "archonMigrate": 1,
 *   "command": "up",
 *   "ok": true,
 *   "dryRun": false,
 *   "database": "embedded PostgreSQL (PGlite) in .archon/pglite",
 *   "ledger": { "table": "\"archon_migrations\"", "exists": true, "created": true, "adopted": false,
 *               "changes": ["created table \"archon_migrations\""] },
 *   "applied": [ { "migration": "001_create_sources", "file": "migrations/001_create_sources.sql",
 *                  "checksum": "sha256:…", "transaction": true, "durationMs": 8 } ],
 *   "skipped": [],
 *   "pending": [],
 *   "checksumsFilled": [],
 *   "sealed": ["001_create_sources.sql"],
 *   "warnings": [],
 *   "blockers": [],
 *   "failure": null,
 *   "error": null
 * }
 * ```
 * - `ok` false ⇔ exit code 1: `error` says why; `blockers` lists every refusal reason when up
 *   refused before applying anything (kinds: drift, failed, running, out-of-order,
 *   version-taken, seal-mismatch, unsealed — each with `migration`, `message` and kind-specific
 *   fields such as `recorded`/`current` checksums); `failure` locates a failed migration
 *   (`file`, `line`, `column`, PostgreSQL's `message`, `code`, `detail`, `hint`, `where`,
 *   `transaction`, `recordedAsFailed`, `connectionLost`).
 * - `pending`: with `--dry-run`, the migrations that would run, each with its `sql`; otherwise
 *   what is still pending (after `--to`, a refusal or a failure). Each has `migration`, `file`,
 *   `version`, `checksum`, `transaction` and `ownTransactionControl` ({beginLine, commitLine}
 *   when the file's own BEGIN/COMMIT run inside archon-migrate's transaction, else null).
 * - `ledger.changes`: what this run did to the ledger table (created, adopted: columns added); with
 *   `--dry-run`, what up would do ("would create table …"), with nothing done.
 * - `skipped`: applied meanwhile by another runner (`appliedBy`).
 * - `sealed`: lockfile lines added by this run (never with `--frozen` or `--dry-run`).
 * Bad input (invalid names, unparseable lockfile, bad directives) exits 2 with no JSON document.
 */
export interface UpJson {
  archonMigrate: 1;
  command: 'up';
  ok: boolean;
  dryRun: boolean;
  database: string;
  ledger: UpResult['ledger'];
  applied: UpResult['applied'];
  skipped: UpResult['skipped'];
  pending: UpResult['pending'];
  checksumsFilled: UpResult['checksumsFilled'];
  sealed: string[];
  warnings: string[];
  blockers: Blocker[];
  failure: MigrationFailure | null;
  error: ErrorJson | null;
}

/**
 * `archon-migrate down --json` (also with `--dry-run`)
 *
 * ```json
 * {
 *   "archonMigrate": 1,
 *   "command": "down",
 *   "ok": true,
 *   "dryRun": false,
 *   "database": "…",
 *   "planned": [ { "migration": "010_add_task_search", "file": "migrations/rollbacks/010_add_task_search.sql",
 *                  "checksum": "sha256:…", "transaction": true } ],
 *   "rolledBack": [ { "migration": "010_add_task_search", "file": "migrations/rollbacks/010_add_task_search.sql",
 *                     "durationMs": 5, "seal": "kept" } ],
 *   "warnings": [],
 *   "failure": null,
 *   "error": null
 * }
 * ```
 * `planned` is newest first and carries `sql` with `--dry-run`. `seal`: removed (never
 * committed), kept (committed in HEAD, or HEAD unreadable), none (was not sealed).
 */
export interface DownJson {
  archonMigrate: 1;
  command: 'down';
  ok: boolean;
  dryRun: boolean;
  database: string;
  planned: DownResult['planned'];
  rolledBack: DownResult['rolledBack'];
  warnings: string[];
  failure: MigrationFailure | null;
  error: ErrorJson | null;
}

function errorJson(error: { message: string; hint?: string } | null): ErrorJson | null {
  return error === null ? null : { message: error.message, hint: error.hint ?? null };
}

export function statusJson(r: StatusResult): StatusJson {
  return {
    archonMigrate: 1,
    command: 'status',
    database: r.database,
    ledger: r.ledger,
    lockfile: r.lockfile,
    migrations: r.rows.map((row) => ({
      migration: row.migration,
      file: row.file,
      version: row.version,
      state: row.state,
      seal: row.seal,
      checksum: row.checksum,
      recordedChecksum: row.recordedChecksum,
      sealedChecksum: row.sealedChecksum,
      appliedAt: row.appliedAt,
      executionMs: row.executionMs,
      appliedBy: row.appliedBy,
      transaction: row.transaction,
      detectedNoTransaction: row.detectedNoTransaction,
      unverified: row.unverified,
      runnerGone: row.runnerGone,
    })),
    summary: r.summary,
    warnings: r.warnings,
    refusals: r.refusals,
  };
}

export function upJson(r: UpResult): UpJson {
  return {
    archonMigrate: 1,
    command: 'up',
    ok: r.ok,
    dryRun: r.dryRun,
    database: r.database,
    ledger: r.ledger,
    applied: r.applied,
    skipped: r.skipped,
    pending: r.pending,
    checksumsFilled: r.checksumsFilled,
    sealed: r.sealed,
    warnings: r.warnings,
    blockers: r.blockers,
    failure: r.failure,
    error: errorJson(r.error),
  };
}

export function downJson(r: DownResult): DownJson {
  return {
    archonMigrate: 1,
    command: 'down',
    ok: r.ok,
    dryRun: r.dryRun,
    database: r.database,
    planned: r.planned,
    rolledBack: r.rolledBack,
    warnings: r.warnings,
    failure: r.failure,
    error: errorJson(r.error),
  };
}
