// Readiness of a Postgres index: the store opens (schema present and not newer than docproc), pgvector is
// installed. Disk and lock do not apply: the server owns its disk, and Postgres writers claim files, not the index.
import pg from 'pg';
import { openStore } from '../store/open-store.js';
import type { StoreProbe } from './store-probe.js';
import type { CheckOutcome } from './types.js';

export function postgresProbe(url: string, pgSchema: string): StoreProbe {
  return {
    index: (signal) => indexOutcome(url, pgSchema, signal),
    lock: async () => ({ status: 'healthy', message: 'not applicable: Postgres writers claim files, not the whole index', details: { state: 'not-applicable' } }),
    diskPath: () => undefined,
  };
}

async function pgvectorVersion(url: string, signal: AbortSignal): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 5000 });
  const stop = (): void => void client.end().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    await client.connect();
    const r = await client.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    return r.rows[0]?.extversion;
  } finally {
    signal.removeEventListener('abort', stop);
    await client.end().catch(() => undefined);
  }
}

async function indexOutcome(url: string, pgSchema: string, signal: AbortSignal): Promise<CheckOutcome> {
  let store;
  try {
    store = await openStore(url, { readonly: true, pgSchema });
  } catch (err) {
    return { status: 'unhealthy', message: (err as Error).message, details: { location: redact(url), schema: pgSchema } };
  }
  try {
    const stats = await store.stats();
    const vector = await pgvectorVersion(url, signal);
    const details = { location: store.location, schema: pgSchema, pgvector: vector ?? null, chunks: stats.chunks };
    if (!vector) return { status: 'unhealthy', message: 'pgvector is not installed in this database', details };
    return { status: 'healthy', message: `answers; pgvector ${vector}`, details };
  } finally {
    await store.close();
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
