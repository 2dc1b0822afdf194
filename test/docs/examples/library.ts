import { loadConfig, openPg, up } from '../../../src/index.js';

/** Applies the committed migrations, as `archon-migrate up --frozen` does. */
export async function migrate(cwd: string): Promise<number> {
  const config = await loadConfig({ cwd, env: process.env });
  if (config.databaseUrl === undefined) throw new Error('set DATABASE_URL');
  const db = await openPg(config.databaseUrl);
  try {
    const result = await up({ config, db, frozen: true });
    if (!result.ok) throw result.error;
    return result.applied.length;
  } finally {
    await db.close();
  }
}
