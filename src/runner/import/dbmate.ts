/** `import --from dbmate`: `db/migrations`, `schema_migrations(version varchar)`. */
import { convertDbmate, dbmateHistory } from '../../core/import/dbmate.js';
import { golangMigrateTableMessage } from './history-table.js';
import type { ImportSource } from './import-source.js';

export const dbmateSource: ImportSource = {
  tool: 'dbmate',
  label: 'dbmate',
  defaultDir: 'db/migrations',
  defaultTable: 'schema_migrations',
  recursive: false,
  convert: convertDbmate,
  columns: ['version'],
  async history(db, table, conversion) {
    const rows = await db.query<{ version: string }>(`SELECT version::text AS version FROM ${table.sql} ORDER BY version`);
    const verdict = dbmateHistory(rows, new Set(conversion.migrations.map((m) => m.ref)));
    // Both tools call their table schema_migrations: golang-migrate's must not pass for dbmate's.
    if (table.columns!.includes('dirty')) return { ...verdict, problems: [golangMigrateTableMessage(table.sql)] };
    return verdict;
  },
  refVersion: (ref) => ref,
};
