/**
 * `archon-migrate import --from TOOL --json` (also with `--dry-run`): same conventions as the
 * other documents (`"archonMigrate": 1`, paths relative to the project root).
 *
 * ```json
 * {
 *   "archonMigrate": 1, "command": "import", "ok": true, "dryRun": false,
 *   "from": "golang-migrate", "dir": "db/migrations", "database": "PostgreSQL at …",
 *   "history": { "table": "\"schema_migrations\"", "found": true, "applied": 2 },
 *   "migrations": [
 *     { "file": "001_create_users.sql", "from": ["001_create_users.up.sql", "001_create_users.down.sql"],
 *       "checksum": "sha256:…", "write": "write", "rollback": "write", "applied": true,
 *       "ledger": "record", "seal": "add", "notes": [] }
 *   ],
 *   "ignored": [{ "path": "README.md", "reason": "…" }],
 *   "written": ["001_create_users.sql"], "recorded": ["001_create_users"], "sealed": ["001_create_users.sql"],
 *   "removed": [], "warnings": [], "problems": [], "error": null
 * }
 * ```
 */
import type { ErrorJson } from '../json.js';
import type { ImportResult } from './import-migrations.js';

export interface ImportJson {
  archonMigrate: 1;
  command: 'import';
  ok: boolean;
  dryRun: boolean;
  from: string;
  dir: string;
  database: string | null;
  history: ImportResult['history'];
  migrations: {
    file: string; from: string[]; checksum: string; write: 'write' | 'same'; rollback: 'write' | 'same' | 'none';
    applied: boolean; ledger: 'record' | 'recorded' | 'pending'; seal: 'add' | 'sealed' | 'none'; notes: string[];
  }[];
  ignored: { path: string; reason: string }[];
  written: string[];
  recorded: string[];
  sealed: string[];
  removed: string[];
  warnings: string[];
  problems: string[];
  error: ErrorJson | null;
}

export function importJson(r: ImportResult): ImportJson {
  return {
    archonMigrate: 1,
    command: 'import',
    ok: r.ok,
    dryRun: r.dryRun,
    from: r.tool,
    dir: r.dir,
    database: r.database,
    history: r.history,
    migrations: r.plan.migrations.map((p) => ({
      file: p.migration.file, from: p.migration.sources, checksum: p.migration.checksum, write: p.file, rollback: p.rollback,
      applied: p.applied, ledger: p.ledger, seal: p.seal, notes: p.migration.notes,
    })),
    ignored: r.ignored,
    written: r.written,
    recorded: r.recorded,
    sealed: r.sealed,
    removed: r.removed,
    warnings: r.plan.warnings,
    problems: r.plan.problems,
    error: r.error ? { message: r.error.message, hint: r.error.hint ?? null } : null,
  };
}
