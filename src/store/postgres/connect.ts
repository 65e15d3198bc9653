// The one module that loads `pg`: a pool on a docproc schema, with errors that never carry a password.
import type { Pool, PoolClient } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import { DocprocError } from '../../errors.js';
import { retryConnects } from './reconnect.js';
import { scrubSecrets, type PgConnection } from './url.js';

/** The pool, or one client of it inside a transaction. */
export type Queryable = Pool | PoolClient;

type PgModule = typeof import('pg');

let loaded: PgModule | undefined;

/** pg is only needed for postgres:// URLs, so it is imported on first use, and a failure names the fix. */
export async function loadPg(): Promise<PgModule> {
  if (loaded) return loaded;
  try {
    const mod = (await import('pg')) as PgModule & { default?: PgModule };
    loaded = mod.default ?? mod;
    return loaded;
  } catch (err) {
    throw new DocprocError(`cannot load the Postgres driver (pg): ${(err as Error).message}`, { hint: 'reinstall with `npm ci`' });
  }
}

export interface PoolSettings {
  conn: PgConnection;
  /** Schemas searched, in order: docproc's own, then the one holding pgvector's type and operators. */
  searchPath: string[];
  readonly: boolean;
  connectTimeoutMs: number;
  /** How long a refused connection is tried again once the pool has connected (reconnect.ts). */
  reconnectMs: number;
  max?: number;
}

/**
 * Opens a pool and proves it with one connection. Under sslmode prefer (libpq's default) TLS is tried
 * first and plain TCP only when the server has no TLS at all, as libpq does.
 */
export async function openPool(s: PoolSettings): Promise<Pool> {
  const pg = await loadPg();
  const choices: (false | ConnectionOptions)[] = s.conn.ssl === 'prefer' ? [{ rejectUnauthorized: false }, false] : [s.conn.ssl];
  for (let i = 0; ; i++) {
    const pool = newPool(pg, s, choices[i]!);
    retryConnects(pool, s.reconnectMs);
    try {
      (await pool.connect()).release();
      return pool;
    } catch (err) {
      await pool.end().catch(() => {});
      if (i + 1 < choices.length && /does not support SSL/i.test((err as Error).message)) continue;
      throw connectError(err, s.conn);
    }
  }
}

function newPool(pg: PgModule, s: PoolSettings, ssl: false | ConnectionOptions): Pool {
  // Startup options, not a SET after connecting: every connection has them before its first query. Schemas
  // are found by name on every statement, so a rebuild that renames schemas is seen by open connections.
  const own = [`-c search_path=${escapeOption(s.searchPath.map(quoteIdent).join(','))}`];
  // Defence in depth for read-only opens: the server itself refuses writes, whatever a caller tries.
  if (s.readonly) own.push('-c default_transaction_read_only=on');
  // pg-pool also applies its connectionTimeoutMillis to waiting for a free client of a busy pool: a run with more
  // files in flight than connections then died of "timeout exceeded when trying to connect" whenever the server
  // was slow for a moment. The timeout is for opening a connection, so the clients get it and the pool waits.
  const connectTimeoutMs = s.connectTimeoutMs;
  class TimedClient extends pg.Client {
    constructor(config?: ConstructorParameters<typeof pg.Client>[0]) {
      super({ ...(typeof config === 'object' ? config : {}), connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  const pool = new pg.Pool({
    Client: TimedClient,
    connectionString: s.conn.connectionString,
    ssl,
    options: [s.conn.options, ...own].filter(Boolean).join(' '),
    application_name: 'docproc',
    connectionTimeoutMillis: 0,
    max: s.max ?? 10,
    types: { getTypeParser: typeParser(pg) as never },
  });
  // An idle client whose server went away: the pool drops it; the next query reports the problem.
  pool.on('error', () => {});
  return pool;
}

/** The server splits startup options at spaces; a backslash keeps one (a schema name may hold a space). */
const escapeOption = (o: string): string => o.replace(/[\\ ]/g, (ch) => '\\' + ch);

/**
 * bigint ids and counts as numbers (ids stay far below 2^53), and timestamps as ISO strings like SQLite's
 * (timestamptz's own parser makes a Date).
 */
function typeParser(pg: PgModule): (oid: number, format?: string) => (v: string) => unknown {
  const INT8 = 20;
  const TIMESTAMPTZ = 1184;
  const dateOf = pg.types.getTypeParser(TIMESTAMPTZ) as (v: string) => Date;
  return (oid, format) => {
    if (oid === INT8) return Number;
    if (oid === TIMESTAMPTZ) return (v) => dateOf(v).toISOString();
    return pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown;
  };
}

export const quoteIdent = (name: string): string => '"' + name.replace(/"/g, '""') + '"';

/** A connection failure as a DocprocError: the redacted URL, the driver's reason without any secret. */
export function connectError(err: unknown, conn: PgConnection): DocprocError {
  const e = err as { message?: string; code?: string };
  const reason = scrubSecrets(e.message || e.code || String(err), conn.secrets);
  const hint = e.code === '28P01' ? 'check the user and password (URL, or PGPASSWORD)'
    : e.code === '3D000' ? `create the database first: CREATE DATABASE ${conn.database};`
    : e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' ? 'is the server running, and are host and port right?'
    : undefined;
  return new DocprocError(`cannot connect to ${conn.location}: ${reason}`, { code: 'db-connect', hint });
}

/** Runs fn in one transaction on one client; rolls back on error. */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(begin);
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}
