// The IndexStore contract against the SQLite store: a real file in a temp folder.
import fs from 'node:fs';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { storeContract } from '../helpers/store-contract.js';
import { tempDir } from '../helpers/temp.js';

storeContract('sqlite', {
  async create() {
    const dir = tempDir('docproc-contract-');
    const location = path.join(dir, 'index.db');
    return { store: new SqliteStore(location), location, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
  async reopen(location, o) {
    return new SqliteStore(location, { readonly: o?.readonly });
  },
});
