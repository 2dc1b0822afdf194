/**
 * `pg` adapter: ONE `pg.Client` per command (no pool), no named prepared statements, no per-connection
 * state, so it works through PgBouncer / Supabase transaction pooling.
 *
 * `sslmode` follows libpq, not `pg`'s own reading (where `require` means full certificate
 * verification and fails on Supabase): disable / allow = plain; prefer = TLS without
 * verification, falling back to plain when the server has no TLS; require = TLS without
 * verification (with `sslrootcert`: verify the CA); verify-ca = verify the CA; verify-full = verify
 * the CA and the host name; no-verify (`pg` only) = TLS without verification. Without `sslmode`,
 * the connection is plain (as with `pg`; libpq would try TLS first).
 */
import type pg from 'pg';
import { ArchonError, usageError } from '../core/errors.js';
import { redactSecrets } from '../core/redact.js';
import { DatabaseError, Mutex, toDatabaseError, type ActiveRunner, type Capabilities, type Database, type Queryable, type Release } from './database.js';
import { ACTIVE_RUNNERS_SQL, parseRunnerMarker } from './runner-marker.js';

export interface PgOptions {
  applicationName?: string;
  /** Default: the URL's `connect_timeout` (seconds, as libpq reads it), else 15 s. */
  connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * libpq's `connect_timeout` of a URL, in milliseconds: seconds, at least 2 (libpq raises 1 to 2);
 * 0 or a negative number means wait indefinitely (undefined here: `pg` then never times out).
 * A value that is not an integer is refused.
 */
export function urlConnectTimeoutMs(url: string): number | null | undefined {
  const match = /[?&]connect_timeout=([^&#]*)/.exec(url);
  if (!match) return undefined;
  const raw = decodeURIComponent(match[1]!);
  if (!/^-?[0-9]+$/.test(raw.trim())) {
    throw usageError(`invalid connect_timeout ${JSON.stringify(raw)} in the database URL; expected whole seconds`, 'Fix the connect_timeout parameter of DATABASE_URL (for example ?connect_timeout=10).');
  }
  const seconds = Number(raw);
  return seconds <= 0 ? null : Math.max(2, seconds) * 1000;
}

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
export type SslMode = (typeof SSL_MODES)[number];

interface Target {
  host: string;
  port: string;
  user: string;
  database: string;
  password: string | undefined;
}

/** Host, port, user, database of a connection string, for messages; never throws. */
export function describeTarget(url: string): Target {
  try {
    const u = new URL(url);
    const hostParam = u.searchParams.get('host');
    return {
      host: (hostParam ?? decodeURIComponent(u.hostname)) || 'localhost',
      port: u.port || '5432',
      user: decodeURIComponent(u.username),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      password: u.password ? decodeURIComponent(u.password) : (u.searchParams.get('password') ?? undefined),
    };
  } catch {
    return { host: 'localhost', port: '5432', user: '', database: '', password: undefined };
  }
}

function querySslMode(url: string): string | undefined {
  const match = /[?&]sslmode=([^&#]*)/.exec(url);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

function setQueryParam(url: string, key: string, value: string): string {
  const re = new RegExp(`([?&])${key}=[^&#]*`);
  if (re.test(url)) return url.replace(re, `$1${key}=${encodeURIComponent(value)}`);
  const hash = url.indexOf('#');
  const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}${fragment}`;
}

/**
 * Validates `sslmode` and rewrites the URL so that `pg` applies libpq's meaning of it.
 * Returns the URL to use first and, for `prefer`, the plain fallback.
 */
export function resolveSslMode(url: string): { url: string; mode: SslMode | undefined; fallback?: string } {
  const raw = querySslMode(url);
  if (raw === undefined) return { url, mode: undefined };
  if (!(SSL_MODES as readonly string[]).includes(raw)) {
    throw usageError(
      `invalid sslmode ${JSON.stringify(raw)} in the database URL; expected one of ${SSL_MODES.join(', ')}`,
      'Fix the sslmode parameter of DATABASE_URL (for example ?sslmode=require).',
    );
  }
  const mode = raw as SslMode;
  if (mode === 'disable' || mode === 'allow') return { url: setQueryParam(url, 'sslmode', 'disable'), mode };
  if (mode === 'no-verify') return { url, mode };
  const compat = /[?&]uselibpqcompat=/.test(url) ? url : setQueryParam(url, 'uselibpqcompat', 'true');
  if (mode === 'prefer') return { url: compat, mode, fallback: setQueryParam(url, 'sslmode', 'disable') };
  return { url: compat, mode };
}

function connectError(error: unknown, target: Target, sslMode: SslMode | undefined, timeoutMs: number): ArchonError {
  const secrets = target.password ? [target.password] : [];
  const e = (error ?? {}) as { code?: string; message?: string; errno?: string };
  const where = `${target.host}:${target.port}`;
  const raw = String(e.message ?? error);
  const clean = (text: string) => redactSecrets(text, secrets);
  let message: string;
  let hint: string | undefined;
  switch (e.code) {
    case 'ECONNREFUSED':
      message = `cannot connect to ${where} (connection refused) — is the server running? check DATABASE_URL`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      message = `cannot connect to ${where} (host ${JSON.stringify(target.host)} not found) — check the host in DATABASE_URL`;
      break;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      message = `cannot connect to ${where} (${e.code === 'ETIMEDOUT' ? 'timed out' : 'host unreachable'}) — check DATABASE_URL and the network`;
      break;
    case '28P01':
      message = `password authentication failed for user ${JSON.stringify(target.user)}`;
      hint = 'Check the user and password in DATABASE_URL.';
      break;
    case '3D000':
      message = `database ${JSON.stringify(target.database)} does not exist on ${where}`;
      hint = 'Create it, or fix the database name in DATABASE_URL.';
      break;
    default:
      if (/timeout/i.test(raw)) {
        message = `cannot connect to ${where} (no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}) — check DATABASE_URL and the network`;
      } else if (/does not support SSL/i.test(raw)) {
        message = `cannot connect to ${where}: the server does not support SSL (sslmode=${sslMode ?? 'require'})`;
        hint = 'Use sslmode=prefer or sslmode=disable for this server.';
      } else if (/certificate|self[- ]signed|SSL|TLS/i.test(raw)) {
        message = `cannot connect to ${where}: TLS failed (${raw.split('\n')[0]}) with sslmode=${sslMode ?? 'default'}`;
        hint = 'Use sslmode=require to encrypt without verifying the certificate, or give the CA with sslrootcert=<file>.';
      } else {
        message = `cannot connect to ${where}: ${raw.split('\n')[0]}`;
      }
  }
  return new ArchonError(clean(message), { exitCode: 1, ...(hint ? { hint } : {}), cause: undefined });
}

/**
 * Loads pg. At load time pg asks whether it runs in a Cloudflare Worker; on Node 20, which has no
 * global `navigator`, it finds out by constructing a fetch `Response`, which loads undici — about
 * 40 ms on every command. A Node-shaped `navigator`, present only while pg loads, answers the
 * question without that.
 */
async function loadPg(): Promise<typeof pg> {
  const g = globalThis as { navigator?: unknown };
  const stub = g.navigator === undefined;
  if (stub) Object.defineProperty(g, 'navigator', { value: { userAgent: 'Node.js' }, configurable: true, writable: true });
  try {
    return (await import('pg')).default;
  } finally {
    if (stub) delete g.navigator;
  }
}

async function connectClient(url: string, options: Required<PgOptions>): Promise<pg.Client> {
  const { Client } = await loadPg();
  const client = new Client({
    connectionString: url,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs,
  });
  // Until the adapter installs its own listener, swallow errors: connect() rejects with them anyway.
  const early = () => {};
  client.on('error', early);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  client.off('error', early);
  return client;
}

export async function openPg(url: string, opts: PgOptions = {}): Promise<Database> {
  const fromUrl = urlConnectTimeoutMs(url);
  const options: Required<PgOptions> = {
    applicationName: opts.applicationName ?? 'archon-migrate',
    // 0 disables pg's connect timeout: libpq's "wait indefinitely".
    connectTimeoutMs: opts.connectTimeoutMs ?? (fromUrl === null ? 0 : fromUrl ?? DEFAULT_CONNECT_TIMEOUT_MS),
  };
  const target = describeTarget(url);
  const ssl = resolveSslMode(url);
  let client: pg.Client;
  try {
    try {
      client = await connectClient(ssl.url, options);
    } catch (error) {
      if (ssl.fallback && /does not support SSL/i.test(String((error as Error)?.message))) {
        client = await connectClient(ssl.fallback, options);
      } else {
        throw error;
      }
    }
  } catch (error) {
    throw connectError(error, target, ssl.mode, options.connectTimeoutMs);
  }
  const description = `PostgreSQL at ${target.host}:${target.port}/${target.database}${target.user ? ` as ${target.user}` : ''}`;
  return new PgDatabase(client, description, target.password);
}

class PgDatabase implements Database {
  readonly kind = 'pg' as const;
  readonly supportsTransactionalDdl = true as const;
  readonly capabilities: Capabilities = { transactionalDdl: true, serverTiming: true, sessionSettings: true, exclusive: false };
  readonly #client: pg.Client;
  readonly #secrets: string[];
  readonly #txMutex = new Mutex();
  #lost: DatabaseError | undefined;
  #closing = false;

  constructor(client: pg.Client, readonly description: string, password: string | undefined) {
    this.#client = client;
    this.#secrets = password ? [password] : [];
    // A dropped connection (pg_terminate_backend, failover, network) is emitted as 'error' on
    // the client when no query is running. Record it so the next call fails with a clear message
    // instead of the process crashing on an unhandled 'error' event.
    client.on('error', (error) => { this.#markLost(error); });
    client.on('end', () => {
      if (!this.#closing) this.#markLost(new Error('Connection terminated unexpectedly'));
    });
  }

  #markLost(error: unknown): void {
    if (this.#lost || this.#closing) return;
    const normalised = toDatabaseError(error) as DatabaseError;
    const reason = redactSecrets(normalised.message, this.#secrets);
    this.#lost = new DatabaseError(`the connection to ${this.description} was lost (${reason})`, {
      code: normalised.code, severity: normalised.severity, connectionLost: true,
    }, { cause: error });
  }

  #fail(error: unknown, sql: string): Error {
    if (this.#lost) return this.#lost;
    const normalised = toDatabaseError(error, sql);
    if (normalised instanceof DatabaseError) {
      normalised.message = redactSecrets(normalised.message, this.#secrets);
      if (normalised.connectionLost) {
        this.#markLost(normalised);
        return this.#lost ?? normalised;
      }
    }
    return normalised;
  }

  #check(): void {
    if (this.#lost) throw this.#lost;
    if (this.#closing) throw new DatabaseError(`the connection to ${this.description} is closed`, { connectionLost: true });
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#check();
    try {
      // queryMode 'extended': always Parse/Bind/Execute with an unnamed statement, so a query
      // is exactly one statement and behaves the same with or without params.
      const result = await this.#client.query({ text: sql, values: [...params], queryMode: 'extended' } as pg.QueryConfig);
      return result.rows as T[];
    } catch (error) {
      throw this.#fail(error, sql);
    }
  }

  async exec(script: string): Promise<void> {
    this.#check();
    try {
      await this.#client.query(script); // no values: simple-query protocol, one round trip
    } catch (error) {
      throw this.#fail(error, script);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#txMutex.run(async () => {
      await this.exec('BEGIN');
      let result: T;
      try {
        result = await fn({ query: (sql, params) => this.query(sql, params), exec: (script) => this.exec(script) });
      } catch (error) {
        if (!this.#lost) await this.exec('ROLLBACK').catch(() => {});
        throw error;
      }
      await this.exec('COMMIT');
      return result;
    });
  }

  async lock(): Promise<Release> {
    return async () => {};
  }

  async activeRunners(): Promise<ActiveRunner[] | undefined> {
    let rows: { pid: number; state: string | null; since: Date | null; query: string }[];
    try {
      rows = await this.query(ACTIVE_RUNNERS_SQL);
    } catch (error) {
      if (error instanceof DatabaseError && error.connectionLost) throw error;
      return undefined;
    }
    return rows.flatMap((r) => {
      const marker = parseRunnerMarker(r.query);
      return marker ? [{ pid: Number(r.pid), ...marker, active: r.state === 'active', since: r.since ? new Date(r.since) : null }] : [];
    });
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#client.end().catch(() => {});
  }
}
