// vitest globalSetup: ONE throwaway PostgreSQL (fsync off) and ONE PgBouncer in transaction mode
// for the whole run. Test files reach them through `inject(...)` (see databases.ts). If the
// server cannot start (PostgreSQL not installed), unit tests still run: `pgUnavailable` says why
// and every function of databases.ts that needs the server fails with that reason.
import type { TestProject } from 'vitest/node';
import { startPgBouncer, startPgServer, type PgBouncer, type PgServer } from './pg-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth); '' when unavailable. */
    pgAdminUrl: string;
    /** PgBouncer URL with `{database}` in place of the database name; '' when unavailable. */
    pgBouncerUrlTemplate: string;
    pgBindir: string;
    pgPort: number;
    pgBouncerPort: number;
    /** Why there is no server, or ''. */
    pgUnavailable: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: PgServer | undefined;
  let bouncer: PgBouncer | undefined;
  let unavailable = '';
  try {
    server = await startPgServer({ fsync: false });
    bouncer = await startPgBouncer(server.port);
  } catch (error) {
    unavailable = error instanceof Error ? error.message : String(error);
  }
  project.provide('pgAdminUrl', server?.url('postgres') ?? '');
  project.provide('pgBouncerUrlTemplate', bouncer ? bouncer.url('{database}').replace(encodeURIComponent('{database}'), '{database}') : '');
  project.provide('pgBindir', server?.bindir ?? '');
  project.provide('pgPort', server?.port ?? 0);
  project.provide('pgBouncerPort', bouncer?.port ?? 0);
  project.provide('pgUnavailable', unavailable);
  if (server) process.stderr.write(`test PostgreSQL on port ${server.port} started in ${server.startMs} ms; PgBouncer on port ${bouncer?.port ?? '-'} in ${bouncer?.startMs ?? '-'} ms\n`);

  return async () => {
    await bouncer?.stop().catch(() => {});
    await server?.stop();
  };
}
