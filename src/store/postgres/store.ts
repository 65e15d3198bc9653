// Placeholder until the Postgres store lands.
import type { IndexStore } from '../../contracts/index-store.js';
import type { OpenStoreOptions } from '../open-store.js';
import { DocprocError } from '../../errors.js';

export async function openPostgresStore(_url: string, _o: OpenStoreOptions): Promise<IndexStore> {
  throw new DocprocError('the Postgres store is not available yet');
}
