// Child process for cross-process PGlite lock tests, run with jiti (see runPgliteChild).
//   <dataDir> <holdMs> <lockTimeoutMs>
// Opens the data dir, inserts one row into `visits`, prints `opened <pid> <waitedMs>`, holds the
// database for holdMs or until it receives SIGUSR2, closes it and prints `closed`. On failure prints `error: <message>` and
// `fix: <hint>` to stderr and exits 1.
import { openPglite } from '../../src/db/pglite.js';
import { ArchonError } from '../../src/core/errors.js';

const [dataDir = '', holdMs = '0', lockTimeoutMs = '30000'] = process.argv.slice(2);
const started = Date.now();
try {
  const db = await openPglite(dataDir, { lockTimeoutMs: Number(lockTimeoutMs) });
  const waited = Date.now() - started;
  await db.exec('CREATE TABLE IF NOT EXISTS visits (pid integer NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  await db.query('INSERT INTO visits (pid) VALUES ($1)', [process.pid]);
  process.stdout.write(`opened ${process.pid} ${waited}\n`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Number(holdMs));
    process.once('SIGUSR2', () => { clearTimeout(timer); resolve(); });
  });
  await db.close();
  process.stdout.write('closed\n');
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  if (error instanceof ArchonError && error.hint) process.stderr.write(`fix: ${error.hint}\n`);
  process.exitCode = error instanceof ArchonError ? error.exitCode : 1;
}
