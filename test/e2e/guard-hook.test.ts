/**
 * The packed CLI in temporary git repositories: `init` wires husky, and real `git commit`s go
 * through the pre-commit hook. One sealed project is built per file; each test works on a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksum } from '../../src/core/checksum.js';
import { EMAIL, type Project, sealedProject, USERS } from './project.js';

let sealed: Project;
const copies: Project[] = [];
function fresh(): Project {
  const p = sealed.copy();
  copies.push(p);
  return p;
}

beforeAll(() => {
  sealed = sealedProject();
}, 600_000);
afterAll(() => {
  for (const p of copies) p.remove();
  sealed?.remove();
});

describe('the pre-commit hook', () => {
  it('accepts a new migration above the highest sealed one', () => {
    const p = fresh();
    p.write('migrations/003_add_pages.sql', 'CREATE TABLE pages (id bigint);\n');
    p.git('add', '-A');
    const r = p.commit('add 003');
    expect(r.stderr).toContain('archon-migrate guard: ok (1 staged change in migrations checked)');
    expect(r.stderr).not.toContain('blocked');
    expect(r.code).toBe(0);
    expect(p.git('log', '-1', '--format=%s').trim()).toBe('add 003');
  });

  it('accepts commits of unrelated files', () => {
    const p = fresh();
    p.write('README.md', '# app\n');
    p.write('src/app.js', 'export const x = 1;\n');
    p.git('add', '-A');
    expect(p.commit('docs').code).toBe(0);
  });

  it('refuses an edit of a sealed migration, naming the file, both checksums and the fix', () => {
    const p = fresh();
    const edited = USERS.replace('name text', 'name text NOT NULL');
    p.write('migrations/001_create_users.sql', edited);
    p.git('add', '-A');
    const r = p.commit('edit 001');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`migrations/001_create_users.sql: sealed migration changed (sealed in HEAD as ${checksum(USERS)}, staged content is ${checksum(edited)})`);
    expect(r.stderr).toContain('fix: Restore it with `git checkout HEAD -- migrations/001_create_users.sql` and put the change in a new migration: `npm run db:create -- <name>`.');
    expect(p.git('log', '-1', '--format=%s').trim()).toBe('add and seal 001, 002');
  });

  it('refuses a deletion', () => {
    const p = fresh();
    p.git('rm', '-q', 'migrations/002_add_email.sql');
    const r = p.commit('delete 002');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`migrations/002_add_email.sql: sealed migration deleted (sealed in HEAD as ${checksum(EMAIL)}, staged: deleted)`);
  });

  it('refuses a rename and a renumbering, saying how to move it back', () => {
    const p = fresh();
    p.git('mv', 'migrations/002_add_email.sql', 'migrations/002_add_user_email.sql');
    const r = p.commit('rename 002');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('migrations/002_add_email.sql: sealed migration renamed to migrations/002_add_user_email.sql');
    expect(r.stderr).toContain('`git mv migrations/002_add_user_email.sql migrations/002_add_email.sql`');

    const q = fresh();
    q.git('mv', 'migrations/001_create_users.sql', 'migrations/005_create_users.sql');
    const s = q.commit('renumber 001');
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('migrations/001_create_users.sql: sealed migration renamed to migrations/005_create_users.sql');
  });

  it('refuses a hand-edited lockfile line', () => {
    const p = fresh();
    const lock = p.read('migrations/archon-migrate.lock');
    p.write('migrations/archon-migrate.lock', lock.replace(checksum(EMAIL), checksum('something else')));
    p.git('add', '-A');
    const r = p.commit('edit lockfile');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('migrations/archon-migrate.lock');
    expect(r.stderr).toContain('header hash does not match the entries');
  });

  it('refuses a new migration numbered below the highest sealed one', () => {
    const p = fresh();
    p.write('migrations/0_early.sql', 'SELECT 1;\n');
    p.git('add', '-A');
    const r = p.commit('out of order');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('migrations/0_early.sql: new migration version 0 is not above the highest sealed version 2');
  });

  it('accepts a CRLF-only change of a sealed migration', () => {
    const p = fresh();
    p.write('migrations/001_create_users.sql', USERS.replace(/\n/g, '\r\n'));
    p.git('add', '-A');
    expect(p.git('diff', '--cached', '--name-only').trim()).toBe('migrations/001_create_users.sql');
    const r = p.commit('crlf');
    expect(r.stderr).not.toContain('blocked');
    expect(r.code).toBe(0);
  });

  it('judges the index, not the working tree: `git commit <path>` and partially staged files', () => {
    const p = fresh();
    p.write('migrations/001_create_users.sql', USERS + '-- edited\n');
    p.write('README.md', 'x\n');
    p.git('add', 'README.md');
    expect(p.commit('readme only').code).toBe(0); // the edit is not staged
    const r = p.run('git', ['commit', '-q', '-m', 'explicit path', '--', 'migrations/001_create_users.sql']);
    expect(r.code).toBe(1); // git commit <path> stages it into a temporary index: the guard sees it
    expect(r.stderr).toContain('migrations/001_create_users.sql: sealed migration changed');
  });

  it('is skipped with HUSKY=0 and --no-verify, and verify catches that in CI (exit 1)', () => {
    const p = fresh();
    p.git('checkout', '-q', '-b', 'feature');
    p.write('migrations/001_create_users.sql', USERS + 'ALTER TABLE users ADD COLUMN x int;\n');
    p.git('add', '-A');
    expect(p.commit('sneak', '--no-verify').code).toBe(0);
    const v = p.cli(['verify', '--base', 'main']);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('migrations/001_create_users.sql: sealed migration changed (sealed in main (merge-base');
    p.write('migrations/002_add_email.sql', '');
    p.git('add', '-A');
    expect(p.run('git', ['commit', '-q', '-m', 'sneak 2'], { HUSKY: '0' }).code).toBe(0);
    expect(p.cli(['verify', '--base', 'main', '--format', 'json']).code).toBe(1);
  });
});

describe('verify', () => {
  it('passes a branch that adds migrations and writes the markdown summary to $GITHUB_STEP_SUMMARY', () => {
    const p = fresh();
    p.git('checkout', '-q', '-b', 'feature');
    p.write('migrations/003_pages.sql', 'CREATE TABLE pages (id bigint);\nCREATE INDEX pages_id ON pages (id);\n');
    p.write('migrations/004_drop_name.sql', 'ALTER TABLE users DROP COLUMN name;\n');
    p.git('add', '-A');
    expect(p.commit('two migrations').code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'archon-summary-'));
    try {
      const summary = join(dir, 'summary.md');
      writeFileSync(summary, '# earlier step\n');
      const r = p.cli(['verify', '--format', 'markdown'], { GITHUB_STEP_SUMMARY: summary });
      expect(r.code).toBe(0);
      const md = readFileSync(summary, 'utf8');
      expect(md.startsWith('# earlier step\n### archon-migrate verify: ✅ passed')).toBe(true);
      expect(md).toContain('| `migrations/003_pages.sql` |');
      expect(md).toContain('⚠️ line 1: DROP COLUMN users.name');
      const json = JSON.parse(p.cli(['verify', '--format', 'json']).stdout) as { ok: boolean; base: { ref: string }; added: { file: string; risks: { kind: string }[] }[] };
      expect(json.ok).toBe(true);
      expect(json.base.ref).toBe('main');
      expect(json.added.map((m) => [m.file, m.risks.map((k) => k.kind)])).toEqual([['003_pages.sql', []], ['004_drop_name.sql', ['drop-column']]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the lockfile in git', () => {
  it('two branches that each add the next number conflict in the lockfile when merged', () => {
    const p = fresh();
    p.git('checkout', '-q', '-b', 'alice');
    p.write('migrations/003_alice.sql', 'CREATE TABLE alice (id int);\n');
    expect(p.cli(['lock']).code).toBe(0);
    p.git('add', '-A');
    expect(p.commit('alice 003').code).toBe(0);
    p.git('checkout', '-q', 'main');
    p.git('checkout', '-q', '-b', 'bob');
    p.write('migrations/003_bob.sql', 'CREATE TABLE bob (id int);\n');
    expect(p.cli(['lock']).code).toBe(0);
    p.git('add', '-A');
    expect(p.commit('bob 003').code).toBe(0);
    const merge = p.run('git', ['merge', '--no-edit', 'alice']);
    expect(merge.code).toBe(1);
    expect(merge.stdout).toContain('CONFLICT (content): Merge conflict in migrations/archon-migrate.lock');
    // and the lockfile with conflict markers is refused by the tool
    expect(p.cli(['lock', '--check']).code).not.toBe(0);
  });
});
