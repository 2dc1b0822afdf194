/**
 * `archon-migrate init` in consumer repositories: from scratch, twice (idempotent), and on top of
 * an existing husky + lint-staged setup whose files and scripts it must not clobber.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { newProject, type Project } from './project.js';

const projects: Project[] = [];
afterAll(() => {
  for (const p of projects) p.remove();
});
function project(options: Parameters<typeof newProject>[0]): Project {
  const p = newProject({ ...options, init: false });
  projects.push(p);
  return p;
}

describe('init', () => {
  it('wires a bare project, reports every action, and changes nothing the second time', () => {
    const p = project({});
    const first = p.cli(['init']);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter((l) => l.startsWith('added'))).toEqual([
      'added    archon-migrate.config.ts',
      'added    migrations/',
      'added    empty lockfile migrations/archon-migrate.lock',
      'added    npm script db:migrate: archon-migrate up',
      'added    npm script db:status: archon-migrate status',
      'added    npm script db:create: archon-migrate create',
      'added    npm script db:rollback: archon-migrate down',
      'added    npm script db:verify: archon-migrate verify',
      'added    npm script prepare: husky',
      'added    .husky/pre-commit running `archon-migrate guard`',
      'added    .gitignore with .env, .archon/',
    ]);
    expect(first.stdout).not.toContain('Next: npm install'); // the template has all three installed
    expect(p.read('migrations/archon-migrate.lock')).toMatch(/^archon-migrate lock v1 sha256:[0-9a-f]{64}\n$/);
    expect(p.read('.husky/pre-commit')).toBe('archon-migrate guard\n');
    expect(statSync(join(p.dir, '.husky/pre-commit')).mode & 0o111).not.toBe(0);
    const files = ['package.json', '.gitignore', '.husky/pre-commit', 'archon-migrate.config.ts', 'migrations/archon-migrate.lock'].map((f) => p.read(f));

    const second = p.cli(['init']);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/^(added|updated)/m);
    expect(second.stdout).toContain('archon-migrate init: nothing to change — this repository is already set up.');
    expect(['package.json', '.gitignore', '.husky/pre-commit', 'archon-migrate.config.ts', 'migrations/archon-migrate.lock'].map((f) => p.read(f))).toEqual(files);

    // and the hook it wrote works
    expect(p.run('npm', ['run', '--silent', 'prepare']).code).toBe(0);
    p.write('migrations/001_one.sql', 'SELECT 1;\n');
    p.git('add', '-A');
    expect(p.commit('first').code).toBe(0);
  });

  it('keeps an existing husky hook, prepare script, lint-staged config and a different db:migrate', () => {
    const p = project({
      packageJson: (pkg) => {
        pkg.scripts = { prepare: 'node setup.js', 'db:migrate': 'prisma migrate deploy' };
        pkg['lint-staged'] = { '*.js': 'node --check' };
      },
      files: { '.husky/pre-commit': 'npx lint-staged\n', '.gitignore': 'node_modules\n.env\n', 'setup.js': '' },
    });
    const r = p.cli(['init']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept     existing npm script db:migrate ("prisma migrate deploy"); not replaced with "archon-migrate up"');
    expect(r.stdout).toContain('updated  npm script prepare: "node setup.js" → "node setup.js && husky"');
    expect(r.stdout).toContain('updated  .husky/pre-commit: added `archon-migrate guard` before its existing commands');
    expect(r.stdout).toContain('kept     lint-staged config (package.json "lint-staged")');
    expect(r.stdout).toContain('updated  .gitignore: added .archon/');
    expect(p.read('.husky/pre-commit')).toBe('archon-migrate guard\nnpx lint-staged\n');
    const pkg = JSON.parse(p.read('package.json')) as { scripts: Record<string, string>; 'lint-staged': unknown };
    expect(pkg.scripts['db:migrate']).toBe('prisma migrate deploy');
    expect(pkg.scripts['db:status']).toBe('archon-migrate status');
    expect(pkg['lint-staged']).toEqual({ '*.js': 'node --check' });
    expect(p.cli(['init']).stdout).toContain('nothing to change');
  });
});
