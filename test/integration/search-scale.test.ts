// The SQLite vector first pass (sign bits, exact rescoring) against exact vec0 KNN on a real index file, and the
// keyword plan against the one it replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { SqliteView, type ViewOptions } from '../../src/store/sqlite/view.js';
import type { Chunk } from '../../src/contracts/stages.js';
import type { EmbeddingIdentity } from '../../src/contracts/identity.js';
import { doc } from '../helpers/store-contract.js';
import { withSqliteIndex } from '../helpers/sqlite-index.js';

const DIMS = 64;
const identity: EmbeddingIdentity = {
  modelName: 'clusters', modelSha256: 'clusters-sha', dims: DIMS, pooling: 'mean', normalize: true,
  queryPrefix: '', passagePrefix: '', maxTokens: 64, chunkTokens: 32, chunkOverlap: 4,
};

/** Seeded normal deviates (Box-Muller over mulberry32): vectors with signed components, as real embeddings have. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const normalise = (v: Float32Array): Float32Array => {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};

/** `n` unit vectors around 40 cluster centres: neighbours are meaningful, as in an embedding space. */
function clustered(n: number, seed: number): Float32Array[] {
  const g = gaussian(seed);
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: DIMS }, g));
  return Array.from({ length: n }, (_, i) => normalise(centres[i % centres.length]!.map((c) => c + 0.9 * g())));
}

/** Queries near stored vectors (a paraphrase is near its passage), not uniform noise. */
function near(vectors: Float32Array[], n: number, seed: number): Float32Array[] {
  const g = gaussian(seed);
  return Array.from({ length: n }, (_, i) => normalise(vectors[(i * 37) % vectors.length]!.map((x) => x + 0.1 * g())));
}

const chunkOf = (text: string, seq = 0): Chunk => ({ seq, text, tokens: 4, loc: {}, sha256: createHash('sha256').update(text).digest('hex') });

const withIndex = (fn: (store: SqliteStore, file: string) => Promise<void>): Promise<void> => withSqliteIndex(identity, fn);

/** One document per `per` vectors, each chunk's text naming its document and position. */
async function fill(store: SqliteStore, vectors: Float32Array[], per = 3): Promise<void> {
  for (let d = 0; d * per < vectors.length; d++) {
    const vs = vectors.slice(d * per, (d + 1) * per);
    await store.replaceDocument(doc(`/r/doc${d}.txt`, `sha${d}`), vs.map((_, i) => chunkOf(`doc ${d} part ${i}`, i)), vs);
  }
}

const view = (store: SqliteStore, o: ViewOptions = {}): SqliteView => new SqliteView(store.db, () => identity, o);
const ids = (c: { chunkId: number }[]): number[] => c.map((x) => x.chunkId);

/**
 * Opens the index read-only, or as a writer (which migrates it), and checks that each query's top 10 vector
 * candidates are the expected ones; `also` looks at the store and the view first.
 */
async function searchesAgree(file: string, readonly: boolean, queries: Float32Array[], want: { chunkId: number }[][], also?: (s: SqliteStore, v: SqliteView) => void): Promise<void> {
  const s = new SqliteStore(file, { readonly });
  try {
    await s.snapshot(async (v) => {
      also?.(s, v as SqliteView);
      for (let i = 0; i < queries.length; i++) assert.deepEqual(ids(await v.vectorCandidates(queries[i]!, null, 10)), ids(want[i]!));
    });
  } finally {
    await s.close();
  }
}

test('the sign first pass finds what exact KNN finds, with the exact scores', async () => {
  await withIndex(async (store) => {
    const vectors = clustered(3000, 1);
    await fill(store, vectors);
    const exact = view(store, { vectorSearch: 'exact' });
    const approx = view(store, { firstPass: { min: 300, oversample: 4 } });
    assert.match(approx.vectorMethod(), /sign-bit first pass/);
    const queries = near(vectors, 60, 2);
    let hit = 0;
    for (const q of queries) {
      const e = await exact.vectorCandidates(q, null, 10);
      const a = await approx.vectorCandidates(q, null, 10);
      hit += ids(a).filter((id) => ids(e).includes(id)).length;
      for (const c of a) {
        const same = e.find((x) => x.chunkId === c.chunkId);
        if (same) assert.ok(Math.abs(same.score - c.score) < 1e-5, `score ${c.score} vs exact ${same.score}`);
        assert.equal(c.documentId, (store.db.prepare('SELECT document_id FROM chunks WHERE id = ?').pluck().get(c.chunkId) as number));
      }
    }
    assert.ok(hit / (10 * queries.length) >= 0.95, `recall@10 ${hit / (10 * queries.length)}`);
    // Where the first pass keeps at least every chunk, it is exact.
    const all = view(store, { firstPass: { min: 3000, oversample: 1 } });
    for (const q of queries.slice(0, 10)) assert.deepEqual(ids(await all.vectorCandidates(q, null, 20)), ids(await exact.vectorCandidates(q, null, 20)));
    // So it is where its share of the index is all of it, whatever min and oversample say.
    const whole = view(store, { firstPass: { min: 1, oversample: 1, share: 1 } });
    assert.match(whole.vectorMethod(), /100% of chunks/);
    for (const q of queries.slice(0, 10)) assert.deepEqual(ids(await whole.vectorCandidates(q, null, 20)), ids(await exact.vectorCandidates(q, null, 20)));
  });
});

test('replacing, emptying and removing documents keep the first pass in step with vec0', async () => {
  await withIndex(async (store) => {
    const vectors = clustered(900, 3);
    await fill(store, vectors);
    const counts = () => ({
      vec0: store.db.prepare('SELECT COUNT(*) FROM vec_chunks').pluck().get() as number,
      floats: store.db.prepare('SELECT COUNT(*) FROM vec_floats').pluck().get() as number,
      signs: (store.db.prepare('SELECT valid FROM vec_signs').pluck().all() as Buffer[])
        .reduce((n, b) => n + [...b].reduce((m, x) => m + x.toString(2).split('1').length - 1, 0), 0),
    });
    assert.deepEqual(counts(), { vec0: 900, floats: 900, signs: 900 });
    const fresh = clustered(2, 4);
    await store.replaceDocument(doc('/r/doc0.txt', 'sha0-v2'), fresh.map((_, i) => chunkOf(`doc 0 v2 part ${i}`, i)), fresh);
    await store.recordOutcome({ ...doc('/r/doc1.txt', 'sha1'), status: 'empty', reason: 'no text' });
    await store.removeDocument('/r/doc2.txt');
    assert.deepEqual(counts(), { vec0: 893, floats: 893, signs: 893 });
    const live = new Set(store.db.prepare('SELECT id FROM chunks').pluck().all() as number[]);
    const approx = view(store, { firstPass: { min: 100, oversample: 2 } });
    for (const q of [...vectors.slice(0, 9), ...fresh]) {
      for (const c of await approx.vectorCandidates(q, null, 50)) assert.ok(live.has(c.chunkId), `stale chunk ${c.chunkId}`);
    }
    // The replaced document's new vector is found as itself.
    const [top] = await approx.vectorCandidates(fresh[0]!, null, 1);
    assert.equal(top!.chunkId, store.db.prepare("SELECT id FROM chunks WHERE text = 'doc 0 v2 part 0'").pluck().get());
    assert.ok(Math.abs(top!.score - 1) < 1e-6);
    // Removing everything leaves no block behind.
    for (let d = 0; d < 300; d++) await store.removeDocument(`/r/doc${d}.txt`);
    assert.deepEqual(counts(), { vec0: 0, floats: 0, signs: 0 });
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM vec_signs').pluck().get(), 0);
  });
});

test('a filter constrains the first pass: chunks outside it never crowd out the ones inside', async () => {
  await withIndex(async (store) => {
    const vectors = clustered(1500, 5);
    await fill(store, vectors);
    const exact = view(store, { vectorSearch: 'exact' });
    const docIds = (store.db.prepare('SELECT id FROM documents ORDER BY id').pluck().all() as number[]);
    const few = docIds.slice(0, 7);
    const many = docIds.filter((_, i) => i % 2 === 0);
    for (const [allowed, o] of [[few, { min: 100, oversample: 2 }], [many, { min: 2000, oversample: 1 }]] as const) {
      const approx = view(store, { firstPass: o });
      for (const q of near(vectors, 10, 6)) {
        const a = await approx.vectorCandidates(q, [...allowed], 10);
        const e = await exact.vectorCandidates(q, [...allowed], 10);
        assert.deepEqual(ids(a), ids(e));
        for (const c of a) assert.ok(allowed.includes(c.documentId));
      }
    }
  });
});

test('an index from before the first pass: read-only opens search vec0 exactly; the next write-open builds it from the vectors', async () => {
  await withIndex(async (store, file) => {
    const vectors = clustered(600, 7);
    await fill(store, vectors);
    // What an index written by the previous release looks like: no first-pass tables, schema version 2.
    store.db.exec('DROP TABLE vec_signs; DROP TABLE vec_floats; DELETE FROM schema_migrations WHERE version >= 3');
    const queries = near(vectors, 10, 8);
    const expected = await Promise.all(queries.map((q) => view(store, { vectorSearch: 'exact' }).vectorCandidates(q, null, 10)));
    await searchesAgree(file, true, queries, expected, (_, v) => assert.match(v.vectorMethod(), /exact vec0/));
    await searchesAgree(file, false, queries, expected, (s, v) => {
      assert.equal(s.db.prepare('SELECT COUNT(*) FROM vec_floats').pluck().get(), 600);
      assert.match(v.vectorMethod(), /sign-bit first pass/);
    });
  });
});

test('sign rows of 256 slots (before migration 5): read-only opens scan them alike; the next write-open rewrites them as 1,024', async () => {
  await withIndex(async (store, file) => {
    const vectors = clustered(2500, 12);
    await fill(store, vectors);
    const bytes = Math.ceil(DIMS / 32) * 4;
    const rowsOf = (db: SqliteStore): number[] => (db.db.prepare('SELECT length(codes) FROM vec_signs').pluck().all() as number[]).map((n) => n / bytes);
    assert.ok(rowsOf(store).every((n) => n === 1024));
    const queries = near(vectors, 10, 13);
    const want = await Promise.all(queries.map((q) => view(store).vectorCandidates(q, null, 10)));
    // What migration 4's indexes hold: each row split into four of 256 slots; empty quarters have no row.
    const rows = store.db.prepare('SELECT block, valid, codes FROM vec_signs').raw().all() as [number, Buffer, Buffer][];
    store.db.transaction(() => {
      store.db.exec('DELETE FROM vec_signs');
      const put = store.db.prepare('INSERT INTO vec_signs (block, valid, codes) VALUES (?, ?, ?)');
      for (const [block, valid, codes] of rows) {
        for (let q = 0; q < 4; q++) {
          const v = valid.subarray(q * 32, q * 32 + 32);
          if (v.some((x) => x !== 0)) put.run(block * 4 + q, v, codes.subarray(q * 256 * bytes, (q + 1) * 256 * bytes));
        }
      }
      store.db.exec('DELETE FROM schema_migrations WHERE version = 5');
    })();
    assert.ok(rowsOf(store).every((n) => n === 256));
    await searchesAgree(file, true, queries, want);
    await searchesAgree(file, false, queries, want, (s) => assert.ok(rowsOf(s).every((n) => n === 1024)));
  });
});

test('read-only opens read through a memory map, and stay right while a writer replaces, checkpoints and shrinks the file', async () => {
  await withIndex(async (store, file) => {
    const vectors = clustered(1200, 9);
    await fill(store, vectors);
    const reader = new SqliteStore(file, { readonly: true });
    try {
      assert.ok((reader.db.pragma('mmap_size', { simple: true }) as number) > 0, 'reader maps');
      assert.equal(store.db.pragma('mmap_size', { simple: true }), 0, 'writer does not');
      const queries = near(vectors, 8, 10);
      const agree = async (): Promise<void> => {
        const want = await Promise.all(queries.map((q) => view(store, { vectorSearch: 'exact' }).vectorCandidates(q, null, 10)));
        await reader.snapshot(async (v) => {
          for (let i = 0; i < queries.length; i++) assert.deepEqual(ids(await v.vectorCandidates(queries[i]!, null, 10)), ids(want[i]!));
          assert.deepEqual(ids(await v.keywordCandidates('doc part', null, 20)), ids(await view(store).keywordCandidates('doc part', null, 20)));
        });
      };
      await agree();
      // The pages the reader mapped change under it, then the file shrinks (VACUUM, checkpointed into it).
      const sizeBefore = fs.statSync(file).size;
      for (let d = 0; d < 300; d++) await store.removeDocument(`/r/doc${d}.txt`);
      const fresh = clustered(30, 11);
      await fill(store, fresh, 3);
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      store.db.exec('VACUUM');
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      assert.ok(fs.statSync(file).size < sizeBefore, 'the file shrank');
      await agree();
    } finally {
      await reader.close();
    }
  });
});

test('keyword candidates: the same rows, order and scores as the plan that joined every match first', async () => {
  await withIndex(async (store) => {
    const words = 'cell protein cancer risk vitamin trial mouse gene dose heart brain virus blood therapy'.split(' ');
    const g = gaussian(9);
    for (let d = 0; d < 400; d++) {
      const text = Array.from({ length: 12 }, () => words[Math.floor(Math.abs(g()) * 5) % words.length]).join(' ');
      await store.replaceDocument(doc(`/r/k${d}.txt`, `k${d}`), [chunkOf(`${text} ${d}`)], [normalise(Float32Array.from({ length: DIMS }, g))]);
    }
    const before = store.db.prepare(`SELECT c.id AS chunkId, c.document_id AS documentId, -bm25(chunks_fts) AS score
        FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts), c.id LIMIT ?`);
    const v = view(store);
    for (const q of ['cancer risk', 'vitamin dose heart', 'gene therapy trial virus', 'cell', 'brain blood mouse protein 7']) {
      const match = q.split(' ').map((t) => `"${t}"`).join(' OR ');
      for (const limit of [5, 50, 1000]) assert.deepEqual(await v.keywordCandidates(q, null, limit), before.all(match, limit));
    }
  });
});
