// searchIndex against real SQLite files (FTS5 + sqlite-vec) with deterministic fake embedders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FakeEmbedder } from '../helpers/fake-embedder.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { searchIndex, type SearchQuery } from '../../src/search/index.js';
import { sha256 } from '../../src/chunk/chunker.js';
import { DocprocError, IndexMismatchError, UsageError } from '../../src/errors.js';
import type { Loc } from '../../src/pipeline/types.js';
import { tempDir } from '../helpers/temp.js';

/** Like a real model: knows synonyms, is blind to codes and numbers. Same Embedder interface. */
class ParaphraseEmbedder extends FakeEmbedder {
  override vector(text: string): Float32Array {
    const syn: Record<string, string> = { automobile: 'car', vehicle: 'car', fix: 'repair', mend: 'repair' };
    const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !/\d/.test(w) && w.length > 1);
    return super.vector(words.map((w) => syn[w] ?? w).join(' '));
  }
}

interface DocSpec { rel: string; chunks: string[]; type?: string; mtimeMs?: number; locs?: Loc[] }

async function makeStore(docs: DocSpec[], embedder = new ParaphraseEmbedder(512)): Promise<{ store: SqliteStore; root: string; embedder: FakeEmbedder }> {
  const dir = tempDir('docproc-search-');
  const store = new SqliteStore(path.join(dir, 'index.db'));
  await store.bindIdentity({ modelName: embedder.modelName, modelSha256: embedder.modelSha256, dims: embedder.dims, chunkTokens: 256, chunkOverlap: 0 });
  const root = path.join(dir, 'root');
  for (const d of docs) {
    const chunks = d.chunks.map((text, seq) => ({ seq, text, tokens: embedder.countTokens(text), loc: d.locs?.[seq] ?? {}, sha256: sha256(text) }));
    await store.replaceDocument(
      { root, path: path.join(root, d.rel), relPath: d.rel, type: d.type ?? 'txt', size: 1, mtimeMs: d.mtimeMs ?? 1_700_000_000_000, ino: 1, status: 'indexed', fingerprint: 'f' },
      chunks, chunks.map((c) => embedder.vector(c.text)),
    );
  }
  return { store, root, embedder };
}

const q = (text: string, extra: Partial<SearchQuery> = {}): SearchQuery => ({ text, limit: 10, mode: 'hybrid', groupBy: 'document', ...extra });
const filler = Array.from({ length: 12 }, (_, i) => ({ rel: `notes/n${i}.txt`, chunks: [`meeting notes number ${i} about quarterly planning and hiring`] }));

test('hybrid finds both an exact code only keyword finds and a paraphrase only vector finds', async () => {
  const { store, embedder } = await makeStore([
    { rel: 'ops/incident.txt', chunks: ['Deployment failed with error E-4471 when the disk quota was exceeded'] },
    { rel: 'garage/guide.txt', chunks: ['How to repair your car engine at home with basic tools'] },
    ...filler,
  ]);
  const text = 'E-4471 automobile fix';
  const kw = await searchIndex(store, null, q(text, { mode: 'keyword' }));
  assert.deepEqual(kw.map((h) => h.relPath), ['ops/incident.txt']);
  const vec = await searchIndex(store, embedder, q(text, { mode: 'vector' }));
  assert.equal(vec[0]!.relPath, 'garage/guide.txt');
  const incident = vec.find((h) => h.relPath === 'ops/incident.txt');
  assert.ok(!incident || incident.score < 0.2, 'the code alone means nothing to the model');
  const hy = await searchIndex(store, embedder, q(text));
  assert.deepEqual(new Set(hy.slice(0, 2).map((h) => h.relPath)), new Set(['ops/incident.txt', 'garage/guide.txt']));
  assert.ok(hy[0]!.score >= hy[1]!.score);
  store.close();
});

test('filters run inside the query: 50 better chunks outside the filter do not crowd out the one inside', async () => {
  const crowd = Array.from({ length: 50 }, (_, i) => ({ rel: `other/o${i}.txt`, chunks: [`budget budget budget forecast budget ${i}`], mtimeMs: 1_000 }));
  const { store, root, embedder } = await makeStore([
    ...crowd,
    { rel: 'keep/plan.md', type: 'md', chunks: ['the travel budget was approved last week after a long discussion'], mtimeMs: 2_000_000 },
    { rel: 'scans/report.pdf', type: 'pdf', chunks: ['annual budget summary for the board'], mtimeMs: 1_000 },
  ]);
  for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
    const small = { mode, limit: 1, candidates: 10 };
    assert.equal((await searchIndex(store, embedder, q('budget', { ...small, paths: ['keep/**'] })))[0]?.relPath, 'keep/plan.md', mode);
    assert.equal((await searchIndex(store, embedder, q('budget', { ...small, paths: [path.join(root, 'keep') + '/*'] })))[0]?.relPath, 'keep/plan.md', `${mode} absolute glob`);
    assert.equal((await searchIndex(store, embedder, q('budget', { ...small, paths: ['*.md'] })))[0]?.relPath, 'keep/plan.md', `${mode} basename glob`);
    assert.equal((await searchIndex(store, embedder, q('budget', { ...small, types: ['pdf'] })))[0]?.relPath, 'scans/report.pdf', mode);
    assert.equal((await searchIndex(store, embedder, q('budget', { ...small, since: new Date(1_000_000) })))[0]?.relPath, 'keep/plan.md', mode);
    const typed = await searchIndex(store, embedder, q('budget', { mode, types: ['md', 'pdf'] }));
    assert.deepEqual(typed.map((h) => h.type).sort(), ['md', 'pdf'], mode);
    assert.deepEqual(await searchIndex(store, embedder, q('budget', { mode, paths: ['nowhere/**'] })), [], mode);
  }
  store.close();
});

test('groupBy document keeps the best chunk per document and limits after grouping; chunk keeps every chunk', async () => {
  const { store, embedder } = await makeStore([
    { rel: 'long.txt', chunks: ['solar panel intro', 'solar panel solar panel efficiency details', 'solar wiring'], locs: [{ page: 1 }, { page: 2 }, { page: 3 }] },
    { rel: 'short.txt', chunks: ['a solar panel on the roof'] },
    { rel: 'third.txt', chunks: ['panel discussion about solar policy'] },
    ...filler,
  ]);
  for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
    const docs = await searchIndex(store, embedder, q('solar panel', { mode, limit: 2 }));
    assert.equal(docs.length, 2, mode);
    assert.equal(new Set(docs.map((h) => h.documentId)).size, 2, mode);
    assert.deepEqual(docs.map((h) => h.rank), [1, 2]);
    const all = await searchIndex(store, embedder, q('solar panel', { mode, groupBy: 'chunk', limit: 50, minScore: 1e-9 }));
    assert.equal(all.filter((h) => h.relPath === 'long.txt').length, 3, mode);
  }
  const best = (await searchIndex(store, embedder, q('solar panel efficiency', { mode: 'keyword', limit: 1 })))[0]!;
  assert.equal(best.relPath, 'long.txt');
  assert.equal(best.seq, 1);
  assert.deepEqual(best.location, { page: 2 });
  store.close();
});

test('explain reports each side and the fused score; min-score applies to the final score', async () => {
  const { store, embedder } = await makeStore([{ rel: 'a.txt', chunks: ['alpha beta gamma'] }, { rel: 'b.txt', chunks: ['delta epsilon'] }, ...filler]);
  const [top] = await searchIndex(store, embedder, q('alpha beta', { explain: true }));
  assert.equal(top!.relPath, 'a.txt');
  assert.equal(top!.explain!.keywordRank, 1);
  assert.equal(top!.explain!.vectorRank, 1);
  assert.ok(top!.explain!.keywordScore! > 0 && top!.explain!.vectorScore! > 0.5);
  assert.equal(top!.explain!.fused, top!.score);
  const kwOnly = await searchIndex(store, null, q('alpha', { mode: 'keyword', explain: true }));
  assert.equal(kwOnly[0]!.explain!.vectorRank, undefined);
  assert.equal(kwOnly[0]!.score, kwOnly[0]!.explain!.keywordScore);
  assert.equal((await searchIndex(store, null, q('alpha', { mode: 'keyword' })))[0]!.explain, undefined);

  const vec = await searchIndex(store, embedder, q('alpha beta', { mode: 'vector', limit: 50 }));
  const cut = await searchIndex(store, embedder, q('alpha beta', { mode: 'vector', limit: 50, minScore: 0.5 }));
  assert.ok(cut.length >= 1 && cut.length < vec.length);
  assert.ok(cut.every((h) => h.score >= 0.5));
  assert.deepEqual(await searchIndex(store, embedder, q('alpha beta', { minScore: 2 })), []);
  store.close();
});

test('FTS syntax in user text never throws', async () => {
  const { store, embedder } = await makeStore([{ rel: 'a.txt', chunks: ['error E-4471: AND then NEAR the "quoted" col:value x*y'] }]);
  const hostile = ['"unbalanced', 'foo AND', 'AND', 'OR OR', 'NOT x', 'col:value', 'E-4471', '*', 'x*', '(((', 'NEAR(a b)', "it's", '^start', '-minus', '{a b}', 'a + b', '"" ""', '\\', '💥 émoji'];
  for (const text of hostile) {
    await assert.doesNotReject(searchIndex(store, null, q(text, { mode: 'keyword' })), text);
    await assert.doesNotReject(searchIndex(store, embedder, q(text)), text);
  }
  const hits = await searchIndex(store, null, q('col:value "E-4471"', { mode: 'keyword' }));
  assert.equal(hits[0]?.relPath, 'a.txt');
  assert.ok(hits[0]!.highlights.length > 0);
  store.close();
});

test('useful errors: empty index, empty query, model mismatch', async () => {
  const { store, embedder } = await makeStore([]);
  await assert.rejects(searchIndex(store, embedder, q('anything')), (e: unknown) =>
    e instanceof DocprocError && /nothing indexed yet/.test(e.message) && /docproc ingest/.test(e.hint ?? ''));
  store.close();
  const full = await makeStore([{ rel: 'a.txt', chunks: ['hello world'] }]);
  await assert.rejects(searchIndex(full.store, full.embedder, q('   ')), UsageError);
  const other = new FakeEmbedder(64);
  other.modelSha256 = 'another-sha';
  other.modelName = 'other-model';
  await assert.rejects(searchIndex(full.store, other, q('hello')), (e: unknown) =>
    e instanceof IndexMismatchError && /built with model fake/.test(e.message));
  // keyword search does not need the model, so a mismatch does not matter there
  assert.equal((await searchIndex(full.store, null, q('hello', { mode: 'keyword' })))[0]?.relPath, 'a.txt');
  full.store.close();
});

/** An embedder whose query waits until released: the window in which a writer commits during a search. */
class GatedEmbedder extends FakeEmbedder {
  gate: Promise<void> = Promise.resolve();
  started: () => void = () => {};
  override async embed(texts: string[], kind: 'query' | 'passage'): Promise<Float32Array[]> {
    if (kind === 'query') {
      this.started();
      await this.gate;
    }
    return super.embed(texts, kind);
  }
}

test('a search reads one snapshot: a writer deleting every chunk during the query embedding changes nothing', async () => {
  const embedder = new GatedEmbedder(512);
  const { store } = await makeStore([
    { rel: 'a.txt', chunks: ['the lighthouse keeper logs every passing ship'] },
    { rel: 'b.txt', chunks: ['ships pass the lighthouse at night'] },
    ...filler,
  ], embedder);
  let release!: () => void;
  embedder.gate = new Promise<void>((r) => (release = r));
  const started = new Promise<void>((r) => (embedder.started = r));
  const pending = searchIndex(store, embedder, q('lighthouse ships'));
  await started;
  // Another connection (watch or ingest) removes the documents the keyword side has already found.
  const writer = new SqliteStore(store.file);
  for (const p of ['a.txt', 'b.txt', ...filler.map((f) => f.rel)]) await writer.removeDocument(path.join(path.dirname(store.file), 'root', p));
  await writer.close();
  release();
  const hits = await pending;
  assert.deepEqual(new Set(hits.slice(0, 2).map((h) => h.relPath)), new Set(['a.txt', 'b.txt']));
  for (const h of hits) assert.equal(typeof h.text, 'string');
  // The next search sees the writer's commit.
  await assert.rejects(searchIndex(store, embedder, q('lighthouse ships')), /nothing indexed yet/);
  store.close();
});
