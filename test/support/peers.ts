// Peer tools for the import tests. node-pg-migrate and postgres-migrations are devDependencies;
// dbmate's npm package ships a Go binary per platform, so it lives in test/peers (its own
// install, on first use: the binary then works offline) to keep the project's lockfile valid for
// `npm ci` on every platform.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PEERS = join(REPO, 'test', 'peers');

export function dbmateBinary(): string {
  const binary = join(PEERS, 'node_modules', '@dbmate', `linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`, 'bin', 'dbmate');
  if (!existsSync(binary)) {
    execFileSync('npm', ['install', '--prefix', PEERS, '--no-package-lock', '--no-audit', '--no-fund', '--silent'], { stdio: 'inherit' });
  }
  if (!existsSync(binary)) throw new Error(`dbmate binary not found at ${binary} after installing test/peers`);
  return binary;
}

export function nodePgMigrateBin(): string {
  return join(REPO, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
}
