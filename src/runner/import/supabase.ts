/** `import --from supabase`: `supabase/migrations`, `supabase_migrations.schema_migrations`. */
import { convertSupabase, supabaseHistory } from '../../core/import/supabase.js';
import type { ImportSource } from './import-source.js';

export const supabaseSource: ImportSource = {
  tool: 'supabase',
  label: 'the Supabase CLI',
  defaultDir: 'supabase/migrations',
  defaultTable: 'supabase_migrations.schema_migrations',
  recursive: false,
  convert: convertSupabase,
  columns: ['version'],
  async history(db, table, conversion) {
    const rows = await db.query<{ version: string }>(`SELECT version::text AS version FROM ${table.sql} ORDER BY version`);
    return supabaseHistory(rows, new Set(conversion.migrations.map((m) => m.ref)));
  },
  refVersion: (ref) => (/^[0-9]+$/.test(ref) ? ref : undefined),
};
