/**
 * `status | head -1` and `up --dry-run | head`: the reader closes the pipe after its first line.
 * The command ends quietly with its own exit code — no EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { createTestDatabase, pgUrl } from '../support/databases.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'archon-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runAndCloseAfterFirstChunk(argv: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString().split('\n')[0]!;
      child.stdout.destroy(); // what `head -1` does once it has its line
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
}

test('a reader that closes the pipe early ends the command quietly, with its own exit code', async () => {
  mkdirSync(path.join(dir, 'migrations'));
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "pipe" }\n');
  for (let i = 1; i <= 1500; i++) {
    writeFileSync(path.join(dir, 'migrations', `${String(i).padStart(4, '0')}_table_${i}.sql`), `CREATE TABLE t${i} (id bigint PRIMARY KEY, note text DEFAULT '${'x'.repeat(40)}');\n`);
  }
  const url = pgUrl(await createTestDatabase());
  for (const argv of [['status'], ['up', '--dry-run']]) {
    const run = await runAndCloseAfterFirstChunk(argv, { DATABASE_URL: url, NO_COLOR: '1' });
    expect(run.first).not.toBe('');
    expect(run.stderr, argv.join(' ')).not.toMatch(/EPIPE|at .*\.js:\d+|Error/);
    expect(run.code, argv.join(' ')).toBe(0);
  }
});
