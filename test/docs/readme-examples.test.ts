/**
 * The command examples of README.md and QUICKSTART.md are executed (STYLE: docs are tested).
 *
 * Every ```sh / ```console / ```bash block must be preceded by a marker comment:
 *   <!-- test: run -->       run it in a fresh copy of the fixture project
 *   <!-- test: continue -->  run it in the project of the previous block of the same file
 *   <!-- test: skip — why --> do not run it (installs packages, needs secrets…)
 * In a console block, `$ ` lines are commands (a trailing `# exit N` states a non-zero exit
 * code) and the other lines are expected output: each must match a whole output line of its
 * command, whitespace runs collapsed, `…` standing for any text. In a sh block every line is a
 * command that must exit 0.
 *
 * The fixture is this repository's own project shape: package.json with the `db:*` scripts,
 * archon-migrate.config.ts and a copy of migrations/, committed in a fresh git repository. The
 * CLI is on PATH as `archon-migrate` (a shim running dist/cli/main.js, which `npm test` builds
 * first) and DATABASE_URL points at a fresh database on the test PostgreSQL server.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPgDatabase } from '../support/databases.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(repo, 'dist', 'cli', 'main.js');

export interface Command {
  line: string;
  exit: number;
  expect: string[];
}

export interface Block {
  file: string;
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  mode: 'run' | 'continue' | 'skip' | 'unmarked';
  commands: Command[];
}

/** The shell blocks of a Markdown text, with their markers. */
export function shellBlocks(markdown: string, file: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const lang = fence[1]!;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const body = lines.slice(i + 1, end);
    const open = i;
    i = end;
    if (!['sh', 'console', 'bash', 'shell'].includes(lang)) continue;
    let j = open - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const marker = j >= 0 ? /^<!--\s*test:\s*(run|continue|skip)\b.*-->\s*$/.exec(lines[j]!.trim()) : null;
    const mode = marker ? (marker[1] as Block['mode']) : 'unmarked';
    const commands: Command[] = [];
    for (const raw of body) {
      if (lang === 'console') {
        if (raw.startsWith('$ ')) {
          const exit = /\s#\s*exit\s+([0-9]+)\s*$/.exec(raw);
          commands.push({ line: raw.slice(2).replace(/\s#\s*exit\s+[0-9]+\s*$/, '').trimEnd(), exit: exit ? Number(exit[1]) : 0, expect: [] });
        } else if (raw.trim() !== '') {
          if (commands.length === 0) throw new Error(`${file}:${open + 1}: output before the first $ command`);
          commands[commands.length - 1]!.expect.push(raw);
        }
      } else if (raw.trim() !== '' && !raw.trim().startsWith('#')) {
        commands.push({ line: raw, exit: 0, expect: [] });
      }
    }
    blocks.push({ file, line: open + 1, lang, mode, commands });
  }
  return blocks;
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Whether `expected` (with … wildcards) matches one whole line of `output`. */
export function matchesALine(expected: string, output: string): boolean {
  const pattern = collapse(expected).split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const re = new RegExp(`^${pattern}$`);
  return output.split('\n').some((l) => re.test(collapse(l)));
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

let shimDir: string | undefined;
function shim(): string {
  if (shimDir) return shimDir;
  if (!existsSync(bin)) throw new Error(`${path.relative(repo, bin)} is missing: run \`npm run build\` first (npm test does)`);
  shimDir = temp('archon-shim-');
  const file = path.join(shimDir, 'archon-migrate');
  writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(file, 0o755);
  return shimDir;
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

const git = (cwd: string, env: NodeJS.ProcessEnv, args: string) => sh(`git ${args}`, cwd, env);

/** A fresh copy of the fixture project, committed, with its own database. */
async function fixtureProject(): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = temp('archon-docs-');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'fixture',
    private: true,
    scripts: {
      'db:migrate': 'archon-migrate up',
      'db:status': 'archon-migrate status',
      'db:create': 'archon-migrate create',
      'db:rollback': 'archon-migrate down',
      'db:verify': 'archon-migrate verify',
    },
  }, null, 2) + '\n');
  cpSync(path.join(repo, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
  cpSync(path.join(repo, 'archon-migrate.config.ts'), path.join(dir, 'archon-migrate.config.ts'));
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n.env\n.archon/\n');
  const env: NodeJS.ProcessEnv = {
    PATH: `${shim()}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? dir,
    DATABASE_URL: await freshPgDatabase(),
    GIT_AUTHOR_NAME: 'Docs', GIT_AUTHOR_EMAIL: 'docs@example.com', GIT_COMMITTER_NAME: 'Docs', GIT_COMMITTER_EMAIL: 'docs@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  for (const args of ['init -q -b main', 'add -A', 'commit -q -m fixture']) {
    const r = await git(dir, env, args);
    if (r.code !== 0) throw new Error(`git ${args}: ${r.output}`);
  }
  return { dir, env };
}

const documents = ['README.md', 'QUICKSTART.md'].map((file) => ({ file, blocks: shellBlocks(readFileSync(path.join(repo, file), 'utf8'), file) }));

describe('the example parser', () => {
  it('reads commands, exit codes and expected lines', () => {
    const blocks = shellBlocks('<!-- test: run -->\n```console\n$ a --x   # exit 1\nout …\n$ b\n```\n\n```sh\nc\n# note\n```\n', 'x.md');
    expect(blocks).toEqual([
      { file: 'x.md', line: 2, lang: 'console', mode: 'run', commands: [{ line: 'a --x', exit: 1, expect: ['out …'] }, { line: 'b', exit: 0, expect: [] }] },
      { file: 'x.md', line: 8, lang: 'sh', mode: 'unmarked', commands: [{ line: 'c', exit: 0, expect: [] }] },
    ]);
    expect(matchesALine('Applied … in …', 'x\nApplied 3 migrations in 20 ms\n')).toBe(true);
    expect(matchesALine('Applied … in …', 'Not Applied 3 in 2')).toBe(false);
  });
});

for (const { file, blocks } of documents) {
  describe(`${file} examples`, () => {
    it('marks every shell block (run, continue or skip) and runs at least one', () => {
      expect(blocks.filter((b) => b.mode === 'unmarked').map((b) => `${file}:${b.line}`)).toEqual([]);
      expect(blocks.filter((b) => b.mode === 'run').length).toBeGreaterThan(0);
      expect(blocks[0]?.mode === 'continue').toBe(false);
    });

    it.concurrent('runs as documented', async () => {
      let project: { dir: string; env: NodeJS.ProcessEnv } | undefined;
      for (const block of blocks) {
        if (block.mode === 'skip' || block.mode === 'unmarked') continue;
        if (block.mode === 'run' || !project) project = await fixtureProject();
        for (const command of block.commands) {
          const r = await sh(command.line, project.dir, project.env);
          const where = `${file}:${block.line}: $ ${command.line} → exit ${r.code}\n${r.output}`;
          expect(r.code, where).toBe(command.exit);
          for (const line of command.expect) expect(matchesALine(line, r.output), `${where}\nexpected a line: ${line}`).toBe(true);
        }
      }
    }, 180_000);
  });
}
