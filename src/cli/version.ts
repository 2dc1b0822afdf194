/**
 * The package version. tsup replaces `__ARCHON_MIGRATE_VERSION__` at build time, so the built CLI
 * answers `--version` without reading a file; from source (tests) it falls back to package.json.
 */
import { readFileSync } from 'node:fs';

declare const __ARCHON_MIGRATE_VERSION__: string | undefined;

export function packageVersion(): string {
  if (typeof __ARCHON_MIGRATE_VERSION__ === 'string') return __ARCHON_MIGRATE_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
