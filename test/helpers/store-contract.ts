// The IndexStore contract: one suite, run unchanged against every store (SQLite file, real Postgres).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentInput, FilterableDocument, IndexStore } from '../../src/contracts/index-store.js';
import type { EmbeddingIdentity } from '../../src/contracts/identity.js';
import { IndexMismatchError, LockedError } from '../../src/errors.js';
import { Chunker } from '../../src/chunk/chunker.js';
import { FakeEmbedder } from './fake-embedder.js';

export interface StoreFactory {
  /** A new, empty index; `location` reopens the same index. */
  create(): Promise<{ store: IndexStore; location: string; cleanup(): Promise<void> }>;
  reopen(location: string, o?: { readonly?: boolean }): Promise<IndexStore>;
}

const fake = new FakeEmbedder(16, 64);
export const contractIdentity: EmbeddingIdentity = {
  modelName: 'fake', modelSha256: fake.modelSha256, tokenizerSha256: 'tok', dims: 16, pooling: 'mean', normalize: true,
  queryPrefix: '', passagePrefix: '', maxTokens: 64, chunkTokens: 32, chunkOverlap: 4,
};

export function doc(p: string, sha: string, extra: Partial<DocumentInput> = {}): DocumentInput {
  const root = p.slice(0, p.lastIndexOf('/')) || '/';
  return { root, path: p, relPath: p.slice(root.length + 1), sha256: sha, size: 1, mtimeMs: 1, ino: 1, status: 'indexed', fingerprint: 'f', type: 'txt', ...extra };
}

export async function put(s: IndexStore, p: string, text: string, extra: Partial<DocumentInput> = {}): Promise<void> {
  const chunks = new Chunker(fake, contractIdentity).chunk([{ text, loc: { page: 1 } }]);
  await s.replaceDocument(doc(p, text, extra), chunks, await fake.embed(chunks.map((c) => c.text), 'passage'));
}

async function keywordPaths(s: IndexStore, text: string): Promise<string[]> {
  return s.snapshot(async (v) => {
    const cands = await v.keywordCandidates(text, null, 50);
    const rows = await v.chunkRows(cands.map((c) => c.chunkId));
    return [...new Set(cands.map((c) => rows.get(c.chunkId)!.path))].sort();
  });
}

export function storeContract(kind: string, factory: StoreFactory, skip?: string): void {
  const it = (name: string, fn: (s: IndexStore, location: string) => Promise<void>): void => {
    test(`${kind} store: ${name}`, { skip }, async () => {
      const { store, location, cleanup } = await factory.create();
      try {
        await fn(store, location);
      } finally {
        await store.close();
        await cleanup();
      }
    });
  };

  it('a new index has no identity; binding one makes the vector store and refuses any other', async (s) => {
    assert.equal(await s.identity(), undefined);
    await s.bindIdentity(contractIdentity);
    assert.deepEqual(await s.identity(), contractIdentity);
    await assert.rejects(s.bindIdentity({ ...contractIdentity, pooling: 'cls' }), IndexMismatchError);
    await assert.rejects(s.checkIdentity({ ...contractIdentity, chunkTokens: 64 }), /chunk tokens 32, not 64/);
    await s.checkIdentity(contractIdentity);
    assert.deepEqual(await s.stats(), { documents: {}, chunks: 0, vectors: 0 });
  });

  it('an identity missing fields (older index) is completed by a matching run, never by a different one', async (s) => {
    const { tokenizerSha256: _t, pooling: _p, ...old } = contractIdentity;
    await s.bindIdentity(old);
    await s.bindIdentity(contractIdentity);
    assert.deepEqual(await s.identity(), contractIdentity);
  });

  it('roots keep what the user named, a file as a file', async (s) => {
    await s.recordRoots([{ path: '/data/docs', kind: 'folder' }, { path: '/data/dl/report.txt', kind: 'file' }]);
    await s.recordRoots([{ path: '/data/docs', kind: 'folder' }]);
    assert.deepEqual(await s.roots(), [
      { path: '/data/docs', kind: 'folder', inferred: false },
      { path: '/data/dl/report.txt', kind: 'file', inferred: false },
    ]);
  });

  it('replaceDocument swaps chunks, vectors and keyword rows together', async (s) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/a.txt', 'alpha one two three');
    assert.deepEqual(await keywordPaths(s, 'alpha'), ['/r/a.txt']);
    await put(s, '/r/a.txt', 'beta four five six');
    assert.deepEqual(await keywordPaths(s, 'alpha'), []);
    assert.deepEqual(await keywordPaths(s, 'beta'), ['/r/a.txt']);
    assert.deepEqual(await s.stats(), { documents: { indexed: 1 }, chunks: 1, vectors: 1 });
    const d = await s.getDocument('/r/a.txt');
    assert.equal(d?.chunkCount, 1);
    assert.equal(d?.status, 'indexed');
    assert.equal(d?.relPath, 'a.txt');
    assert.ok(s.writes > 0);
  });

  it('text with NUL and lone surrogates is stored and found', async (s) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/nul.txt', 'zebra\u0000crossing and \ud800 umbrella');
    assert.deepEqual(await keywordPaths(s, 'umbrella'), ['/r/nul.txt']);
  });

  it('a failed outcome keeps the last good chunks; skipped and empty drop them; removal cleans everything', async (s) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/a.txt', 'alpha one two three');
    await s.recordOutcome({ ...doc('/r/a.txt', 'x'), status: 'failed', reason: 'corrupt', attempts: 1 });
    assert.equal((await s.stats()).vectors, 1);
    assert.equal((await s.getDocument('/r/a.txt'))?.attempts, 1);
    assert.deepEqual((await s.documentsWithStatus(['failed'])).map((d) => d.reason), ['corrupt']);
    await s.recordOutcome({ ...doc('/r/a.txt', 'x'), status: 'empty' });
    assert.deepEqual(await s.stats(), { documents: { empty: 1 }, chunks: 0, vectors: 0 });
    await put(s, '/r/a.txt', 'alpha one two three');
    assert.equal(await s.removeDocument('/r/a.txt'), true);
    assert.equal(await s.removeDocument('/r/a.txt'), false);
    assert.deepEqual(await s.stats(), { documents: {}, chunks: 0, vectors: 0 });
    assert.deepEqual(await keywordPaths(s, 'alpha'), []);
  });

  it('moving onto an existing document removes its chunks and vectors too (no orphans)', async (s) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/a.txt', 'alpha one two three');
    await put(s, '/r/sub/b.txt', 'gamma seven eight');
    await s.moveDocument('/r/a.txt', doc('/r/sub/b.txt', 'alpha one two three'));
    assert.deepEqual(await s.stats(), { documents: { indexed: 1 }, chunks: 1, vectors: 1 });
    assert.equal(await s.getDocument('/r/a.txt'), undefined);
    assert.equal((await s.getDocument('/r/sub/b.txt'))?.sha256, 'alpha one two three');
    assert.deepEqual(await keywordPaths(s, 'alpha'), ['/r/sub/b.txt']);
  });

  it('documentsUnder is a folder prefix (not a string prefix); sha and chunk-hash lookups', async (s) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/a/x.txt', 'one');
    await put(s, '/r/a/sub/y.txt', 'two');
    await put(s, '/r/a-b/z.txt', 'three');
    assert.deepEqual((await s.documentsUnder('/r/a')).map((d) => d.path).sort(), ['/r/a/sub/y.txt', '/r/a/x.txt']);
    assert.deepEqual((await s.documentsWithSha('two')).map((d) => d.path), ['/r/a/sub/y.txt']);
    const [chunk] = new Chunker(fake, contractIdentity).chunk([{ text: 'three', loc: {} }]);
    const cached = await s.vectorsForChunkHashes([chunk!.sha256, 'nope']);
    assert.deepEqual([...cached.keys()], [chunk!.sha256]);
    assert.equal(cached.get(chunk!.sha256)!.length, 16);
    await s.recordStat('/r/a/x.txt', 99, 123.5, 7);
    const x = await s.getDocument('/r/a/x.txt');
    assert.deepEqual([x?.size, x?.mtimeMs, x?.ino], [99, 123.5, 7]);
  });

  it('the search view: filtered KNN, keyword candidates, chunk rows with locations, similarity', async (s) => {
    await s.bindIdentity(contractIdentity);
    assert.equal(await s.snapshot((v) => v.hasChunks()), false);
    await put(s, '/r/boats.txt', 'ferry boats sail to the island');
    await put(s, '/r/bees.txt', 'bees make honey in the hive', { type: 'md' });
    const q = fake.vector('ferry boats island');
    await s.snapshot(async (v) => {
      assert.equal(await v.hasChunks(), true);
      assert.equal(await v.hasVectors(), true);
      const docs = await v.filterableDocuments();
      assert.deepEqual(docs.map((d) => d.path).sort(), ['/r/bees.txt', '/r/boats.txt']);
      const bees = docs.find((d) => d.path === '/r/bees.txt')!;
      const all = await v.vectorCandidates(q, null, 10);
      const rows = await v.chunkRows(all.map((c) => c.chunkId));
      assert.equal(rows.get(all[0]!.chunkId)!.path, '/r/boats.txt');
      assert.deepEqual(rows.get(all[0]!.chunkId)!.loc, { page: 1 });
      assert.ok(all[0]!.score > all[1]!.score);
      const only = await v.vectorCandidates(q, [bees.id], 10);
      assert.deepEqual(only.map((c) => c.documentId), [bees.id]);
      const sim = await v.chunkSimilarity(all[0]!.chunkId, q);
      assert.ok(Math.abs(sim! - all[0]!.score) < 1e-5);
      const kw = await v.keywordCandidates('honey OR "bees"', null, 10);
      assert.deepEqual(kw.map((c) => c.documentId), [bees.id]);
      assert.deepEqual(await v.keywordCandidates('honey', [docs.find((d) => d.path === '/r/boats.txt')!.id], 10), []);
      assert.deepEqual(await v.keywordCandidates('"" AND ( NEAR', null, 10), []);
    });
  });

  it('keyword ranking weighs a rare term above a common one (idf), and a filter keeps the ranking', async (s) => {
    await s.bindIdentity(contractIdentity);
    // "report" is in every chunk, "glacier" in one: a chunk with "glacier" once beats one with "report" often.
    for (let i = 0; i < 8; i++) await put(s, `/r/common-${i}.txt`, `quarterly report number ${i}`);
    await put(s, '/r/reports.txt', 'report report report on the quarterly report');
    await put(s, '/r/glacier.txt', 'a glacier report');
    const ranked = (allowed: (docs: FilterableDocument[]) => number[] | null): Promise<string[]> => s.snapshot(async (v) => {
      const cands = await v.keywordCandidates('glacier report', allowed(await v.filterableDocuments()), 5);
      const rows = await v.chunkRows(cands.map((c) => c.chunkId));
      return cands.map((c) => rows.get(c.chunkId)!.path);
    });
    const top = await ranked(() => null);
    assert.equal(top[0], '/r/glacier.txt');
    assert.equal(top.length, 5);
    const two = await ranked((docs) => docs.filter((d) => d.path === '/r/glacier.txt' || d.path === '/r/reports.txt').map((d) => d.id));
    assert.deepEqual(two, ['/r/glacier.txt', '/r/reports.txt']);
  });

  it('a snapshot does not see a writer that commits during it', async (s, location) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/a.txt', 'lighthouse keeper');
    const other = await factory.reopen(location);
    try {
      await s.snapshot(async (v) => {
        assert.equal(await v.hasChunks(), true);
        await other.removeDocument('/r/a.txt');
        assert.equal(await v.hasChunks(), true);
        const kw = await v.keywordCandidates('lighthouse', null, 10);
        assert.equal((await v.chunkRows(kw.map((c) => c.chunkId))).size, 1);
      });
      assert.equal((await s.stats()).chunks, 0);
    } finally {
      await other.close();
    }
  });

  it('runs are recorded and listed newest first', async (s) => {
    const a = await s.runs.start('ingest', ['/r']);
    await s.runs.finish(a, 'completed', { indexed: 2 }, [], 1500);
    const b = await s.runs.start('watch', ['/r', '/q']);
    const runs = await s.runs.last(5);
    assert.deepEqual(runs.map((r) => [r.id, r.command, r.outcome]), [[b, 'watch', null], [a, 'ingest', 'completed']]);
    assert.deepEqual(runs[1]!.counts, { indexed: 2 });
    assert.deepEqual(runs[0]!.roots, ['/r', '/q']);
  });

  it('a read-only open reads, and refuses to write', async (s, location) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/a.txt', 'read only please');
    const ro = await factory.reopen(location, { readonly: true });
    try {
      assert.equal(ro.readonly, true);
      assert.equal((await ro.stats()).chunks, 1);
      await assert.rejects(ro.removeDocument('/r/a.txt'));
    } finally {
      await ro.close();
    }
    assert.equal((await s.stats()).chunks, 1);
  });

  it('writers: a single-writer store refuses a second one; a shared one lets each claim distinct files', async (s, location) => {
    const w1 = await s.acquireWriter('ingest');
    const other = await factory.reopen(location);
    try {
      if (!w1.shared) {
        await assert.rejects(other.acquireWriter('ingest'), LockedError);
        assert.deepEqual(await w1.claim(['/r/a', '/r/b']), ['/r/a', '/r/b']);
      } else {
        const w2 = await other.acquireWriter('ingest');
        const paths = Array.from({ length: 10 }, (_, i) => `/r/f${i}`);
        const [c1, c2] = await Promise.all([w1.claim(paths), w2.claim(paths)]);
        assert.equal(c1.filter((p) => c2.includes(p)).length, 0, 'no file claimed twice');
        for (const p of [...c1]) await w1.done(p);
        for (const p of [...c2]) await w2.done(p);
        await w2.release();
      }
    } finally {
      await w1.release();
      await other.close();
    }
  });

  it('a rebuild is invisible until commit, then replaces the index and keeps run history; discard leaves it', async (s, location) => {
    await s.bindIdentity(contractIdentity);
    await put(s, '/r/old.txt', 'the old index');
    const run = await s.runs.start('ingest', ['/r']);
    await s.runs.finish(run, 'completed', {}, [], 1);
    const discarded = await s.beginRebuild();
    await discarded.store.bindIdentity({ ...contractIdentity, chunkTokens: 48 });
    await put(discarded.store, '/r/new.txt', 'never committed');
    await discarded.discard();
    assert.deepEqual((await s.documentsUnder('/r')).map((d) => d.path), ['/r/old.txt']);

    const rebuild = await s.beginRebuild();
    await rebuild.store.bindIdentity({ ...contractIdentity, chunkTokens: 48 });
    await put(rebuild.store, '/r/new.txt', 'the new index');
    await rebuild.store.runs.start('ingest --reembed', ['/r']);
    assert.deepEqual((await s.documentsUnder('/r')).map((d) => d.path), ['/r/old.txt']);
    await rebuild.commit();
    const after = await factory.reopen(location);
    try {
      assert.deepEqual((await after.documentsUnder('/r')).map((d) => d.path), ['/r/new.txt']);
      assert.equal((await after.identity())?.chunkTokens, 48);
      assert.deepEqual((await after.runs.last(5)).map((r) => r.command), ['ingest --reembed', 'ingest']);
    } finally {
      await after.close();
    }
  });

  it('a rebuild with keepRuns false (a copy) replaces the run history too', async (s, location) => {
    await s.bindIdentity(contractIdentity);
    const old = await s.runs.start('ingest', ['/r']);
    await s.runs.finish(old, 'completed', {}, [], 1);
    const rebuild = await s.beginRebuild({ keepRuns: false });
    await rebuild.store.bindIdentity(contractIdentity);
    await rebuild.store.runs.start('copied run', ['/q']);
    await rebuild.commit();
    const after = await factory.reopen(location);
    try {
      assert.deepEqual((await after.runs.last(5)).map((r) => r.command), ['copied run']);
    } finally {
      await after.close();
    }
  });
}
