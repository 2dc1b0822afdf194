/**
 * The README states facts that the code decides; these tests keep them true:
 * - every message the source can print is listed in the troubleshooting section;
 * - every command and option that program.ts registers is in the command reference;
 * - every config key and environment variable the loader knows is documented;
 * - the reliability figures are the catalogue's real numbers;
 * - the CI example is the workflow file, verbatim;
 * - the linked files exist, and no figure is quoted from a benchmark report that does not exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMANDS } from '../../src/cli/program.js';
import { ENV_VARS, ENV_VAR_ENV } from '../../src/config/load-config.js';
import { cases } from '../reliability/cases.js';
import { collectMessages, MIN_FRAGMENT, normalizeForSearch } from './messages.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');

/** The text of a `## heading` section, up to the next `## ` heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next === -1 ? undefined : next);
}

describe('troubleshooting lists every message of the source', () => {
  const messages = collectMessages(path.join(repo, 'src'));
  const troubleshooting = normalizeForSearch(section(readme, 'Troubleshooting'));

  it('finds the messages (the extractor still works)', () => {
    expect(messages.length).toBeGreaterThan(100);
    for (const m of messages) expect(m.fragment.length).toBeGreaterThanOrEqual(MIN_FRAGMENT);
  });

  it('documents each of them', () => {
    const missing = messages.filter((m) => !troubleshooting.includes(normalizeForSearch(m.fragment)));
    expect(missing.map((m) => `src/${m.file}:${m.line}: "${m.fragment}" (from: ${m.template})`)).toEqual([]);
  });
});

describe('the command reference matches the CLI', () => {
  const program = buildProgram({ version: '0.0.0', writeOut: () => {}, writeErr: () => {}, run: async () => {} });
  const reference = section(readme, 'Command reference');

  it('has a heading for every command', () => {
    for (const name of Object.keys(COMMANDS)) expect(reference).toMatch(new RegExp(`^### \`${name}\\b`, 'm'));
  });

  it('names every option of every command, and every global option', () => {
    for (const option of program.options) expect(reference, option.flags).toContain(option.long ?? option.flags);
    for (const command of program.commands) {
      const name = command.name();
      if (!Object.hasOwn(COMMANDS, name)) continue;
      const start = reference.indexOf(`### \`${name}`);
      const end = reference.indexOf('\n### ', start + 1);
      const text = reference.slice(start, end === -1 ? undefined : end);
      for (const option of command.options) expect(text, `${name} ${option.flags}`).toContain(option.long!);
      for (const arg of command.registeredArguments) expect(text, `${name} <${arg.name()}>`).toContain(arg.name());
    }
  });

  it('states the three exit codes', () => {
    expect(reference).toContain('`0` ok');
    expect(reference).toContain('`1` failed or blocked');
    expect(reference).toContain('`2` bad usage, configuration or input');
  });
});

describe('configuration is fully documented', () => {
  const config = section(readme, 'Configuration and environments');
  it('every config key', () => {
    for (const key of ['migrationsDir', 'rollbacksDir', 'lockfile', 'table', 'databaseUrl', 'environments', 'baseBranch', 'allowOutOfOrder', 'lockTimeout', 'statementTimeout']) {
      expect(config).toContain(`| \`${key}\` |`);
    }
  });
  it('every environment variable', () => {
    for (const [name] of ENV_VARS) expect(config).toContain(`\`${name}\``);
    expect(config).toContain(`\`${ENV_VAR_ENV}\``);
    expect(config).toContain('`ARCHON_MIGRATE_WAIT_TIMEOUT`');
  });
});

describe('figures and links are true', () => {
  it('the reliability figures are the catalogue of test/reliability/cases.ts', () => {
    const reliability = section(readme, 'Why trust it');
    const bugs = cases.filter((c) => c.knownBug !== undefined).length;
    expect(reliability).toContain(`**${cases.length} bad inputs**`);
    if (bugs > 0) expect(reliability).toContain(`**${bugs} of them expose open bugs**`);
    else expect(reliability).not.toContain('expose open bugs');
  });

  it('quotes the benchmark targets verbatim from bench/RESULTS.md, or says they are pending', () => {
    const bench = section(readme, 'Why trust it').split('### Reliability')[0]!;
    expect(bench).toContain('bench/RESULTS.md');
    const quoted = /<!-- bench-targets:start -->\n([\s\S]*?)\n<!-- bench-targets:end -->/.exec(bench)?.[1];
    expect(quoted, 'README.md: the benchmark targets go between <!-- bench-targets:start --> and <!-- bench-targets:end -->').toBeDefined();
    const report = path.join(repo, 'bench', 'RESULTS.md');
    if (!existsSync(report)) {
      expect(quoted).toContain('**Pending.**');
      expect(quoted).not.toMatch(/[0-9]+(\.[0-9]+)?\s*(ms|s|×)\b/);
      return;
    }
    const results = readFileSync(report, 'utf8');
    const targets = /\n## Targets\n([\s\S]*?)(\n## |$)/.exec(results)?.[1] ?? '';
    const table = targets.split('\n').filter((l) => l.startsWith('|')).join('\n');
    expect(table, 'bench/RESULTS.md has a "## Targets" table').not.toBe('');
    expect(quoted, 'README.md quotes an old benchmark run: copy the "## Targets" table of bench/RESULTS.md between the bench-targets markers').toBe(table);
    // Outside the quoted table, no figure is quoted from anywhere.
    expect(bench.replace(quoted!, '')).not.toMatch(/\|\s*[0-9]+(\.[0-9]+)?\s*(ms|s)\s*\|/);
  });

  it('includes the CI workflow verbatim', () => {
    const workflow = readFileSync(path.join(repo, '.github', 'workflows', 'migrations.yml'), 'utf8');
    expect(readme).toContain('```yaml\n' + workflow.trimEnd() + '\n```');
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) {
      // The benchmark report is produced by `npm run bench`; its absence is checked above.
      if (link === 'bench/RESULTS.md') continue;
      expect(existsSync(path.join(repo, link)), link).toBe(true);
    }
  });
});
