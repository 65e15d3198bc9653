// Readiness of a Postgres index: the store opens read-only (it checks the schema, its version and pgvector),
// answers a query, and is on the current schema version. Disk and lock do not apply: the server owns its disk,
// and Postgres writers lease files rather than lock the index (they are listed in the details instead).
import { openStore } from '../store/open-store.js';
import type { PostgresStore } from '../store/postgres/store.js';
import type { StoreProbe } from './store-probe.js';
import type { CheckOutcome } from './types.js';

export function postgresProbe(url: string, pgSchema: string): StoreProbe {
  return {
    index: () => indexOutcome(url, pgSchema),
    lock: () => workersOutcome(url, pgSchema),
    diskPath: () => undefined,
  };
}

async function open(url: string, pgSchema: string): Promise<PostgresStore> {
  return (await openStore(url, { readonly: true, pgSchema })) as PostgresStore;
}

async function indexOutcome(url: string, pgSchema: string): Promise<CheckOutcome> {
  let store: PostgresStore;
  try {
    store = await open(url, pgSchema);
  } catch (err) {
    return { status: 'unhealthy', message: (err as Error).message, details: { schema: pgSchema } };
  }
  try {
    const { LATEST_SCHEMA_VERSION } = await import('../store/postgres/migrations.js');
    const version = await store.schemaVersion();
    const details = { location: store.location, schema: pgSchema, schemaVersion: version, latestSchemaVersion: LATEST_SCHEMA_VERSION, warnings: store.warnings };
    if (version < LATEST_SCHEMA_VERSION) return { status: 'degraded', message: `schema version ${version}, current is ${LATEST_SCHEMA_VERSION}: the next ingest migrates it`, details };
    if (store.warnings.length) return { status: 'degraded', message: store.warnings.join('; '), details };
    return { status: 'healthy', message: `answers; pgvector present; schema version ${version}`, details };
  } finally {
    await store.close();
  }
}

async function workersOutcome(url: string, pgSchema: string): Promise<CheckOutcome> {
  let store: PostgresStore;
  try {
    store = await open(url, pgSchema);
  } catch {
    // The index check reports why it cannot be opened.
    return { status: 'healthy', message: 'not applicable: the index cannot be opened', details: { state: 'not-applicable' } };
  }
  try {
    const workers = await store.activeWorkers();
    const details = { state: workers.length ? 'held' : 'free', workers: workers.map((w) => ({ host: w.host, pid: w.pid, command: w.command, startedAt: w.startedAt })) };
    return { status: 'healthy', message: workers.length ? `${workers.length} live writer(s); Postgres writers lease files, not the index` : 'free: no live writer', details };
  } finally {
    await store.close();
  }
}
