// A fresh SQLite index file bound to an identity, removed afterwards: for tests of the store's own structures.
import fs from 'node:fs';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { EmbeddingIdentity } from '../../src/contracts/identity.js';
import { tempDir } from './temp.js';

export async function withSqliteIndex(identity: EmbeddingIdentity, fn: (store: SqliteStore, file: string) => Promise<void>): Promise<void> {
  const dir = tempDir('docproc-index-');
  const file = path.join(dir, 'index.db');
  const store = new SqliteStore(file);
  try {
    await store.bindIdentity(identity);
    await fn(store, file);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
