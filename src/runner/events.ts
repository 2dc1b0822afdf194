/**
 * Progress events. The runner never prints: it calls `onEvent` and the CLI renders one line per
 * event (on a TTY or in CI alike). Events are informational; results carry the outcome.
 */
export type RunnerEvent =
  /** the ledger table was created, or an existing (Archon) table was adopted: `changes` lists the ALTERs */
  | { type: 'ledger'; table: string; created: boolean; adopted: boolean; changes: string[] }
  /** a migration is about to run */
  | { type: 'migration-start'; migration: string; file: string; transaction: boolean }
  /** a migration (and its ledger row) committed */
  | { type: 'migration-applied'; migration: string; file: string; transaction: boolean; durationMs: number }
  /** another runner applied it first */
  | { type: 'migration-skipped'; migration: string; file: string; reason: string }
  | { type: 'migration-failed'; migration: string; file: string; durationMs: number; message: string }
  /** the file's own leading BEGIN and trailing COMMIT were left out: the body runs in archon-migrate's transaction */
  | { type: 'transaction-control-stripped'; migration: string; file: string; beginLine: number; commitLine: number }
  /** waiting for another runner (a 'running' row of a no-transaction migration) */
  | { type: 'waiting'; migration: string; holder: string | null; since: string | null }
  /** an adopted row's missing checksum was filled with the file's */
  | { type: 'checksum-filled'; migration: string; checksum: string }
  | { type: 'sealed'; file: string; lockfile: string }
  | { type: 'unsealed'; file: string; lockfile: string }
  /** down kept a seal because it is committed (in HEAD's lockfile) or HEAD could not be read */
  | { type: 'seal-kept'; file: string; lockfile: string; reason: string }
  | { type: 'rollback-start'; migration: string; file: string; transaction: boolean }
  | { type: 'rolled-back'; migration: string; file: string; durationMs: number }
  | { type: 'warning'; message: string };

export type EventSink = (event: RunnerEvent) => void;
