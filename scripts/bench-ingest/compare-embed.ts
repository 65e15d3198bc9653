// The model alone on the run's own chunks: the ceiling an ingest's chunks/s is measured against.
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { Embedder } from '../../src/contracts/stages.js';

export interface ModelOnly {
  texts: number;
  seconds: number;
  chunksPerSec: number;
  /** The ingest's chunks/s (distinct texts embedded per wall second) over the model-only rate. */
  ingestShare: number;
}

/** Embeds the index's distinct chunk texts in batches of `batchSize`, as the ingest's batcher calls the model. */
export async function compareEmbed(db: string, embedder: Embedder, batchSize: number, ingestChunksPerSec: number): Promise<ModelOnly> {
  const store = new SqliteStore(db, { readonly: true });
  let texts: string[];
  try {
    texts = store.db.prepare('SELECT text FROM chunks GROUP BY sha256 ORDER BY MIN(id)').pluck().all() as string[];
  } finally {
    await store.close();
  }
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i += batchSize) await embedder.embed(texts.slice(i, i + batchSize), 'passage');
  const seconds = (performance.now() - t0) / 1000;
  const chunksPerSec = texts.length / seconds;
  return { texts: texts.length, seconds, chunksPerSec, ingestShare: ingestChunksPerSec / chunksPerSec };
}
