/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per
 * package, so RESULTS.md can say where the client CPU goes instead of guessing.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: { name: string; where: string; selfMs: number }[];
  packages: { name: string; selfMs: number }[];
}

/** `file:///…/node_modules/pg/lib/client.js` → `node_modules/pg/lib/client.js`; never an absolute path. */
export function shortLocation(url: string, root: string): string {
  if (url === '') return '(native)';
  let p = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = p.lastIndexOf('/node_modules/');
  if (nm >= 0) return p.slice(nm + 1);
  if (p.startsWith(root + '/')) p = p.slice(root.length + 1);
  else if (p.startsWith('/')) p = p.split('/').slice(-2).join('/');
  return p;
}

export function packageOf(location: string): string {
  if (location.startsWith('node:')) return 'node core';
  if (location === '(native)') return '(native / GC / idle)';
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (m) return m[1]!;
  if (location.startsWith('dist/')) return 'archon-migrate (dist)';
  return location;
}

export function summariseProfile(file: string, root: string, top = 10): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, { name: string; where: string; selfMs: number }>();
  const packages = new Map<string, number>();
  let totalMs = 0;
  for (const [id, micros] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const ms = micros / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue; // waiting on the server, not CPU
    totalMs += ms;
    const where = shortLocation(url, root) + (url ? `:${lineNumber + 1}` : '');
    const name = functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += ms;
    functions.set(key, entry);
    const pkg = packageOf(shortLocation(url, root));
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
  }
  return {
    totalMs,
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
    packages: [...packages.entries()].map(([name, selfMs]) => ({ name, selfMs })).sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
  };
}

export function renderProfile(summary: ProfileSummary, caption: string): string[] {
  const pct = (ms: number): string => `${((ms / summary.totalMs) * 100).toFixed(0)} %`;
  return [
    `${caption} Sampled time of the main thread: ${summary.totalMs.toFixed(0)} ms, idle time waiting on the server excluded (the profiler's sampling inflates it; the shares are what matter).`,
    '',
    '| package | self time | share |',
    '| --- | ---: | ---: |',
    ...summary.packages.map((p) => `| ${p.name} | ${p.selfMs.toFixed(0)} ms | ${pct(p.selfMs)} |`),
    '',
    '| function | location | self time | share |',
    '| --- | --- | ---: | ---: |',
    ...summary.functions.map((f) => `| \`${f.name}\` | ${f.where} | ${f.selfMs.toFixed(0)} ms | ${pct(f.selfMs)} |`),
  ];
}
