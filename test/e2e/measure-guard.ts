/**
 * How much time the guard adds to a commit, in a project with 1,000 sealed migrations, next to
 * lint-staged's own no-op time, measured in the same run (round-robin, so load affects all alike).
 *
 *   node node_modules/jiti/lib/jiti-cli.mjs test/e2e/measure-guard.ts [rounds]
 *
 * Each commit adds one new migration (so the guard does its full work: change list, index
 * listing, both lockfiles and the new file through cat-file). Variants of .husky/pre-commit:
 *   none      — `git commit --no-verify` (baseline)
 *   guard     — `archon-migrate guard`
 *   lint      — `lint-staged` (nothing matches: its no-op cost)
 *   both      — what init writes with a lint-staged config: guard, then `npx --no -- lint-staged`
 */
import { performance } from 'node:perf_hooks';
import { newProject } from './project.js';

const rounds = Number(process.argv[2] ?? 11);
const p = newProject({ packageJson: (pkg) => { pkg['lint-staged'] = { '*.js': 'node --check' }; } });
try {
  for (let i = 1; i <= 1000; i++) p.write(`migrations/${String(i).padStart(4, '0')}_m${i}.sql`, `CREATE TABLE t${i} (id bigint PRIMARY KEY, v text);\n`);
  if (p.cli(['lock']).code !== 0) throw new Error('lock failed');
  p.git('add', '-A');
  p.git('commit', '-q', '--no-verify', '-m', '1000 sealed migrations');

  const variants: Record<string, string | undefined> = {
    none: undefined,
    guard: 'archon-migrate guard\n',
    lint: 'lint-staged\n',
    both: 'archon-migrate guard\nnpx --no -- lint-staged\n',
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  let n = 1000;
  for (let r = 0; r < rounds; r++) {
    for (const [name, hook] of Object.entries(variants)) {
      if (hook !== undefined) p.write('.husky/pre-commit', hook);
      n++;
      p.write(`migrations/${n}_m${n}.sql`, `CREATE TABLE t${n} (id bigint);\n`);
      p.git('add', `migrations/${n}_m${n}.sql`);
      const start = performance.now();
      const result = hook === undefined ? p.commit(`m${n}`, '--no-verify') : p.commit(`m${n}`);
      const ms = performance.now() - start;
      if (result.code !== 0) throw new Error(`${name} commit failed: ${result.stderr}`);
      if (r > 0) times[name]!.push(ms); // round 0 warms caches
    }
  }
  const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
  const base = median(times.none!);
  console.log(`commits with 1,000 sealed migrations, median of ${rounds - 1} each (ms):`);
  for (const name of Object.keys(variants)) {
    const m = median(times[name]!);
    console.log(`  ${name.padEnd(6)} ${m.toFixed(0).padStart(6)}  added ${name === 'none' ? '     -' : (m - base).toFixed(0).padStart(6)}`);
  }
} finally {
  p.remove();
}
