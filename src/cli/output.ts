/**
 * Everything the CLI prints goes through one Output, which redacts every line: known secrets
 * (the password of any database URL the run has seen) and the password of any postgres:// URL.
 * Redaction is a property of the channel, not something each message has to remember.
 */
import { createColors } from 'picocolors';
import { redactSecrets } from '../core/redact.js';

export interface Writer {
  write(chunk: string): unknown;
}

export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export interface Output {
  /** stdout; suppressed by --quiet and when json mode is on. */
  info(line: string): void;
  /** stdout always (command results, tables). */
  result(line: string): void;
  /** stderr. */
  warn(line: string): void;
  /** stdout, one JSON document. */
  json(value: unknown): void;
  /** Identity functions when colours are off. */
  readonly color: Colors;
  readonly isTTY: boolean;
}

/**
 * Colours: off with --no-color, with NO_COLOR set, with FORCE_COLOR=0; on with FORCE_COLOR;
 * otherwise on only when stdout is a terminal (and TERM is not "dumb").
 */
export function colorEnabled(options: { flag?: boolean; env: Readonly<Record<string, string | undefined>>; isTTY: boolean }): boolean {
  const { flag, env, isTTY } = options;
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/** The secrets a database URL carries: its password (raw and decoded) and password parameters. */
export function urlSecrets(url: string | undefined): string[] {
  if (url === undefined || url === '') return [];
  const out: string[] = [];
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') out.push(parsed.password);
    for (const key of ['password', 'pass', 'pwd', 'sslpassword']) {
      const value = parsed.searchParams.get(key);
      if (value) out.push(value);
    }
  } catch {
    // Not a URL: a user:password@ part may still be present.
    const m = /:\/\/[^:/@\s]*:([^@\s]+)@/.exec(url);
    if (m) out.push(m[1]!);
  }
  return out;
}

export class CliOutput implements Output {
  readonly color: Colors;
  readonly isTTY: boolean;
  /** Set by the command runner for --json / --format json: info lines are then suppressed. */
  jsonMode = false;
  /** --quiet: info lines are suppressed. */
  quiet: boolean;
  private readonly secrets = new Set<string>();

  constructor(
    private readonly io: { stdout: Writer; stderr: Writer },
    options: { isTTY: boolean; color: boolean; quiet: boolean },
  ) {
    this.isTTY = options.isTTY;
    this.quiet = options.quiet;
    const c = createColors(options.color);
    this.color = { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan };
  }

  /** Everything printed from now on has these secrets replaced by ****. */
  addSecrets(secrets: readonly string[]): void {
    for (const s of secrets) if (s !== '') this.secrets.add(s);
  }

  redact(text: string): string {
    return redactSecrets(text, [...this.secrets]);
  }

  info(line: string): void {
    if (!this.quiet && !this.jsonMode) this.writeOut(line);
  }

  result(line: string): void {
    this.writeOut(line);
  }

  warn(line: string): void {
    this.io.stderr.write(this.redact(line) + '\n');
  }

  json(value: unknown): void {
    this.writeOut(JSON.stringify(value, null, 2));
  }

  /** Raw text to stdout (commander's help), redacted like the rest. */
  writeOut(text: string): void {
    this.io.stdout.write(this.redact(text.endsWith('\n') ? text : text + '\n'));
  }

  /** Raw text to stderr (commander's messages), redacted like the rest. */
  writeErr(text: string): void {
    this.io.stderr.write(this.redact(text.endsWith('\n') ? text : text + '\n'));
  }
}
