/**
 * A big migration (a data seed of 20 MB) is read whole but never expanded into one object per
 * token: peak memory stays a small multiple of the file (README: about 4×), where it used to be
 * about 17× (a 60 MB file peaked at 1.1 GB).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { createTestDatabase, pgUrl, withClient } from '../support/databases.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'archon-big-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a 20 MB migration applies with a peak memory under 10× its size', { timeout: 300_000 }, async () => {
  mkdirSync(path.join(dir, 'migrations'));
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "big" }\n');
  const lines = ['CREATE TABLE seed (id bigint PRIMARY KEY, note text NOT NULL);'];
  let size = 0;
  for (let i = 0; size < 20 * 1024 * 1024; i += 100) {
    const values = Array.from({ length: 100 }, (_, k) => `(${i + k}, 'note ${i + k}: some words to make the row longer')`).join(', ');
    const line = `INSERT INTO seed (id, note) VALUES ${values};`;
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(path.join(dir, 'migrations', '001_seed.sql'), `${lines.join('\n')}\n`);
  const hook = path.join(dir, 'max-rss.mjs');
  writeFileSync(hook, "process.on('exit', () => process.stderr.write(`max-rss-kb ${process.resourceUsage().maxRSS}\\n`));\n");
  const url = pgUrl(await createTestDatabase());

  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', hook, CLI, 'up', '--quiet'], { cwd: dir, env: { PATH: process.env.PATH ?? '', DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stderr: err }));
  });
  expect(code, stderr).toBe(0);
  const maxRssKb = Number(/max-rss-kb (\d+)/.exec(stderr)?.[1]);
  expect(maxRssKb).toBeGreaterThan(0);
  expect(maxRssKb * 1024).toBeLessThan(10 * size);
  await withClient(url, async (c) => {
    expect((await c.query('SELECT count(*)::int AS n FROM seed')).rows[0]).toEqual({ n: (lines.length - 1) * 100 });
  });
});
