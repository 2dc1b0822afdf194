import { describe, expect, it } from 'vitest';
import { checksum } from '../../src/core/checksum.js';
import { ArchonError } from '../../src/core/errors.js';
import { parseMigrationName } from '../../src/core/migration-name.js';
import {
  blockedError, computeStatus, planBaseline, planDown, planRepair, planUp,
  type LedgerEntry, type MigrationFile,
} from '../../src/core/plan.js';

function file(name: string, body = `-- ${name}\n`, transaction = true): MigrationFile {
  return { name: parseMigrationName(name)!, checksum: checksum(body), transaction };
}

function row(f: MigrationFile | string, over: Partial<LedgerEntry> = {}): LedgerEntry {
  const stem = typeof f === 'string' ? f : f.name.stem;
  return {
    version: typeof f === 'string' ? stem.split('_')[0]! : f.name.version,
    name: stem,
    checksum: typeof f === 'string' ? null : f.checksum,
    appliedAt: new Date('2025-01-02T03:04:05.000Z'),
    executionMs: 12,
    status: 'applied',
    appliedBy: 'host 1',
    ...over,
  };
}

const seal = (f: MigrationFile) => ({ file: f.name.file, checksum: f.checksum });

function expectError(fn: () => unknown, exitCode: number, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArchonError);
    expect((e as ArchonError).exitCode).toBe(exitCode);
    expect((e as ArchonError).message).toMatch(message);
    return;
  }
  throw new Error('expected an error');
}

const a = file('001_a.sql');
const b = file('002_b.sql');
const c = file('010_c.sql');

describe('computeStatus', () => {
  it('reports applied, pending, modified, missing file, failed, running in version order with counts', () => {
    const d = file('3_d.sql');
    const e = file('4_e.sql');
    const edited = file('002_b.sql', 'edited');
    const report = computeStatus(
      [c, edited, a, d, e],
      [seal(a), seal(b)],
      [row(b), row(a), row('005_gone'), row(d, { status: 'failed' }), row(e, { status: 'running' })],
    );
    expect(report.rows.map((r) => [r.migration, r.state, r.seal])).toEqual([
      ['001_a', 'applied', 'sealed'],
      ['002_b', 'modified', 'mismatch'],
      ['3_d', 'failed', 'unsealed'],
      ['4_e', 'running', 'unsealed'],
      ['005_gone', 'missing-file', 'no-file'],
      ['010_c', 'pending', 'unsealed'],
    ]);
    expect(report.summary).toEqual({
      total: 6, applied: 1, pending: 1, modified: 1, missingFile: 1, failed: 1, running: 1,
      unsealed: 3, sealMismatch: 1, unverified: 0,
    });
    const first = report.rows[0]!;
    expect(first).toMatchObject({ appliedAt: '2025-01-02T03:04:05.000Z', executionMs: 12, appliedBy: 'host 1', recordedChecksum: a.checksum, checksum: a.checksum, transaction: true, inLedger: true });
    expect(report.rows[1]).toMatchObject({ recordedChecksum: b.checksum, checksum: edited.checksum });
  });

  it('matches Archon rows by name, ignores their release version, and marks NULL or free-text checksums unverified', () => {
    const report = computeStatus([a, b], [], [
      { ...row('001_a'), version: '0.1.0', checksum: null },
      { ...row('002_b'), version: '0.3.0', checksum: 'corrective-fix' },
    ]);
    expect(report.rows.map((r) => [r.migration, r.version, r.state, r.unverified])).toEqual([
      ['001_a', '001', 'applied', true],
      ['002_b', '002', 'applied', true],
    ]);
    expect(report.summary.unverified).toBe(2);
  });

  it('prefers our row when an Archon script recorded its own row for the same name', () => {
    const report = computeStatus([a], [], [{ ...row('001_a'), version: '0.1.0' }, row(a)]);
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ state: 'applied', unverified: false, recordedChecksum: a.checksum });
  });

  it('lists names Archon recorded without a number after the numbered ones', () => {
    const report = computeStatus([a], [], [{ ...row('add_source_display_name_column'), version: '0.1.0' }]);
    expect(report.rows.map((r) => [r.migration, r.version, r.state])).toEqual([
      ['001_a', '001', 'pending'],
      ['add_source_display_name_column', '0.1.0', 'missing-file'],
    ]);
  });

  it('lists a seal whose file is gone', () => {
    const report = computeStatus([], [seal(a)], []);
    expect(report.rows).toMatchObject([{ migration: '001_a', state: 'missing-file', seal: 'no-file', inLedger: false, sealedChecksum: a.checksum }]);
  });
});

describe('planUp', () => {
  it('applies pending migrations in numeric version order', () => {
    const plan = planUp([c, b, a], [], [row(a)]);
    expect(plan.blockers).toEqual([]);
    expect(plan.apply.map((f) => f.name.file)).toEqual(['002_b.sql', '010_c.sql']);
  });

  it('stops at --to VERSION, whatever its width', () => {
    expect(planUp([a, b, c], [], [], { to: '2' }).apply.map((f) => f.name.stem)).toEqual(['001_a', '002_b']);
    expect(planUp([a, b, c], [], [], { to: '010' }).apply).toHaveLength(3);
  });

  it('rejects an unknown --to version with exit 2', () => {
    expectError(() => planUp([a, b], [], [], { to: '7' }), 2, /--to 7: no migration file has version 7/);
    expectError(() => planUp([a, b], [], [], { to: 'x' }), 2, /not a migration version/);
  });

  it('refuses drift naming the file and both checksums, and applies nothing', () => {
    const edited = file('001_a.sql', 'changed');
    const plan = planUp([edited, b], [], [row(a)]);
    expect(plan.apply).toEqual([]);
    expect(plan.pending.map((f) => f.name.stem)).toEqual(['002_b']);
    expect(plan.blockers).toEqual([{
      kind: 'drift', migration: '001_a', file: '001_a.sql', recorded: a.checksum, current: edited.checksum,
      message: `001_a.sql was changed after it was applied: the database recorded ${a.checksum} but the file is now ${edited.checksum}`,
    }]);
    const err = blockedError(plan.blockers);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(a.checksum);
    expect(err.hint).toMatch(/repair/);
  });

  it('refuses while a failed or running row exists', () => {
    const plan = planUp([a, b, c], [], [row(a, { status: 'failed', appliedBy: 'ci 42' }), row(b, { status: 'running', appliedBy: 'box 7' })]);
    expect(plan.apply).toEqual([]);
    expect(plan.blockers.map((x) => [x.kind, x.migration])).toEqual([['failed', '001_a'], ['running', '002_b']]);
    expect(plan.blockers[0]!.message).toBe('001_a.sql failed at 2025-01-02T03:04:05.000Z (runner ci 42) and may be partly applied');
    expect(plan.blockers[1]!.message).toBe('002_b.sql is being applied by box 7 since 2025-01-02T03:04:05.000Z');
  });

  it('refuses a pending migration below the highest applied one unless allowOutOfOrder', () => {
    const plan = planUp([a, b, c], [], [row(a), row(c)]);
    expect(plan.blockers).toMatchObject([{ kind: 'out-of-order', migration: '002_b', highestApplied: '010' }]);
    expect(plan.apply).toEqual([]);
    expect(planUp([a, b, c], [], [row(a), row(c)], { allowOutOfOrder: true }).apply.map((f) => f.name.stem)).toEqual(['002_b']);
  });

  it('refuses a pending file whose version the database already applied under another name, even out of order', () => {
    const other = file('002_other.sql');
    const plan = planUp([a, other], [], [row(a), row(b)], { allowOutOfOrder: true });
    expect(plan.blockers).toMatchObject([{ kind: 'version-taken', file: '002_other.sql', appliedAs: '002_b' }]);
  });

  it('--frozen refuses unsealed and mismatched files', () => {
    const edited = file('002_b.sql', 'x');
    const plan = planUp([a, edited, c], [seal(a), seal(b)], [row(a)], { frozen: true, lockfilePath: 'migrations/archon-migrate.lock' });
    expect(plan.blockers.map((x) => [x.kind, x.migration])).toEqual([['seal-mismatch', '002_b'], ['unsealed', '010_c']]);
    expect(plan.blockers[1]!.message).toBe('010_c.sql is not sealed in migrations/archon-migrate.lock');
    expect(planUp([a, b, c], [seal(a), seal(b), seal(c)], [row(a)], { frozen: true }).apply).toHaveLength(2);
  });

  it('refuses a pending file that does not match its seal even without --frozen', () => {
    const edited = file('002_b.sql', 'x');
    expect(planUp([a, edited], [seal(a), seal(b)], [row(a)]).blockers).toMatchObject([{ kind: 'seal-mismatch', sealed: b.checksum, current: edited.checksum }]);
  });

  it('fills checksums of adopted Archon rows and warns about missing files', () => {
    const plan = planUp([a, b], [], [{ ...row('001_a'), version: '0.1.0' }, row('000_old', { checksum: a.checksum })]);
    expect(plan.fillChecksums).toEqual([{ migration: '001_a', checksum: a.checksum }]);
    expect(plan.apply.map((f) => f.name.stem)).toEqual(['002_b']);
    expect(plan.warnings).toEqual(['000_old is recorded as applied but its file 000_old.sql is missing']);
  });
});

describe('planDown', () => {
  const status = computeStatus([a, b, c], [], [row(a), row(b), row(c)]);

  it('rolls back the last applied by default', () => {
    expect(planDown(status, {}).map((r) => r.migration)).toEqual(['010_c']);
  });

  it('rolls back a target and everything applied above it, newest first', () => {
    expect(planDown(status, { target: '2' }).map((r) => r.migration)).toEqual(['010_c', '002_b']);
    expect(planDown(status, { target: '002_b' }).map((r) => r.migration)).toEqual(['010_c', '002_b']);
    expect(planDown(status, { target: '002_b.sql' }).map((r) => r.migration)).toEqual(['010_c', '002_b']);
  });

  it('--steps N takes the last N', () => {
    expect(planDown(status, { steps: 2 }).map((r) => r.migration)).toEqual(['010_c', '002_b']);
    expect(planDown(status, { steps: 3 })).toHaveLength(3);
    // More steps than applied migrations: refused, naming how many there are (not silently all).
    expectError(() => planDown(status, { steps: 9 }), 1, /--steps 9: only 3 migrations are applied; nothing rolled back/);
    expectError(() => planDown(status, { steps: 0 }), 2, /--steps 0/);
  });

  it('rejects an unknown target with exit 2 and a pending one with exit 1', () => {
    expectError(() => planDown(status, { target: '7' }), 2, /no migration has version 7/);
    const partly = computeStatus([a, b], [], [row(a)]);
    expectError(() => planDown(partly, { target: '002' }), 1, /002_b is not applied \(pending\)/);
  });

  it('refuses while a failed row exists', () => {
    const failed = computeStatus([a, b], [], [row(a), row(b, { status: 'failed' })]);
    expectError(() => planDown(failed, {}), 1, /002_b.sql is recorded as failed/);
  });
});

describe('planBaseline', () => {
  it('records files up to the version, skips applied ones and fills unverified checksums', () => {
    const plan = planBaseline([a, b, c], [{ ...row('001_a'), checksum: null }], '2');
    expect(plan.record.map((f) => f.name.stem)).toEqual(['002_b']);
    expect(plan.alreadyApplied).toEqual(['001_a']);
    expect(plan.fillChecksums).toEqual([{ migration: '001_a', checksum: a.checksum }]);
  });

  it('refuses when an applied migration has another checksum', () => {
    expectError(() => planBaseline([a, b], [row(a, { checksum: b.checksum })], '2'), 1, /001_a.sql is already applied with checksum/);
  });

  it('rejects an unknown version', () => {
    expectError(() => planBaseline([a], [], '3'), 2, /no migration file has version 3/);
  });
});

describe('planRepair', () => {
  const edited = file('002_b.sql', 'edited');
  const status = computeStatus([a, edited, c], [], [{ ...row('001_a'), checksum: null }, row(b), row(c, { status: 'failed' })]);

  it('lists every repairable migration', () => {
    expect(planRepair(status, {})).toEqual([
      { kind: 'fill-checksum', migration: '001_a', checksum: a.checksum },
      { kind: 'accept-checksum', migration: '002_b', recorded: b.checksum, current: edited.checksum },
      { kind: 'delete-failed', migration: '010_c', state: 'failed', appliedBy: 'host 1', since: '2025-01-02T03:04:05.000Z' },
    ]);
  });

  it('repairs one by name or version; --applied marks a failed one applied', () => {
    expect(planRepair(status, { name: '10', applied: true })).toEqual([
      { kind: 'mark-applied', migration: '010_c', state: 'failed', checksum: c.checksum, appliedBy: 'host 1', since: '2025-01-02T03:04:05.000Z' },
    ]);
    expect(planRepair(status, { name: '002_b' })).toHaveLength(1);
  });

  it('returns nothing when nothing needs repair, and rejects unknown names', () => {
    expect(planRepair(computeStatus([a], [], [row(a)]), {})).toEqual([]);
    expectError(() => planRepair(status, { name: '099_x' }), 2, /no migration is named 099_x/);
  });
});
