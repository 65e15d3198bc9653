// The portable export: any store copied, without re-embedding, into a fresh SQLite index file. It is the
// Postgres backup where no suitable pg_dump exists, and `restore` loads it into either store (docproc copy).
import { copyIndex } from '../pipeline/copy.js';
import type { IndexStore } from '../contracts/index-store.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { settleSqliteFile } from '../store/sqlite/backup-file.js';

export async function exportPortable(source: IndexStore, dest: string, signal?: AbortSignal): Promise<void> {
  const target = new SqliteStore(dest);
  try {
    await copyIndex(source, target, async () => new SqliteStore(dest, { readonly: true }), { signal, sampleDocuments: 20 });
  } finally {
    await target.close();
  }
  settleSqliteFile(dest);
}
