/**
 * Their no-transaction markers turned into ours (`-- archon-migrate: no-transaction`), so an
 * imported file runs the way their tool ran it. When their marker is a line of the file's leading
 * comment block, that line is replaced (line numbers stay those of their file); otherwise our
 * directive is added as a new first line.
 */
export const OUR_NO_TRANSACTION = '-- archon-migrate: no-transaction';

const OURS = /^--\s*archon-migrate\s*:\s*no-transaction\s*$/im;

/** Index of the first line that is neither blank nor a `--` comment. */
function headerEnd(lines: readonly string[]): number {
  let i = 0;
  while (i < lines.length && /^\s*(--.*)?\r?$/.test(lines[i]!)) i++;
  return i;
}

export function withOurNoTransaction(text: string, theirMarker?: RegExp): string {
  const lines = text.split('\n');
  const end = headerEnd(lines);
  if (lines.slice(0, end).some((l) => OURS.test(l))) return text;
  if (theirMarker !== undefined) {
    for (let i = 0; i < end; i++) {
      if (theirMarker.test(lines[i]!)) {
        const cr = lines[i]!.endsWith('\r') ? '\r' : '';
        lines[i] = OUR_NO_TRANSACTION + cr;
        return lines.join('\n');
      }
    }
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${OUR_NO_TRANSACTION}${eol}${text}`;
}
