/**
 * Runs one command as a child process and measures it: wall time from the bench process
 * (hrtime around spawn → exit) and the client's CPU seconds (user + system of the command and
 * the children it waited for) from GNU time (`/usr/bin/time -f`, Debian package `time`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';

export interface Command {
  file: string;
  args: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Sample {
  wallSeconds: number;
  cpuSeconds: number; // user + sys of the command, children included
}

export class CommandFailed extends Error {}

export function assertGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new Error(`${GNU_TIME} is missing: install the Debian package \`time\` (apt-get install time); it measures the client CPU of each tool.`);
  }
}

const scratch = mkdtempSync(path.join(tmpdir(), 'archon-bench-time-'));
let runs = 0;

export function describe(command: Command): string {
  return [command.file, ...command.args].join(' ');
}

/** Runs `command` under GNU time; throws CommandFailed (with the tail of its output) on a non-zero exit. */
export async function measure(command: Command): Promise<Sample> {
  runs++;
  const timeFile = path.join(scratch, `time-${runs}.txt`);
  const logFile = path.join(scratch, `log-${runs}.txt`);
  const log = openSync(logFile, 'w');
  const started = process.hrtime.bigint();
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-f', '%U %S', '-o', timeFile, '--', command.file, ...command.args], {
      cwd: command.cwd,
      env: command.env as NodeJS.ProcessEnv | undefined,
      stdio: ['ignore', log, log],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(log);
  const output = readFileSync(logFile, 'utf8');
  rmSync(logFile);
  if (exitCode !== 0) {
    const tail = output.split('\n').slice(-25).join('\n');
    throw new CommandFailed(`\`${describe(command)}\` exited with ${exitCode}${command.cwd ? ` (cwd ${command.cwd})` : ''}:\n${tail}`);
  }
  const timeLines = readFileSync(timeFile, 'utf8').trim().split('\n');
  rmSync(timeFile);
  const [user, sys] = (timeLines[timeLines.length - 1] ?? '').split(' ').map(Number);
  if (user === undefined || sys === undefined || Number.isNaN(user) || Number.isNaN(sys)) {
    throw new Error(`could not read GNU time output for \`${describe(command)}\`: ${timeLines.join(' / ')}`);
  }
  return { wallSeconds, cpuSeconds: user + sys };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function cleanupScratch(): void {
  rmSync(scratch, { recursive: true, force: true });
}
