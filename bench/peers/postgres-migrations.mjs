/* global process, console, URL */
// postgres-migrations 5 has no CLI: its users call `migrate(dbConfig, dir)` from a script.
// This is that script: `node postgres-migrations.mjs <migrations dir> <postgres url>`.
import { migrate } from 'postgres-migrations';

const [dir, url] = process.argv.slice(2);
if (!dir || !url) {
  console.error('usage: postgres-migrations.mjs <migrations dir> <postgres url>');
  process.exit(2);
}
const u = new URL(url);
const applied = await migrate(
  {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  },
  dir,
);
console.log(`applied ${applied.length} migrations`);
