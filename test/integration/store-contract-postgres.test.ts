// The IndexStore contract against the Postgres store: a real PostgreSQL + pgvector, a fresh database per test.
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { storeContract } from '../helpers/store-contract.js';
import { freshDatabase, pgTestUrl } from '../helpers/pg.js';

const base = await pgTestUrl();
const skip = typeof base === 'string' ? undefined : base.skip;

storeContract('postgres', {
  async create() {
    const db = await freshDatabase(base as string);
    try {
      return { store: await openPostgresStore(db.url), location: db.url, cleanup: () => db.drop() };
    } catch (err) {
      await db.drop();
      throw err;
    }
  },
  async reopen(location, o) {
    return openPostgresStore(location, { readonly: o?.readonly });
  },
}, skip);
