import { defineConfig } from 'archon-migrate';

// This repository is its own first user: `npm run db:migrate` applies migrations/ to the
// embedded PGlite database (.archon/pglite) unless DATABASE_URL points at a server.
export default defineConfig({
  migrationsDir: 'migrations',
  rollbacksDir: 'migrations/rollbacks',
  lockfile: 'migrations/archon-migrate.lock',
  table: 'archon_migrations',
  baseBranch: 'main',
  lockTimeout: '5s',
  environments: {
    // CI runs against a throwaway server; fail fast on locks there.
    ci: { lockTimeout: '2s', statementTimeout: '60s' },
  },
});
