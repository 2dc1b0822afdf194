/**
 * The targets archon-migrate is measured against, judged from one run's numbers. Each unmet
 * target gets an explanation built from the same numbers (which component costs what), never
 * a canned sentence.
 */
import type { ProfileSummary } from './cpu-profile.js';
import { median } from './measure.js';
import { medianCpu, medianWall, ratio, seconds, type Row, type Target, type Workload } from './results.js';

export interface Measurements {
  count: number; // migrations in the apply workload (1,000)
  bigCount: number; // the large status / guard workload (10,000)
  apply: Workload;
  noop: Workload;
  status: Workload;
  statusBig: Workload;
  cold: Workload;
  guard: Workload;
  guardBig: Workload;
  /** Round trips per migration, by row label (apply minus no-op, over the count). */
  roundTrips: Map<string, number>;
  noopRoundTrips?: number;
  statusRoundTrips?: number;
  profile?: ProfileSummary;
  /** archon-migrate applying a tenth of the workload, once */
  scaling?: { count: number; cpuSeconds: number; wallSeconds: number };
}

export const SUBJECT = 'archon-migrate';

function row(w: Workload, label: string): Row {
  const found = w.rows.find((r) => r.label === label);
  if (!found) throw new Error(`bench: workload "${w.id}" has no row "${label}"`);
  return found;
}

function subject(w: Workload): Row {
  const found = w.rows.find((r) => r.isSubject);
  if (!found) throw new Error(`bench: workload "${w.id}" has no ${SUBJECT} row`);
  return found;
}

function floor(w: Workload): Row {
  return row(w, w.floorLabel ?? '');
}

/** Median over rounds of (hook commit − no-verify commit), rounds paired by index. */
export function pairedOverhead(hook: Row, base: Row): number {
  const n = Math.min(hook.samples.length, base.samples.length);
  const diffs: number[] = [];
  for (let i = 0; i < n; i++) diffs.push(hook.samples[i]!.wallSeconds - base.samples[i]!.wallSeconds);
  return median(diffs);
}

function topFunctions(profile: ProfileSummary | undefined, n = 3): string {
  if (!profile) return '';
  const list = profile.functions.slice(0, n).map((f) => `\`${f.name}\` (${f.where}, ${f.selfMs.toFixed(0)} ms)`).join(', ');
  const pkgs = profile.packages.slice(0, 3).map((p) => `${p.name} ${p.selfMs.toFixed(0)} ms`).join(', ');
  return ` The CPU profile of one apply (${profile.totalMs.toFixed(0)} ms on CPU) puts the time in ${pkgs}; top functions: ${list}.`;
}

export function evaluateTargets(m: Measurements): Target[] {
  const targets: Target[] = [];
  const per1000 = 1000 / m.count;
  const nodeStart = medianWall(floor(m.cold));
  const versionTime = medianWall(subject(m.cold));

  // apply vs the psql floor
  {
    const s = subject(m.apply);
    const f = floor(m.apply);
    const r = medianWall(s) / medianWall(f);
    const rt = m.roundTrips.get(s.label);
    const floorRt = m.roundTrips.get(f.label);
    const gap = medianWall(s) - medianWall(f);
    const cpu = medianCpu(s);
    let growth = '';
    if (m.scaling) {
      const marginal = ((cpu - m.scaling.cpuSeconds) / (m.count - m.scaling.count)) * 1000;
      growth = ` Client CPU was ${seconds(m.scaling.cpuSeconds)} applying ${m.scaling.count} migrations and ${seconds(cpu)} applying ${m.count}: each migration beyond the first ${m.scaling.count} cost ${marginal.toFixed(1)} ms of client CPU (the target allows 0.5 ms).`;
    }
    const parts = [
      `archon-migrate took ${seconds(medianWall(s))} where psql took ${seconds(medianWall(f))} (${seconds(gap)} more).`,
      `Of that gap, process start-up is about ${seconds(versionTime)} and the client was on CPU for ${seconds(cpu)} (psql: ${seconds(medianCpu(f))}).`,
    ];
    if (rt !== undefined) parts.push(`It made ${rt.toFixed(2)} round trips per migration (psql: ${floorRt?.toFixed(2) ?? '—'}).`);
    if (rt !== undefined && rt <= 1.01 && cpu < gap / 2) {
      parts.push('With one round trip per migration and little client CPU, the rest is server work psql does not do: the ledger INSERT (a uuid, a unique index) inside each transaction.');
    }
    targets.push({ workload: `apply ${m.count.toLocaleString('en-US')}`, goal: '≤ 1.2× the psql floor', measured: ratio(r), met: r <= 1.2, why: parts.join(' ') + growth + topFunctions(m.profile) });

    const peers = m.apply.rows.filter((p) => !p.isFloor && !p.isSubject && !p.info);
    const slower = peers.filter((p) => medianWall(p) <= medianWall(s));
    const fastestPeer = [...peers].sort((a, b) => medianWall(a) - medianWall(b))[0];
    targets.push({
      workload: `apply ${m.count.toLocaleString('en-US')}`,
      goal: 'faster than every peer',
      measured: fastestPeer ? `${ratio(medianWall(s) / medianWall(fastestPeer))} of the fastest peer (${fastestPeer.label})` : '—',
      met: slower.length === 0,
      why: slower.map((p) => `${p.label} took ${seconds(medianWall(p))} against archon-migrate's ${seconds(medianWall(s))} (${m.roundTrips.get(p.label)?.toFixed(2) ?? '?'} round trips per migration against ${rt?.toFixed(2) ?? '?'}, client CPU ${seconds(medianCpu(p))} against ${seconds(cpu)}).`).join(' '),
    });

    const cpuPer1000 = cpu * per1000;
    targets.push({
      workload: `apply ${m.count.toLocaleString('en-US')}`,
      goal: 'client CPU ≤ 0.5 s per 1,000 migrations',
      measured: `${cpuPer1000.toFixed(2)} s`,
      met: cpuPer1000 <= 0.5,
      why: `the CLI used ${seconds(cpu)} of CPU (user + system, children included) for ${m.count} migrations; \`--version\` alone costs about ${seconds(medianCpu(subject(m.cold)))} of CPU.` + growth + topFunctions(m.profile, 5),
    });

    if (rt !== undefined) {
      targets.push({
        workload: `apply ${m.count.toLocaleString('en-US')}`,
        goal: '1 round trip per migration (peers: 2–8)',
        measured: rt.toFixed(2),
        met: rt <= 1.01,
        why: `counted at the protocol level (simple Query + Sync messages from client to server): ${rt.toFixed(2)} per migration once the fixed cost of a no-op run is subtracted, so each migration takes more than the single BEGIN…COMMIT message the design calls for.`,
      });
    }
  }

  // no-op up and status: absolute budgets
  const absolute = (w: Workload, name: string, goal: string, budget: number, extraRt?: number): void => {
    const s = subject(w);
    const t = medianWall(s);
    targets.push({
      workload: name,
      goal,
      measured: seconds(t),
      met: t <= budget,
      why: `${seconds(t)} against a budget of ${seconds(budget)}: node start-up (\`node -e 0\`) is ${seconds(nodeStart)}, \`--version\` ${seconds(versionTime)}, psql connecting and running one query ${seconds(medianWall(floor(w)))}; the remaining ${seconds(t - versionTime)} is loading the command modules, config, connecting and the ledger/file work` +
        (extraRt === undefined ? '.' : ` (${extraRt} round trips in the whole run).`) + ` Client CPU ${seconds(medianCpu(s))}.`,
    });
  };
  absolute(m.noop, `no-op \`up\`, ${m.count.toLocaleString('en-US')} applied`, '≤ 0.2 s', 0.2, m.noopRoundTrips);
  absolute(m.status, `\`status\` over ${m.count.toLocaleString('en-US')}`, '≤ 0.2 s', 0.2, m.statusRoundTrips);

  // cold start
  {
    const r = versionTime / nodeStart;
    targets.push({
      workload: 'cold start `--version`',
      goal: '≤ 1.4× `node -e 0`',
      measured: ratio(r),
      met: r <= 1.4,
      why: `\`--version\` took ${seconds(versionTime)} against ${seconds(nodeStart)} for \`node -e 0\`: ${seconds(versionTime - nodeStart)} of module loading before the version is printed.`,
    });
  }

  // guard overhead vs lint-staged's no-op overhead
  for (const [g, count] of [[m.guard, m.count], [m.guardBig, m.bigCount]] as const) {
    const base = floor(g);
    const guardRow = subject(g);
    const ls = g.rows.find((r) => !r.isFloor && !r.isSubject && !r.info);
    if (!ls) continue;
    const guardAdds = pairedOverhead(guardRow, base);
    const lsAdds = pairedOverhead(ls, base);
    const r = guardAdds / lsAdds;
    targets.push({
      workload: `guard, ${count.toLocaleString('en-US')} sealed migrations`,
      goal: 'guard adds ≤ 0.3× what lint-staged’s no-op adds',
      measured: `${ratio(r)} (${seconds(guardAdds)} vs ${seconds(lsAdds)})`,
      met: r <= 0.3,
      why: `the guard hook adds ${seconds(guardAdds)} per commit, lint-staged with nothing to do adds ${seconds(lsAdds)}; a node process that does nothing (\`node -e 0\`) already costs ${seconds(nodeStart)} = ${ratio(nodeStart / lsAdds)} of lint-staged's overhead, and \`--version\` ${seconds(versionTime)}, so ${seconds(Math.max(0, guardAdds - versionTime))} is the guard's own work (config, git index and blob reads, checks).`,
    });
  }
  return targets;
}
