/** `import --from golang-migrate`: `<version>_<title>.up.sql` / `.down.sql`, `schema_migrations(version, dirty)`. */
import { convertGolangMigrate, golangMigrateHistory } from '../../core/import/golang-migrate.js';
import type { ImportSource } from './import-source.js';

export const golangMigrateSource: ImportSource = {
  tool: 'golang-migrate',
  label: 'golang-migrate',
  defaultDir: 'migrations',
  defaultTable: 'schema_migrations',
  recursive: false,
  convert: convertGolangMigrate,
  columns: ['version', 'dirty'],
  async history(db, table, conversion) {
    const rows = await db.query<{ version: string; dirty: boolean }>(`SELECT version::text AS version, dirty FROM ${table.sql}`);
    return golangMigrateHistory(rows, conversion.migrations.map((m) => m.ref));
  },
  refVersion: (ref) => ref,
};
