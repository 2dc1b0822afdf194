import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { checksum } from '../../src/core/checksum.js';
import { serializeLockfile } from '../../src/core/lockfile.js';
import { formatVerifyMarkdown, formatVerifyText, missingBaseHint, runVerify } from '../../src/git/verify.js';
import { gitEnv, tempRepo, type TempRepo } from './git-fixture.js';

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

const A = 'CREATE TABLE users (id int, email text);\n';

function branchRepo(): TempRepo {
  const r = tempRepo();
  repos.push(r);
  r.write('migrations/001_users.sql', A);
  r.write('migrations/archon-migrate.lock', serializeLockfile([{ file: '001_users.sql', checksum: checksum(A) }]));
  r.commit('main: 001');
  r.git('checkout', '-q', '-b', 'feature');
  return r;
}

const verify = (r: TempRepo, base?: string) => runVerify({
  cwd: r.dir, env: gitEnv,
  migrationsDir: join(r.dir, 'migrations'), rollbacksDir: join(r.dir, 'migrations', 'rollbacks'), lockfile: join(r.dir, 'migrations', 'archon-migrate.lock'),
  allowOutOfOrder: false, baseBranch: 'main', ...(base ? { base } : {}),
});

describe('runVerify', () => {
  it('summarises the migrations a branch adds, with mode, rollback and risks', async () => {
    const r = branchRepo();
    r.write('migrations/002_pages.sql', 'CREATE TABLE pages (id int);\nCREATE INDEX pages_id ON pages (id);\n');
    r.write('migrations/003_tighten.sql', '-- archon-migrate: no-transaction\nCREATE INDEX users_email ON users (email);\nALTER TABLE pages ALTER COLUMN id SET NOT NULL;\n');
    r.write('migrations/rollbacks/003_tighten.sql', 'DROP INDEX users_email;\n');
    r.commit('feature: 002 003');
    const report = await verify(r);
    expect(report.ok).toBe(true);
    expect(report.base.ref).toBe('main');
    expect(report.added.map((m) => [m.file, m.transaction, m.rollback, m.sealed, m.risks.map((k) => `${k.line}:${k.kind}:${k.table}`)])).toEqual([
      ['002_pages.sql', true, false, false, []],
      ['003_tighten.sql', false, true, false, ['2:index-not-concurrent:users']],
    ]);
    expect(formatVerifyText(report)[0]).toMatch(/^verify: ok — migrations compared with main \(merge-base [0-9a-f]{7}\)$/);
    const md = formatVerifyMarkdown(report);
    expect(md).toContain('### archon-migrate verify: ✅ passed');
    expect(md).toContain('| `migrations/003_tighten.sql` |');
    expect(md).toContain('⚠️ line 2: CREATE INDEX on existing table users without CONCURRENTLY');
  });

  it('catches what --no-verify let through: an edited, a deleted and a renumbered sealed migration', async () => {
    const r = branchRepo();
    r.write('migrations/001_users.sql', A + 'ALTER TABLE users ADD COLUMN x int;\n');
    r.commit('sneaky edit');
    expect((await verify(r)).violations.map((v) => v.kind)).toEqual(['sealed-modified']);
    r.git('mv', 'migrations/001_users.sql', 'migrations/002_users.sql');
    r.git('checkout', '-q', 'main', '--', 'migrations/archon-migrate.lock');
    r.write('migrations/002_users.sql', A);
    r.commit('renumber');
    const v = (await verify(r)).violations;
    expect(v.map((x) => x.kind)).toEqual(['sealed-renamed']);
    expect(v[0]!.hint).toContain('git mv migrations/002_users.sql migrations/001_users.sql');
  });

  it('prefers origin/<baseBranch>, accepts --base, and explains an unknown base', async () => {
    const r = branchRepo();
    r.git('update-ref', 'refs/remotes/origin/main', 'main');
    expect((await verify(r)).base.ref).toBe('origin/main');
    expect((await verify(r, 'main')).base.ref).toBe('main');
    await expect(verify(r, 'nope')).rejects.toThrow('base nope is not a commit in this repository');
    await expect(verify(r, 'nope')).rejects.toMatchObject({ hint: expect.stringContaining('git fetch origin nope') });
  });

  it('never suggests fetching a relative ref: HEAD~5 in a short history names what is wrong', async () => {
    const r = branchRepo();
    const error = (await verify(r, 'HEAD~5').catch((e: unknown) => e)) as { message: string; hint: string };
    expect(error).toMatchObject({ message: 'base HEAD~5 is not a commit in this repository' });
    expect(error.hint).toBe('HEAD~5 names a commit this history does not have; pass --base with a branch or a commit that exists (`git log --oneline` lists them).');
    expect(missingBaseHint('origin/release', false)).toContain('`git fetch origin release`');
    expect(missingBaseHint('HEAD~1', true)).toContain('git fetch --unshallow');
  });
});
