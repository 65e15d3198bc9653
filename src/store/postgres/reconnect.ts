// Opening a connection mid-run that the server refuses for the moment (too many clients, starting up, restarting,
// slow to answer) is tried again for a while: no statement was sent, so trying again can never apply one twice.
import type { Pool, PoolClient } from 'pg';

/** SQLSTATEs of a server that may accept the connection a moment later. */
const TRANSIENT_CODES = new Set([
  '53300', // too_many_connections (server-wide or the role's CONNECTION LIMIT)
  '53000', // insufficient_resources
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
]);

export function isTransientConnectError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof e?.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  // pg's own words for a connection that timed out or was cut while it was being opened.
  if (typeof e?.message === 'string' && /^(timeout expired|Connection terminated)/.test(e.message)) return true;
  return e?.cause !== undefined && e.cause !== err && isTransientConnectError(e.cause);
}

type ConnectCallback = (err: Error | undefined, client?: PoolClient, done?: (release?: unknown) => void) => void;

/**
 * Makes pool.connect (and so pool.query) try a refused connection again, waiting 100 ms doubling to 2 s, until
 * `retryMs` has passed. Only once the pool has connected at least once: a wrong host or port on open still fails
 * at once, with the driver's reason.
 */
export function retryConnects(pool: Pool, retryMs: number): void {
  const connectOnce = (pool.connect as () => Promise<PoolClient>).bind(pool);
  let proven = false;
  const patient = async (): Promise<PoolClient> => {
    const deadline = Date.now() + retryMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        const client = await connectOnce();
        proven = true;
        return client;
      } catch (err) {
        if (!proven || !isTransientConnectError(err) || Date.now() + wait > deadline) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  // pg-pool's query() checks out its client through this.connect(callback): both forms must be patient.
  (pool as unknown as { connect: (cb?: ConnectCallback) => Promise<PoolClient> | void }).connect = (cb?: ConnectCallback) => {
    const p = patient();
    if (!cb) return p;
    p.then((client) => cb(undefined, client, (release?: unknown) => client.release(release as Error | undefined)), (err: Error) => cb(err));
  };
}
