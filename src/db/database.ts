/**
 * The one seam to a database (DESIGN §7). Three adapters implement it: `pg` (servers, poolers,
 * Supabase), PGlite (embedded default) and pg-mem (fast in-memory tests).
 */

export interface Queryable {
  /**
   * One statement. With params it uses the extended protocol with an unnamed statement (safe
   * through transaction-mode poolers). Rows come back as the driver types them: counts should be
   * cast to `::int` in SQL because `pg` returns int8 as a string and PGlite as a number.
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Simple-query protocol: many statements in ONE round trip, no params, no rows. */
  exec(script: string): Promise<void>;
}

/** Releases a lock taken with `Database.lock()`; safe to call twice. */
export type Release = () => Promise<void>;

/** A session of the server that carries a runner's marker comment (see runner-marker.ts). */
export interface ActiveRunner {
  /** the server process of the session */
  pid: number;
  /** "host pid" of the runner */
  appliedBy: string;
  /** what it applies: a migration name, or "rollback of <name>" */
  migration: string;
  /** running a statement now; false between statements */
  active: boolean;
  /** start of its transaction, or of its last statement */
  since: Date | null;
}

/** What the runner needs to know about a backend, instead of asking which one it is. */
export interface Capabilities {
  /** DDL rolls back with its transaction (pg-mem: it commits at once) */
  readonly transactionalDdl: boolean;
  /** `clock_timestamp()` arithmetic, so execution time is measured by the server */
  readonly serverTiming: boolean;
  /** `SET LOCAL lock_timeout` / `statement_timeout`, `RESET ALL` and `RESET ROLE` work */
  readonly sessionSettings: boolean;
  /**
   * One session at a time (PGlite's file lock, pg-mem's mutex, both held by `lock()`): whoever
   * holds the lock is the only runner, so table locks are unnecessary and a 'running' row left in
   * the ledger belongs to a runner that is gone.
   */
  readonly exclusive: boolean;
}

export interface Database extends Queryable {
  readonly kind: 'pg' | 'pglite' | 'pg-mem';
  /** For messages: never contains a password. */
  readonly description: string;
  /**
   * pg and PGlite: true. pg-mem: false — its DDL commits at once, even inside BEGIN … COMMIT, and
   * a failed transaction() that changed the schema cannot be rolled back.
   */
  readonly supportsTransactionalDdl: boolean;
  readonly capabilities: Capabilities;
  /**
   * The sessions that carry a runner's marker (pg: from pg_stat_activity), to tell a live
   * runner from a dead one. undefined when the server cannot tell (its sessions are hidden from
   * this role, or the backend has no such view); [] on exclusive backends.
   */
  activeRunners(): Promise<ActiveRunner[] | undefined>;
  /**
   * BEGIN / COMMIT (or ROLLBACK when `fn` throws) on one connection. Calls on one Database are
   * serialised. Use `tx`, not the Database, inside `fn`.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Serialises runners that share this Database object where the backend needs it: pg-mem takes
   * an in-process mutex; PGlite already holds an exclusive file lock on its data dir since open;
   * pg resolves at once (through poolers, correctness comes from the ledger's unique index, not
   * from connection-level locks). Release it in `finally`.
   */
  lock(): Promise<Release>;
  close(): Promise<void>;
}

export interface DatabaseErrorFields {
  code?: string;
  severity?: string;
  /** 1-based character (code point) offset into the SQL text that was sent. */
  position?: number;
  detail?: string;
  hint?: string;
  where?: string;
  internalPosition?: number;
  internalQuery?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  /** The connection is gone (terminated, reset, server shut down); the outcome of an in-flight COMMIT is unknown. */
  connectionLost?: boolean;
}

/** An error reported by the database (or by the driver about the connection), normalised. */
export class DatabaseError extends Error implements DatabaseErrorFields {
  code?: string;
  severity?: string;
  position?: number;
  detail?: string;
  hint?: string;
  where?: string;
  internalPosition?: number;
  internalQuery?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  connectionLost?: boolean;

  constructor(message: string, fields: DatabaseErrorFields = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (this as Record<string, unknown>)[key] = value;
    }
  }
}

export function isDatabaseError(value: unknown): value is DatabaseError {
  return value instanceof DatabaseError;
}

/** SQLSTATE class 57P (operator intervention: terminated, shutdown) and 08 (connection exception). */
const CONNECTION_LOST_CODES = /^(57P0[1-3]|08)/;
const CONNECTION_LOST_MESSAGES = /Connection terminated|not queryable|ECONNRESET|EPIPE|socket hang up|Client has encountered a connection error/i;

function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function toText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** pg-mem names some errors only by class. */
const PG_MEM_CLASS_CODES: Record<string, string> = {
  RelationNotFound: '42P01',
  ColumnNotFound: '42703',
  AmbiguousColumn: '42702',
  CastError: '42846',
  TypeNotFound: '42704',
  RecordExists: '42P07',
};

/** Offset (1-based, in code points) of `line`/`col` (1-based) in `sql`. */
function lineColumnToPosition(sql: string, line: number, col: number): number {
  const chars = [...sql];
  let currentLine = 1;
  let i = 0;
  while (i < chars.length && currentLine < line) {
    if (chars[i] === '\n') currentLine += 1;
    i += 1;
  }
  return Math.min(i + col, chars.length + 1);
}

function fromPgMem(error: Error & { data?: Record<string, unknown>; code?: unknown }, sql?: string): DatabaseError {
  const data = error.data ?? {};
  let message = toText(data.error) ?? error.message;
  let code = toText(data.code) ?? toText(error.code) ?? PG_MEM_CLASS_CODES[error.constructor.name];
  let position: number | undefined;
  const syntax = /Syntax error at line (\d+) col (\d+):[\s\S]*?Unexpected \S+ token: ("(?:[^"\\]|\\.)*")/.exec(message)
    ?? /Syntax error at line (\d+) col (\d+):/.exec(message);
  if (syntax) {
    code = '42601';
    const line = Number(syntax[1]);
    const col = Number(syntax[2]);
    if (sql !== undefined) position = lineColumnToPosition(sql, line, col);
    const near = syntax[3] === undefined ? undefined : (JSON.parse(syntax[3]) as string);
    message = near === undefined ? `syntax error at line ${line} column ${col}` : `syntax error at or near "${near}"`;
  } else if (/^schema not found/i.test(message)) {
    code = '3F000';
  } else if (/failed to parse/i.test(message)) {
    code = '42601';
    message = 'syntax error';
  }
  // pg-mem appends advice about itself; keep PostgreSQL's first line only.
  message = message.split('\n')[0]!.replace(/^ERROR:\s*/, '').trim();
  if (code === '23505' && / - (duplicate key value violates unique constraint.*)$/.exec(message)) {
    message = / - (duplicate key value violates unique constraint.*)$/.exec(message)![1]!;
  }
  const hint = toText(data.hint);
  return new DatabaseError(message, {
    code,
    position,
    hint: hint && !/pg-mem/i.test(hint) ? hint : undefined,
  }, { cause: error });
}

/**
 * Normalises an error thrown by `pg`, PGlite or pg-mem into a DatabaseError. `sql` is the text
 * that was sent (pg-mem reports line/column; it is turned into PostgreSQL's 1-based position).
 * ArchonErrors and DatabaseErrors pass through unchanged.
 */
export function toDatabaseError(error: unknown, sql?: string): Error {
  if (error instanceof DatabaseError) return error;
  if (!(error instanceof Error)) return new DatabaseError(String(error));
  if (error.name === 'ArchonError') return error;
  const e = error as Error & Record<string, unknown>;
  if ('data' in e && typeof e.data === 'object' && e.data !== null && 'error' in (e.data as object)) {
    return fromPgMem(e as Error & { data?: Record<string, unknown> }, sql);
  }
  if (/failed to parse|Syntax error at line/i.test(error.message) && error.constructor.name !== 'DatabaseError') {
    return fromPgMem(e, sql);
  }
  const code = toText(e.code);
  const isSqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code);
  const connectionLost = (isSqlState && CONNECTION_LOST_CODES.test(code)) || toText(e.severity) === 'FATAL'
    || (!isSqlState && CONNECTION_LOST_MESSAGES.test(error.message))
    || code === 'ECONNRESET' || code === 'EPIPE';
  return new DatabaseError(error.message, {
    code: isSqlState ? code : undefined,
    severity: toText(e.severity),
    position: toNumber(e.position),
    detail: toText(e.detail),
    hint: toText(e.hint),
    where: toText(e.where),
    internalPosition: toNumber(e.internalPosition),
    internalQuery: toText(e.internalQuery),
    schema: toText(e.schema),
    table: toText(e.table),
    column: toText(e.column),
    constraint: toText(e.constraint),
    connectionLost: connectionLost || undefined,
  }, { cause: error });
}

/** A FIFO mutex; `run` holds it for the duration of `fn`. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  async acquire(): Promise<Release> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => { release = resolve; });
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      release();
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      await release();
    }
  }
}
