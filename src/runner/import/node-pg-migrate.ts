/** `import --from node-pg-migrate`: its `.sql` migrations, `pgmigrations(id, name, run_on)`. */
import { convertNodePgMigrate, nodePgMigrateHistory } from '../../core/import/node-pg-migrate.js';
import { toDate } from './history-table.js';
import type { ImportSource } from './import-source.js';

export const nodePgMigrateSource: ImportSource = {
  tool: 'node-pg-migrate',
  label: 'node-pg-migrate',
  defaultDir: 'migrations',
  defaultTable: 'pgmigrations',
  recursive: false,
  convert: convertNodePgMigrate,
  columns: ['name', 'run_on'],
  async history(db, table, conversion) {
    const rows = await db.query<{ name: string; run_on: unknown }>(`SELECT name, run_on FROM ${table.sql} ORDER BY run_on, name`);
    return nodePgMigrateHistory(rows.map((r) => ({ name: r.name, runOn: toDate(r.run_on) })), new Set(conversion.migrations.map((m) => m.ref)));
  },
  refVersion: (ref) => /^[0-9]+/.exec(ref)?.[0],
};
