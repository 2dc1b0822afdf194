/**
 * Moving the goalposts, through the packed CLI and real `git commit`s (issue 9, item 1): a commit
 * that re-points the config's lockfile or migrations folder is judged against the places HEAD's
 * config named (the pre-commit hook), and a branch against the merge-base's (`verify`). A real
 * move is allowed and reported; paths outside the repository are refused by every command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checksum } from '../../src/core/checksum.js';
import { type Project, sealedProject, USERS } from './project.js';

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

const EDITED = USERS.replace('name text', 'name text NOT NULL');

/** init's config with other settings in place of `migrationsDir: "migrations",`. */
function setConfig(p: Project, fields: string): void {
  const text = p.read('archon-migrate.config.ts');
  expect(text).toContain('  migrationsDir: "migrations",\n');
  p.write('archon-migrate.config.ts', text.replace('  migrationsDir: "migrations",\n', fields));
}

describe('a re-pointed lockfile', () => {
  it('is blocked by the hook, and after --no-verify by verify, when a sealed migration changed', () => {
    const p = fresh();
    setConfig(p, '  migrationsDir: "migrations",\n  lockfile: "seals.lock",\n');
    p.write('migrations/001_create_users.sql', EDITED);
    expect(p.cli(['lock']).code).toBe(0);
    p.git('add', '-A');
    const r = p.commit('new lockfile');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seals.lock: the seal of 001_create_users.sql was changed (HEAD (migrations/archon-migrate.lock): ${checksum(USERS)}, staged (seals.lock): ${checksum(EDITED)})`);
    expect(r.stderr).toContain(`migrations/001_create_users.sql: sealed migration changed (sealed in HEAD as ${checksum(USERS)}, staged content is ${checksum(EDITED)})`);
    expect(r.stderr).toContain('note: the config moves lockfile from migrations/archon-migrate.lock to seals.lock');

    p.git('checkout', '-q', '-b', 'feature');
    expect(p.commit('new lockfile', '--no-verify').code).toBe(0);
    const v = p.cli(['verify', '--base', 'main']);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('seals.lock: the seal of 001_create_users.sql was changed (main (merge-base');
    expect(v.stdout).toContain('migrations/001_create_users.sql: sealed migration changed (sealed in main (merge-base');
  });
});

describe('a moved migrations folder', () => {
  it('is blocked by the hook, and after --no-verify by verify, when a sealed migration changed on the way', () => {
    const p = fresh();
    p.git('mv', 'migrations', 'db');
    setConfig(p, '  migrationsDir: "db",\n');
    p.write('db/001_create_users.sql', EDITED);
    expect(p.cli(['lock']).code).toBe(1); // lock never rewrites a seal: the lockfile is made anew
    rmSync(join(p.dir, 'db', 'archon-migrate.lock'));
    expect(p.cli(['lock']).code).toBe(0);
    p.git('add', '-A');
    const r = p.commit('move and edit');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`db/001_create_users.sql: sealed migration changed (sealed in HEAD (migrations/001_create_users.sql) as ${checksum(USERS)}, staged content is ${checksum(EDITED)})`);
    expect(r.stderr).toContain('fix: Restore it with `git show HEAD:migrations/001_create_users.sql > db/001_create_users.sql`');

    p.git('checkout', '-q', '-b', 'feature');
    expect(p.commit('move and edit', '--no-verify').code).toBe(0);
    const v = p.cli(['verify', '--base', 'main', '--format', 'json']);
    expect(v.code).toBe(1);
    const report = JSON.parse(v.stdout) as { ok: boolean; violations: { kind: string; file: string }[]; moved: { what: string; from: string; to: string }[] };
    expect(report.violations.map((x) => `${x.kind} ${x.file}`)).toEqual(['seal-changed db/archon-migrate.lock', 'sealed-modified db/001_create_users.sql']);
    expect(report.moved.map((m) => `${m.what}: ${m.from} → ${m.to}`)).toEqual(['migrationsDir: migrations → db', 'lockfile: migrations/archon-migrate.lock → db/archon-migrate.lock']);
  });

  it('moved intact, is allowed and reported by the hook and by verify', () => {
    const p = fresh();
    p.git('checkout', '-q', '-b', 'feature');
    p.git('mv', 'migrations', 'db');
    setConfig(p, '  migrationsDir: "db",\n');
    p.git('add', '-A');
    const r = p.commit('move migrations to db/');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('note: migrationsDir moved from migrations to db, with all 2 sealed migrations and their seals unchanged');
    expect(r.stderr).toContain('archon-migrate guard: ok');
    const v = p.cli(['verify', '--base', 'main']);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('verify: ok — db compared with main');
    expect(v.stdout).toContain('note: lockfile moved from migrations/archon-migrate.lock to db/archon-migrate.lock, with all 2 sealed migrations and their seals unchanged');
    expect(p.cli(['lock', '--check']).code).toBe(0);
  });
});

describe('paths outside the repository', () => {
  it('are refused (exit 2) by every command, and nothing is written there', () => {
    const p = fresh();
    const name = `${basename(p.dir)}-outside.lock`; // beside the project: unique to this run
    setConfig(p, `  migrationsDir: "migrations",\n  lockfile: "../${name}",\n`);
    const outside = join(p.dir, '..', name);
    for (const args of [['lock'], ['status'], ['up', '--dry-run'], ['create', 'x'], ['guard'], ['verify', '--base', 'main']]) {
      const r = p.cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`error: archon-migrate.config.ts: lockfile "../${name}" is outside the repository ${p.dir}`);
      expect(r.stderr).toContain('fix: Keep migrations, rollbacks and the lockfile inside the repository');
    }
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(p.dir, 'migrations', '003_x.sql'))).toBe(false);

    const env = p.cli(['status'], { ARCHON_MIGRATE_MIGRATIONS_DIR: '/tmp' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('error: ARCHON_MIGRATE_MIGRATIONS_DIR: migrationsDir "/tmp" is outside the repository');
  });
});
