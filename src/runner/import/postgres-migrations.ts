/** `import --from postgres-migrations`: `<id>_<name>.sql`, `migrations(id, name, hash, executed_at)`. */
import { convertPostgresMigrations, postgresMigrationsHistory } from '../../core/import/postgres-migrations.js';
import { toDate } from './history-table.js';
import type { ImportSource } from './import-source.js';

export const postgresMigrationsSource: ImportSource = {
  tool: 'postgres-migrations',
  label: 'postgres-migrations',
  defaultDir: 'migrations',
  defaultTable: 'migrations',
  recursive: false,
  convert: convertPostgresMigrations,
  columns: ['id', 'name', 'hash'],
  async history(db, table, conversion, files) {
    const rows = await db.query<{ id: string; hash: string; executed_at?: unknown }>(`SELECT * FROM ${table.sql} ORDER BY id`);
    const byRef = new Map(conversion.migrations.map((m) => [m.ref, files.find((f) => f.path === m.sources[0])!]));
    return postgresMigrationsHistory(rows.map((r) => ({ id: String(r.id), hash: r.hash, executedAt: toDate(r.executed_at) })), byRef);
  },
  refVersion: (ref) => ref,
};
