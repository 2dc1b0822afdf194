/**
 * A TCP proxy in front of PostgreSQL that counts the frontend (client → server) protocol messages
 * that end a round trip: a simple-protocol Query ('Q') or an extended-protocol Sync ('S'). After
 * either, the client waits for ReadyForQuery, so (Q + S) is the number of round trips a client
 * made, whatever driver it uses (psql, node-postgres, Go's pgx/lib/pq).
 *
 * Frontend framing: the first message of a connection has no type byte (int32 length, int32 code);
 * an SSLRequest / GSSENCRequest is answered by the server with one byte and followed by another
 * untyped startup message. Every later message is `type byte, int32 length (incl. itself), body`.
 */
import net from 'node:net';

export interface RoundTripCounts {
  connections: number;
  simpleQueries: number; // 'Q'
  syncs: number; // 'S'
  parses: number; // 'P'
}

export interface RoundTripProxy {
  readonly port: number;
  counts(): RoundTripCounts;
  reset(): void;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export function roundTrips(c: RoundTripCounts): number {
  return c.simpleQueries + c.syncs;
}

export async function startRoundTripProxy(target: { host: string; port: number }): Promise<RoundTripProxy> {
  let counts: RoundTripCounts = { connections: 0, simpleQueries: 0, syncs: 0, parses: 0 };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    counts.connections++;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    let buffered: Buffer = Buffer.alloc(0);
    let expectStartup = true;

    client.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let offset = 0;
      for (;;) {
        if (expectStartup) {
          if (buffered.length - offset < 8) break;
          const length = buffered.readInt32BE(offset);
          if (buffered.length - offset < length) break;
          const code = buffered.readInt32BE(offset + 4);
          expectStartup = code === SSL_REQUEST || code === GSSENC_REQUEST;
          offset += length;
        } else {
          if (buffered.length - offset < 5) break;
          const type = buffered[offset];
          const length = buffered.readInt32BE(offset + 1);
          if (buffered.length - offset < 1 + length) break;
          if (type === 0x51) counts.simpleQueries++;
          else if (type === 0x53) counts.syncs++;
          else if (type === 0x50) counts.parses++;
          offset += 1 + length;
        }
      }
      buffered = buffered.subarray(offset);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('round-trip proxy: no TCP address');

  return {
    port: address.port,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = { connections: 0, simpleQueries: 0, syncs: 0, parses: 0 };
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
