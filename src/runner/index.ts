/**
 * The runner: `status`, `up`, `down`, `baseline` and `repair` over core + db. Each takes the
 * resolved configuration and an open database, returns a result object and reports progress
 * through `onEvent`; none prints, reads the environment or calls git.
 */
export { status, type StatusResult } from './status.js';
export { up, type UpOptions, type UpResult, type PendingMigration, type AppliedMigration, type SkippedMigration, type LedgerInfo } from './up.js';
export { down, type DownOptions, type DownResult, type PlannedRollback, type RolledBackMigration } from './down.js';
export { baseline, BASELINE_APPLIED_BY, type BaselineOptions, type BaselineResult } from './baseline.js';
export { repair, describeRepair, type RepairOptions, type RepairResult, type RepairedMigration } from './repair.js';
export { DEFAULT_WAIT_TIMEOUT_MS, defaultAppliedBy, type RunnerOptions } from './context.js';
export { describeFailure, failureHint, type MigrationFailure } from './failure.js';
export type { RunnerEvent, EventSink } from './events.js';
export { statusJson, upJson, downJson, JSON_FORMAT_VERSION, type StatusJson, type StatusMigrationJson, type UpJson, type DownJson, type ErrorJson } from './json.js';
export { validateProject } from './migration-files.js';
