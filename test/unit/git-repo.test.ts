import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { realpathSync } from 'node:fs';
import { CatFileBatch } from '../../src/git/exec-git.js';
import { stagedChanges, changesSince } from '../../src/git/staged-changes.js';
import { listIndex, listTree, readIndexFile, readObjects, readRevisionFile } from '../../src/git/blobs.js';
import { mergeBase, repoInfo, resolveCommit, toRepoPath } from '../../src/git/repo.js';
import { gitEnv, tempRepo, type TempRepo } from './git-fixture.js';

const repos: TempRepo[] = [];
function repo(): TempRepo {
  const r = tempRepo();
  repos.push(r);
  return r;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

const opts = (r: TempRepo, sub = '') => ({ cwd: join(r.dir, sub), env: gitEnv });

describe('a fresh repository with no HEAD', () => {
  it('has a root, no HEAD, and staged files are all added (against the empty tree)', async () => {
    const r = repo();
    r.write('migrations/001 first ünï.sql', 'SELECT 1;\n');
    r.git('add', '.');
    expect(await repoInfo(opts(r))).toEqual({ root: realpathSync(r.dir), head: undefined });
    const changes = await stagedChanges(opts(r));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ status: 'A', path: 'migrations/001 first ünï.sql' });
    expect((await readIndexFile(opts(r), 'migrations/001 first ünï.sql'))!.toString()).toBe('SELECT 1;\n');
  });
});

describe('staged changes', () => {
  it('sees modifications, deletions and renames with both paths, from any subdirectory', async () => {
    const r = repo();
    r.write('migrations/001_a.sql', 'CREATE TABLE a (id int);\n');
    r.write('migrations/002_b b.sql', 'CREATE TABLE b (id int);\n');
    r.write('migrations/003_c.sql', 'CREATE TABLE c (id int, name text, more text);\n');
    r.commit('base');
    r.write('migrations/001_a.sql', 'CREATE TABLE a (id bigint);\n');
    r.git('rm', '-q', 'migrations/002_b b.sql');
    r.git('mv', 'migrations/003_c.sql', 'migrations/004_ç.sql');
    r.git('add', '.');
    const changes = await stagedChanges(opts(r, 'migrations'));
    expect(changes.map((c) => [c.status, c.oldPath, c.path])).toEqual([
      ['M', undefined, 'migrations/001_a.sql'],
      ['D', undefined, 'migrations/002_b b.sql'],
      ['R', 'migrations/003_c.sql', 'migrations/004_ç.sql'],
    ]);
    const [oldA, newA] = await readObjects(opts(r), [changes[0]!.oldBlob!, changes[0]!.newBlob!]);
    expect(oldA!.toString()).toBe('CREATE TABLE a (id int);\n');
    expect(newA!.toString()).toBe('CREATE TABLE a (id bigint);\n');
  });

  it('reads the index, not the working tree', async () => {
    const r = repo();
    r.write('m/001_a.sql', 'staged\n');
    r.git('add', '.');
    r.write('m/001_a.sql', 'unstaged\n');
    expect((await readIndexFile(opts(r), 'm/001_a.sql'))!.toString()).toBe('staged\n');
  });
});

describe('listings and blobs', () => {
  it('lists the index and a revision under a directory, with spaces and unicode', async () => {
    const r = repo();
    r.write('mig rations/001_ä.sql', 'x\n');
    r.write('mig rations/rollbacks/001_ä.sql', 'y\n');
    r.write('other/001_a.sql', 'z\n');
    r.commit('one');
    const index = await listIndex(opts(r), 'mig rations');
    expect(index.entries.map((e) => e.path)).toEqual(['mig rations/001_ä.sql', 'mig rations/rollbacks/001_ä.sql']);
    const tree = await listTree(opts(r), 'HEAD', 'mig rations');
    expect(tree.map((e) => e.path)).toEqual(['mig rations/001_ä.sql', 'mig rations/rollbacks/001_ä.sql']);
    expect(tree[0]!.blob).toBe(index.entries[0]!.blob);
    expect((await readRevisionFile(opts(r), 'HEAD', 'mig rations/001_ä.sql'))!.toString()).toBe('x\n');
    expect(await readRevisionFile(opts(r), 'HEAD', 'nope.sql')).toBeUndefined();
  });

  it('reads many objects through one cat-file process, in order, with missing ones undefined', async () => {
    const r = repo();
    for (let i = 0; i < 200; i++) r.write(`m/${String(i).padStart(3, '0')}_x.sql`, `SELECT ${i};\n`.repeat(i + 1));
    r.commit('many');
    const batch = new CatFileBatch(opts(r));
    try {
      const names = Array.from({ length: 200 }, (_, i) => `HEAD:m/${String(i).padStart(3, '0')}_x.sql`);
      const contents = await batch.readMany([...names, ':missing.sql']);
      contents.slice(0, 200).forEach((c, i) => expect(c!.toString()).toBe(`SELECT ${i};\n`.repeat(i + 1)));
      expect(contents[200]).toBeUndefined();
      // the same process answers later requests too
      expect((await batch.read('HEAD:m/000_x.sql'))!.toString()).toBe('SELECT 0;\n');
    } finally {
      batch.close();
    }
  });

  it('finds the merge-base and resolves commits; unknown revisions are undefined', async () => {
    const r = repo();
    r.write('a.txt', '1\n');
    r.commit('base');
    const base = r.git('rev-parse', 'HEAD').trim();
    r.git('checkout', '-q', '-b', 'feature');
    r.write('b.txt', '2\n');
    r.commit('feature');
    r.git('checkout', '-q', 'main');
    r.write('c.txt', '3\n');
    r.commit('main moves');
    expect(await mergeBase(opts(r), 'main', 'feature')).toBe(base);
    expect(await resolveCommit(opts(r), 'feature')).toBe(r.git('rev-parse', 'feature').trim());
    expect(await resolveCommit(opts(r), 'no-such-branch')).toBeUndefined();
    r.git('checkout', '-q', 'feature');
    const since = await changesSince(opts(r), base);
    expect(since.map((c) => c.path)).toEqual(['b.txt']);
  });
});

describe('worktrees', () => {
  it('reports the worktree as root and reads its own index', async () => {
    const r = repo();
    r.write('migrations/001_a.sql', 'SELECT 1;\n');
    r.commit('base');
    const wt = join(r.dir, '..', `${r.dir.split('/').pop()}-wt tree`);
    r.git('worktree', 'add', '-q', '-b', 'side', wt);
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(wt, 'migrations/002_b.sql'), 'SELECT 2;\n');
      const { execFileSync } = await import('node:child_process');
      execFileSync('git', ['add', '.'], { cwd: wt, env: gitEnv });
      const info = await repoInfo({ cwd: wt, env: gitEnv });
      expect(info.root).toBe(realpathSync(wt));
      expect(info.head).toBe(r.git('rev-parse', 'HEAD').trim());
      expect((await stagedChanges({ cwd: wt, env: gitEnv })).map((c) => c.path)).toEqual(['migrations/002_b.sql']);
      expect(await stagedChanges(opts(r))).toEqual([]);
    } finally {
      r.git('worktree', 'remove', '--force', wt);
    }
  });
});

describe('toRepoPath', () => {
  it('maps absolute paths (also through symlinks and not-yet-existing dirs) to repository paths', () => {
    const r = repo();
    expect(toRepoPath(r.dir, join(r.dir, 'migrations', 'archon-migrate.lock'))).toBe('migrations/archon-migrate.lock');
    expect(toRepoPath(realpathSync(r.dir), r.dir)).toBe('');
    expect(() => toRepoPath(r.dir, join(r.dir, '..'))).toThrow(/outside the git repository/);
  });
});
