import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'src/index.ts' } },
  splitting: true,
  sourcemap: false,
  clean: true,
  // A dev dependency for tests, loaded only with ARCHON_MIGRATE_DRIVER=pg-mem: never bundle it.
  external: ['pg-mem'],
  // The CLI answers --version without reading package.json at run time.
  define: { __ARCHON_MIGRATE_VERSION__: JSON.stringify(version) },
});
