// Short read-only visits to the index for readiness and metrics: opened per visit, so that an index swapped in
// by restore or --reembed is seen at once, and no read transaction is held between probes.
import type { IndexStore } from '../contracts/index-store.js';
import { openStore, storeExists } from '../store/open-store.js';

export interface IndexLocation {
  db: string;
  pgSchema: string;
}

/** Runs fn on the index opened read-only; undefined when there is no index at the location. */
export async function withIndex<T>(at: IndexLocation, fn: (store: IndexStore) => Promise<T>): Promise<T | undefined> {
  if (!(await storeExists(at.db))) return undefined;
  const store = await openStore(at.db, { readonly: true, pgSchema: at.pgSchema });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
