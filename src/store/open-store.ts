// Opens an index by its location: a file path (SQLite, the default) or a postgres:// URL. Stores register here.
import path from 'node:path';
import type { IndexStore } from '../contracts/index-store.js';
import { parsePathAliases, withPathAliases } from './path-alias.js';

export interface OpenStoreOptions {
  /** Read only: nothing created or migrated; a database that is not a docproc index is refused. */
  readonly?: boolean;
  /** Postgres: the schema holding docproc's tables (default docproc). */
  pgSchema?: string;
  /** Postgres: a worker silent for this long is dead and its file leases go to others (default 30 s). */
  leaseMs?: number;
  /** Postgres: files one claim takes; the pipeline asks for about as many as it processes at once. */
  claimBatch?: number;
  /** Postgres: HNSW m and ef_construction (used when the vector index is made) and ef_search per query. */
  hnswM?: number;
  hnswEfConstruction?: number;
  efSearch?: number;
  /** Loud problems found on open (an old pgvector). */
  onWarning?: (message: string) => void;
}

export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

export async function openStore(location: string, o: OpenStoreOptions = {}): Promise<IndexStore> {
  if (isPostgresUrl(location)) {
    const { openPostgresStore } = await import('./postgres/store.js');
    return openPostgresStore(location, o);
  }
  const { SqliteStore } = await import('./sqlite/store.js');
  return new SqliteStore(location, { readonly: o.readonly });
}

/** Whether an index exists at the location (a file; a Postgres schema is asked when opened). */
export async function storeExists(location: string): Promise<boolean> {
  if (isPostgresUrl(location)) return true;
  const fs = await import('node:fs');
  return fs.existsSync(location);
}

/** What opening an index from resolved configuration needs. */
export interface StoreConfig {
  db: string;
  pgSchema: string;
  pathAliases: string[];
  leaseMs?: number;
  workers?: number;
  pgHnswM?: number;
  pgHnswEfConstruction?: number;
  pgEfSearch?: number;
}

/** Opens config.db with the configured Postgres schema, leases and path aliases applied. */
export async function openConfiguredStore(config: StoreConfig, o: { readonly?: boolean; location?: string; onWarning?: (m: string) => void } = {}): Promise<IndexStore> {
  const store = await openStore(o.location ?? config.db, {
    readonly: o.readonly, pgSchema: config.pgSchema, leaseMs: config.leaseMs, onWarning: o.onWarning,
    hnswM: config.pgHnswM, hnswEfConstruction: config.pgHnswEfConstruction, efSearch: config.pgEfSearch,
    // About as many files as the pipeline works on at once (see ingest's concurrency).
    ...(config.workers ? { claimBatch: Math.max(4, config.workers * 4) } : {}),
  });
  return withPathAliases(store, parsePathAliases(config.pathAliases, (p) => path.resolve(p)));
}
