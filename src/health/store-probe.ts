// What readiness needs from each kind of store, selected by the index location: SQLite file or Postgres URL.
import { isPostgresUrl } from '../store/open-store.js';
import type { CheckOutcome } from './types.js';

export interface StoreProbe {
  /** The index answers and its schema is current (SQLite: opens read-only and quick_check passes). */
  index(signal: AbortSignal): Promise<CheckOutcome>;
  /** Whether a writer holds the index: free, held by a live writer, or stale. */
  lock(): Promise<CheckOutcome>;
  /** A local path on the file system that holds the index, for the free-disk check; undefined when remote. */
  diskPath(): string | undefined;
}

export interface ProbeOptions {
  pgSchema: string;
}

type ProbeFactory = (location: string, o: ProbeOptions) => Promise<StoreProbe>;

// A registry, not a switch: each store kind brings its own probe, loaded only when used.
const PROBES: Record<'sqlite' | 'postgres', ProbeFactory> = {
  sqlite: async (location) => (await import('./sqlite-probe.js')).sqliteProbe(location),
  postgres: async (location, o) => (await import('./postgres-probe.js')).postgresProbe(location, o.pgSchema),
};

export function probeFor(location: string, o: ProbeOptions): Promise<StoreProbe> {
  return PROBES[isPostgresUrl(location) ? 'postgres' : 'sqlite'](location, o);
}
