/**
 * The other half of the table-name injection cases of cases.ts: a ledger name full of SQL
 * punctuation that is *valid* (double-quoted, `""` for a quote) is accepted and quoted safely —
 * the ledger gets exactly that name, and the SQL hidden in it never runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, withClient } from '../support/databases.js';
import { baseEnv, runInProcess, tempProject, type Project } from './harness.js';

const projects: Project[] = [];
afterAll(async () => {
  await Promise.all(projects.map((p) => p.cleanup()));
});

const names: { config: string; schema: string; table: string }[] = [
  { config: '"x""; DROP TABLE y; --"', schema: 'public', table: 'x"; DROP TABLE y; --' },
  { config: '"Ops.Schema"."Mig""rations; DELETE FROM y"', schema: 'Ops.Schema', table: 'Mig"rations; DELETE FROM y' },
  { config: "\"it's\".\"l'edger\"", schema: "it's", table: "l'edger" },
];

describe.concurrent('tricky but valid ledger names are quoted, never pasted', () => {
  for (const n of names) {
    it(n.config, async () => {
      const url = await freshPgDatabase();
      await withClient(url, (c) => c.query('CREATE TABLE y (id int); INSERT INTO y VALUES (1)'));
      const p = await tempProject();
      projects.push(p);
      await p.write('migrations/001_create_widgets.sql', 'CREATE TABLE widgets (id int);\n');
      await p.write('archon-migrate.config.json', JSON.stringify({ table: n.config }) + '\n');
      const env = baseEnv({ DATABASE_URL: url });

      const up = await runInProcess(['up'], p.dir, env);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      const status = await runInProcess(['status', '--json'], p.dir, env);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).summary).toMatchObject({ applied: 1, pending: 0 });

      await withClient(url, async (c) => {
        expect((await c.query('SELECT count(*)::int AS n FROM y')).rows).toEqual([{ n: 1 }]);
        const exists = await c.query('SELECT 1 FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relname = $2', [n.schema, n.table]);
        expect(exists.rowCount).toBe(1);
        const quoted = `"${n.schema.replace(/"/g, '""')}"."${n.table.replace(/"/g, '""')}"`;
        const ledger = await c.query(`SELECT migration_name FROM ${quoted}`);
        expect(ledger.rows).toEqual([{ migration_name: '001_create_widgets' }]);
      });
    }, 120_000);
  }
});
