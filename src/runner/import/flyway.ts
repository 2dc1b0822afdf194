/** `import --from flyway`: `V<version>__<description>.sql` (and `U…`), `flyway_schema_history`. */
import { convertFlyway, flywayHistory } from '../../core/import/flyway.js';
import { toDate } from './history-table.js';
import type { ImportSource } from './import-source.js';

export const flywaySource: ImportSource = {
  tool: 'flyway',
  label: 'Flyway',
  defaultDir: 'sql',
  defaultTable: 'flyway_schema_history',
  recursive: true,
  convert: convertFlyway,
  columns: ['installed_rank', 'version', 'type', 'script', 'success'],
  async history(db, table, conversion) {
    const rows = await db.query<{ installed_rank: number; version: string | null; type: string; script: string; success: boolean; installed_on?: unknown }>(
      `SELECT * FROM ${table.sql} ORDER BY installed_rank`,
    );
    return flywayHistory(
      rows.map((r) => ({ rank: Number(r.installed_rank), version: r.version, type: r.type, script: r.script, success: r.success, installedOn: toDate(r.installed_on) })),
      conversion.migrations.map((m) => m.ref),
    );
  },
  // Only a one-part version maps to ours without the folder (dotted ones depend on it).
  refVersion: (ref) => (/^[0-9]+$/.test(ref) ? ref : undefined),
};
