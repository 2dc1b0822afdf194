/**
 * What every runner function takes: the resolved configuration, an open database, and an
 * optional progress callback. The runner never prints, never reads the environment and never
 * calls git.
 */
import { hostname } from 'node:os';
import { qualifiedTable } from '../core/sql-quote.js';
import type { ResolvedConfig } from '../config/load-config.js';
import type { Database } from '../db/database.js';
import type { ApplyContext } from './apply.js';
import { resolveLedgerTable } from '../db/session.js';
import type { EventSink } from './events.js';
import { displayPath, type ProjectFiles } from './migration-files.js';

export interface RunnerOptions {
  config: ResolvedConfig;
  db: Database;
  onEvent?: EventSink;
  /** recorded in the ledger's applied_by; default "<host name> <pid>" */
  appliedBy?: string;
  /**
   * How long to wait for another runner that holds the same migration (its uncommitted ledger
   * row, or a no-transaction migration's 'running' row). Default 60 s.
   */
  waitTimeoutMs?: number;
  /**
   * The files and seals `validateProject` already read and checked (the CLI validates before it
   * connects, then passes them on so nothing is read twice). Read by the runner when absent.
   */
  project?: ProjectFiles;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

export function defaultAppliedBy(): string {
  return `${hostname()} ${process.pid}`;
}

/**
 * What running migrations needs, once per run: the ledger with its schema resolved (before any
 * migration body can change the session's search_path). `restoreSql` is captured by the commands
 * that run migration bodies, just before the first one.
 */
export async function applyContext(options: RunnerOptions): Promise<ApplyContext> {
  const { config } = options;
  return {
    db: options.db,
    table: await resolveLedgerTable(options.db, config.table),
    appliedBy: options.appliedBy ?? defaultAppliedBy(),
    waitTimeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
    ...(config.lockTimeout ? { lockTimeout: config.lockTimeout } : {}),
    ...(config.statementTimeout ? { statementTimeout: config.statementTimeout } : {}),
    restoreSql: '',
    onEvent: options.onEvent ?? (() => {}),
  };
}

export function tableName(options: RunnerOptions): string {
  return qualifiedTable(options.config.table);
}

export function lockfileDisplay(options: RunnerOptions): string {
  return displayPath(options.config, options.config.lockfile);
}
