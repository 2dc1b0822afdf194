/**
 * The migration checksum — a published, stable spec (docs/checksum-spec.md, DESIGN §2):
 * SHA-256 over the file's bytes after removing one leading UTF-8 BOM and turning CRLF and lone CR
 * into LF. Nothing else is normalised. Written `sha256:<64 lower-case hex digits>`.
 */
import { createHash } from 'node:crypto';

const CR = 0x0d;
const LF = 0x0a;

export function normalizeForChecksum(bytes: Uint8Array): Uint8Array {
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const out = new Uint8Array(bytes.length - start);
  let n = 0;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === CR) {
      out[n++] = LF;
      if (bytes[i + 1] === LF) i++;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

export function checksum(content: Uint8Array | string): string {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return 'sha256:' + createHash('sha256').update(normalizeForChecksum(bytes)).digest('hex');
}

const CHECKSUM_RE = /^sha256:[0-9a-f]{64}$/;

export function isChecksum(value: string): boolean {
  return CHECKSUM_RE.test(value);
}
