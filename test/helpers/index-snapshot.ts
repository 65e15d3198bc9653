// A store-agnostic picture of an index, through the IndexStore boundary: what documents, chunks and vectors
// it holds, and whether any document is half-written. Used to compare SQLite and Postgres, and runs.
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/open-store.js';
import type { IndexTransfer } from '../../src/contracts/index-store.js';

export interface IndexSnapshot {
  docs: { path: string; sha256: string | null; status: string }[];
  chunks: Map<string, string[]>;
  chunkCount: number;
  vectorCount: number;
  halfDocuments: string[];
  duplicateSeqs: number;
}

export async function indexSnapshot(location: string, o: { pgSchema?: string; mapPath?: (p: string) => string } = {}): Promise<IndexSnapshot> {
  let store;
  try {
    store = await openStore(location, { readonly: true, pgSchema: o.pgSchema });
  } catch (err) {
    // Killed before the index was created: an empty index, which is consistent.
    if ((err as { code?: string }).code === 'no-index') return { docs: [], chunks: new Map(), chunkCount: 0, vectorCount: 0, halfDocuments: [], duplicateSeqs: 0 };
    throw err;
  }
  const map = o.mapPath ?? ((p: string) => p);
  try {
    const docs: IndexSnapshot['docs'] = [];
    const chunks = new Map<string, string[]>();
    const halfDocuments: string[] = [];
    let duplicateSeqs = 0;
    for await (const d of (store as unknown as IndexTransfer).exportDocuments()) {
      const p = map(d.doc.path);
      docs.push({ path: p, sha256: d.doc.sha256, status: d.doc.status });
      if (d.chunks.length) chunks.set(p, d.chunks.map((c) => c.text));
      if (d.doc.status === 'indexed' && (d.chunks.length === 0 || d.chunks.length !== d.doc.chunkCount)) halfDocuments.push(`${p} (${d.doc.chunkCount} declared, ${d.chunks.length} stored)`);
      duplicateSeqs += d.chunks.length - new Set(d.chunks.map((c) => c.seq)).size;
      if (d.vectors.some((v) => v.length === 0)) halfDocuments.push(`${p} (a chunk without a vector)`);
    }
    docs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const stats = await store.stats();
    return { docs, chunks, chunkCount: stats.chunks, vectorCount: stats.vectors, halfDocuments, duplicateSeqs };
  } finally {
    await store.close();
  }
}

export function assertConsistent(s: IndexSnapshot, where: string): void {
  assert.deepEqual(s.halfDocuments, [], `${where}: documents with part of their chunks`);
  assert.equal(s.duplicateSeqs, 0, `${where}: duplicate chunks`);
  assert.equal(s.vectorCount, s.chunkCount, `${where}: vectors vs chunks`);
}

export function assertSameIndex(a: IndexSnapshot, b: IndexSnapshot, where: string): void {
  assert.deepEqual(b.docs, a.docs, `${where}: same documents (path, sha256, status)`);
  assert.deepEqual(b.chunks, a.chunks, `${where}: same chunk texts per document, in order`);
  assert.equal(b.chunkCount, a.chunkCount, `${where}: chunk count`);
}
