// Builds (or reuses) an N-chunk SQLite index for the search benchmark through the store's own write path.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { identityOf, type ModelIdentitySource } from '../../src/contracts/identity.js';
import type { TokenCounter } from '../../src/contracts/stages.js';
import { syntheticDocs } from './corpus.js';
import type { Abstract } from '../bench-common/scifact.js';
import type { StandInEmbedder } from '../bench-common/standin-embedder.js';

export interface BuildSpec {
  file: string;
  chunks: number;
  chunkTokens: number;
  chunkOverlap: number;
  /** Recorded as the index's model: the real model's identity lets `docproc search` open the index. */
  identity: ModelIdentitySource;
  corpus: string;
  /** Whose token counts the chunker used: the model's tokenizer or the stand-in's estimate. */
  tokenCounts: 'model' | 'stand-in';
}

export interface BuildResult {
  reused: boolean;
  chunks: number;
  documents: number;
  seconds: number;
  chunkSeconds: number;
  embedSeconds: number;
  writeSeconds: number;
  bytes: number;
}

const specKey = (s: BuildSpec): string => JSON.stringify({ v: 1, chunks: s.chunks, tokens: s.chunkTokens, overlap: s.chunkOverlap, model: s.identity.sha256, corpus: s.corpus, counts: s.tokenCounts });

/** Reuses `file` when it was built to the same spec and finished; otherwise builds it from scratch. */
export async function buildIndex(spec: BuildSpec, abstracts: Abstract[], counter: TokenCounter, embedder: StandInEmbedder,
  onProgress?: (done: number, total: number) => void): Promise<BuildResult> {
  if (fs.existsSync(spec.file)) {
    const store = new SqliteStore(spec.file);
    const done = store.getMeta('bench-spec') === specKey(spec);
    const counts = done ? await store.stats() : undefined;
    await store.close();
    if (counts) return { reused: true, chunks: counts.chunks, documents: counts.documents['indexed'] ?? 0, seconds: 0, chunkSeconds: 0, embedSeconds: 0, writeSeconds: 0, bytes: fs.statSync(spec.file).size };
  }
  for (const ext of ['', '-wal', '-shm']) fs.rmSync(spec.file + ext, { force: true });
  const store = new SqliteStore(spec.file);
  const t0 = performance.now();
  let chunkMs = 0;
  let embedMs = 0;
  let writeMs = 0;
  let chunks = 0;
  let documents = 0;
  try {
    await store.bindIdentity(identityOf(spec.identity, spec));
    const docs = syntheticDocs(abstracts, counter, spec.chunkTokens, spec.chunkOverlap);
    store.db.exec('BEGIN');
    let t = performance.now();
    for (const { doc, chunks: cs } of docs) {
      if (chunks >= spec.chunks) break;
      const take = cs.slice(0, spec.chunks - chunks);
      const t1 = performance.now();
      chunkMs += t1 - t;
      const vectors = take.map((c) => embedder.vector(c.text));
      const t2 = performance.now();
      embedMs += t2 - t1;
      await store.replaceDocument({ ...doc, charCount: take.reduce((n, c) => n + c.text.length, 0) }, take, vectors);
      chunks += take.length;
      documents++;
      // Commit every few thousand chunks: one huge transaction would hold the whole WAL.
      if (documents % 2000 === 0) {
        store.db.exec('COMMIT');
        store.db.exec('BEGIN');
        onProgress?.(chunks, spec.chunks);
      }
      t = performance.now();
      writeMs += t - t2;
    }
    store.db.exec('COMMIT');
    const tOpt = performance.now();
    // No FTS5 'optimize': an index built by ingest keeps its segments as automerge leaves them.
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    writeMs += performance.now() - tOpt;
    store.setMeta('bench-spec', specKey(spec));
  } finally {
    if (store.db.inTransaction) store.db.exec('ROLLBACK');
    await store.close();
  }
  return {
    reused: false, chunks, documents, seconds: (performance.now() - t0) / 1000, chunkSeconds: chunkMs / 1000,
    embedSeconds: embedMs / 1000, writeSeconds: writeMs / 1000, bytes: fs.statSync(spec.file).size,
  };
}
