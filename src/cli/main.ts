#!/usr/bin/env node
/**
 * The `archon-migrate` bin. `--version` is answered before anything else is loaded — this file
 * has no static imports, so the built bin is a single small module and the answer costs little
 * more than Node's own start-up. Everything else is in run-cli.ts.
 */

// Replaced at build time (tsup `define`); see version.ts for the fallback used from source.
declare const __ARCHON_MIGRATE_VERSION__: string | undefined;

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const version = typeof __ARCHON_MIGRATE_VERSION__ === 'string'
    ? __ARCHON_MIGRATE_VERSION__
    : (await import('./version.js')).packageVersion();
  process.stdout.write(`${version}\n`);
} else {
  const { runCli } = await import('./run-cli.js');
  process.exitCode = await runCli(argv, {
    cwd: process.cwd(),
    env: process.env,
    stdout: closable(process.stdout),
    stderr: closable(process.stderr),
    isTTY: process.stdout.isTTY === true,
  });
}

/**
 * A reader that goes away (`status | head -1`) closes the pipe: the command finishes its work
 * quietly, with its own exit code, instead of dying on an EPIPE stack trace half-way through.
 */
function closable(stream: NodeJS.WriteStream): { write(chunk: string): boolean } {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return { write: (chunk: string) => (closed ? false : stream.write(chunk)) };
}
