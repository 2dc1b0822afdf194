/**
 * Every bad input of the catalogue (cases.ts), against the real PostgreSQL server of the test
 * run. Each case asserts the exit code, a message naming the problem, no stack trace without
 * --verbose, and that nothing was written: the project folder (every path and its bytes) and the
 * database (every table of every non-system schema, and the rows of any ledger) are the same
 * before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pgPasswordUrl, pgUrl, withClient } from '../support/databases.js';
import { cases, type BadInputCase, type CaseContext } from './cases.js';
import { baseEnv, closedPort, runBinary, runInProcess, snapshotDb, snapshotDir, stackLines, tempProject, type Project } from './harness.js';

let port: number;
const projects: Project[] = [];

beforeAll(async () => {
  port = await closedPort();
});

afterAll(async () => {
  await Promise.all(projects.map((p) => p.cleanup()));
});

async function setUp(c: BadInputCase): Promise<CaseContext> {
  const project = await tempProject();
  projects.push(project);
  for (const [file, content] of Object.entries(c.files ?? {})) await project.write(file, content);
  const database = await createTestDatabase();
  const url = pgUrl(database);
  const ctx: CaseContext = {
    dir: project.dir,
    url,
    database,
    passwordUrl: (password) => pgPasswordUrl(database, password),
    closedPort: port,
    async cli(argv) {
      const r = await runInProcess(argv, project.dir, baseEnv({ DATABASE_URL: url }));
      if (r.code !== 0) throw new Error(`preparing ${c.id}: archon-migrate ${argv.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
    },
    async sql(text) {
      await withClient(url, (client) => client.query(text));
    },
  };
  await c.prepare?.(ctx);
  return ctx;
}

describe('the catalogue', () => {
  it('holds at least 40 distinct bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });
});

describe.concurrent('bad inputs are refused, named, and change nothing', () => {
  for (const c of cases) {
    const test = c.knownBug === undefined ? it : it.fails;
    const title = `${c.category}: ${c.id} → exit ${c.exit}${c.knownBug === undefined ? '' : ` [known bug: ${c.knownBug}]`}`;
    test(title, async () => {
      const ctx = await setUp(c);
      const env = baseEnv(c.env ? c.env(ctx) : { DATABASE_URL: ctx.url });
      const argv = c.argv(ctx);
      const filesBefore = await snapshotDir(ctx.dir);
      const dbBefore = await snapshotDb(ctx.url);

      const run = c.binary ? await runBinary(argv, ctx.dir, env) : await runInProcess(argv, ctx.dir, env);
      const output = run.stdout + run.stderr;
      const shown = `archon-migrate ${argv.join(' ')}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;

      expect(run.code, shown).toBe(c.exit);
      for (const fragment of c.says) {
        if (typeof fragment === 'string') expect(output, shown).toContain(fragment);
        else expect(output, shown).toMatch(fragment);
      }
      // guard and verify refuse with their review report (one ✗ line per problem, each with its fix).
      const refusal = (argv[0] === 'guard' || argv[0] === 'verify') && c.exit === 1 ? /^\s*✗ .+\n\s+fix: /m : /^error: /m;
      expect(argv[0] === 'verify' ? output : run.stderr, shown).toMatch(refusal);
      expect(stackLines(output), shown).toEqual([]);
      expect(await snapshotDir(ctx.dir), `${c.id}: the project folder changed`).toEqual(filesBefore);
      expect(await snapshotDb(ctx.url), `${c.id}: the database changed`).toEqual(dbBefore);
      await c.check?.(ctx, run);
    }, 180_000);
  }
});
