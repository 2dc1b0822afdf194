/**
 * Supabase CLI (`supabase/migrations`): `<version>_<name>.sql`, where version is digits (a UTC
 * timestamp, `YYYYMMDDHHMMSS`) and name anything; other files are skipped by the CLI. No
 * rollbacks. History: `supabase_migrations.schema_migrations(version text primary key,
 * statements text[], name text)`, a row per applied version.
 */
import type { Conversion, HistoryVerdict, SourceFile } from './converted-migration.js';
import { emptyVerdict } from './converted-migration.js';
import { finishConversion, type Draft } from './finish-conversion.js';

const FILE = /^([0-9]+)_(.*)\.sql$/;

export function convertSupabase(files: readonly SourceFile[]): Conversion {
  const drafts: Draft[] = [];
  const ignored = [];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const m = FILE.exec(f.path);
    if (!m) {
      ignored.push({ path: f.path, reason: 'not named <timestamp>_<name>.sql: the Supabase CLI skips it' });
      continue;
    }
    drafts.push({ version: m[1]!, rawName: m[2]!, source: f.path, sources: [f.path], content: f.bytes, ref: m[1]!, notes: [] });
  }
  return finishConversion('the Supabase CLI', drafts, ignored, []);
}

export interface SupabaseRow {
  version: string;
}

export function supabaseHistory(rows: readonly SupabaseRow[], refs: ReadonlySet<string>): HistoryVerdict {
  const verdict = emptyVerdict();
  for (const row of rows) {
    if (refs.has(row.version)) verdict.applied.add(row.version);
    else verdict.unknown.push(row.version);
  }
  return verdict;
}
