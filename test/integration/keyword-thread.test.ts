// A hybrid search's keyword half on the index's keyword thread (real SQLite file, deterministic fake embedder):
// the same results as on the main thread, never an answer from another snapshot, and a thread that cannot start
// leaves searches as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeEmbedder } from '../helpers/fake-embedder.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { SqliteView } from '../../src/store/sqlite/view.js';
import { KeywordThread } from '../../src/store/sqlite/keyword-thread.js';
import { ThreadState } from '../../src/store/sqlite/keyword-thread-protocol.js';
import { searchIndex, type SearchQuery } from '../../src/search/index.js';
import { sha256 } from '../../src/chunk/chunker.js';
import { tempDir } from '../helpers/temp.js';

const WORDS = 'river harbour ferry timetable quota disk engine repair hiring budget sensor latency invoice audit'.split(' ');

async function addDoc(store: SqliteStore, embedder: FakeEmbedder, root: string, rel: string, texts: string[], type = 'txt'): Promise<void> {
  const chunks = texts.map((text, seq) => ({ seq, text, tokens: embedder.countTokens(text), loc: {}, sha256: sha256(text) }));
  await store.replaceDocument(
    { root, path: path.join(root, rel), relPath: rel, type, size: 1, mtimeMs: 1_700_000_000_000, ino: 1, status: 'indexed', fingerprint: 'f' },
    chunks, chunks.map((c) => embedder.vector(c.text)),
  );
}

async function makeStore(): Promise<{ store: SqliteStore; file: string; root: string; embedder: FakeEmbedder }> {
  const dir = tempDir('docproc-kwthread-');
  const file = path.join(dir, 'index.db');
  const store = new SqliteStore(file);
  const embedder = new FakeEmbedder(64);
  await store.bindIdentity({ modelName: embedder.modelName, modelSha256: embedder.modelSha256, dims: embedder.dims, chunkTokens: 256, chunkOverlap: 0 });
  const root = path.join(dir, 'root');
  for (let d = 0; d < 60; d++) {
    const texts = [0, 1, 2].map((c) => Array.from({ length: 12 }, (_, w) => WORDS[(d * 7 + c * 5 + w * w) % WORDS.length]).join(' '));
    await addDoc(store, embedder, root, `docs/d${d}.${d % 3 ? 'txt' : 'md'}`, texts, d % 3 ? 'txt' : 'md');
  }
  return { store, file, root, embedder };
}

const hybrid = (text: string, extra: Partial<SearchQuery> = {}): SearchQuery => ({ text, limit: 10, mode: 'hybrid', groupBy: 'document', ...extra });

async function threadReady(thread: KeywordThread | undefined): Promise<void> {
  for (let i = 0; i < 500 && !thread?.available(); i++) await sleep(10);
  assert.ok(thread?.available(), 'the keyword thread started');
}

test('hybrid results are identical with the keyword half on the thread, started by a store\'s second hybrid search', async () => {
  const { store, embedder } = await makeStore();
  const queries: SearchQuery[] = [hybrid('ferry timetable'), hybrid('disk quota audit'), hybrid('engine repair budget', { groupBy: 'chunk' }),
    hybrid('sensor latency', { types: ['md'] }), hybrid('harbour invoice', { paths: ['docs/d1*'] }), hybrid('nothing matches zzz')];
  // A model still loading (a promise) keeps the keyword half on this thread: the reference.
  const reference = [];
  for (const q of queries) reference.push(await searchIndex(store, Promise.resolve(embedder), q));
  await searchIndex(store, embedder, queries[0]!);
  assert.equal((store.keywordThread as unknown as { worker?: unknown }).worker, undefined, 'a store\'s first hybrid search starts no thread');
  await searchIndex(store, embedder, queries[0]!); // starts it
  assert.equal(store.keywordThread?.answered, 0, 'the search that starts the thread does not wait for it');
  await threadReady(store.keywordThread);
  for (const [i, q] of queries.entries()) assert.deepEqual(await searchIndex(store, embedder, q), reference[i], q.text);
  assert.equal(store.keywordThread!.answered, queries.length);
  assert.equal(store.keywordThread!.stale, 0);
  // Back-to-back searches never yield to the event loop; the thread is still taken up (its state is shared memory).
  const busy = await makeStore();
  let i = 0;
  while (!busy.store.keywordThread?.answered && i++ < 2000) await searchIndex(busy.store, busy.embedder, hybrid(`ferry ${i % 7}`));
  assert.ok(busy.store.keywordThread?.answered, `answered after ${i} back-to-back searches`);
  await busy.store.close();
  for (const mode of ['keyword', 'vector'] as const) await searchIndex(store, mode === 'keyword' ? null : embedder, hybrid('ferry', { mode }));
  assert.equal(store.keywordThread!.answered, queries.length, 'only hybrid searches use it');
  await store.close();
});

test('an answer from another snapshot (a writer committed in between) is set aside for this view\'s own', async () => {
  const { store, file, root, embedder } = await makeStore();
  await searchIndex(store, embedder, hybrid('ferry'));
  await threadReady(store.keywordThread);
  const writer = new SqliteStore(file);
  await store.snapshot(async (view) => {
    await addDoc(writer, embedder, root, 'late/zebra.txt', ['zebra crossing zebra stripes']);
    const beside = (view as SqliteView).keywordCandidatesBeside('zebra stripes', null, 10);
    assert.ok(beside, 'the thread takes the query');
    const got = await beside;
    assert.deepEqual(got, await view.keywordCandidates('zebra stripes', null, 10));
    assert.deepEqual(got, [], 'the chunk committed after this snapshot began is not in it');
  });
  assert.equal(store.keywordThread!.stale, 1);
  const after = await searchIndex(store, embedder, hybrid('zebra stripes'));
  assert.equal(after[0]?.relPath, 'late/zebra.txt', 'a new search sees the new chunk, through the thread');
  assert.equal(store.keywordThread!.stale, 1);
  await writer.close();
  await store.close();
});

test('a thread that cannot open the index is not used, and searches answer as before', async () => {
  const { store, embedder } = await makeStore();
  const thread = new KeywordThread(path.join(os.tmpdir(), 'docproc-no-such-dir', 'missing.db'));
  assert.equal(thread.available(), false);
  assert.equal(thread.available(), false, 'the second call starts the thread');
  const inside = thread as unknown as { state: Int32Array; worker?: unknown };
  for (let i = 0; i < 500 && Atomics.load(inside.state, 0) !== ThreadState.Failed; i++) await sleep(10);
  assert.equal(Atomics.load(inside.state, 0), ThreadState.Failed, 'the thread reports that it could not open the index');
  assert.equal(thread.available(), false, 'a failed start is not retried');
  assert.equal(inside.worker, undefined, 'and the thread is gone');
  await store.snapshot(async (view) => {
    const v = new SqliteView((store as SqliteStore).db, () => undefined, { keywordThread: thread });
    assert.equal(v.keywordCandidatesBeside('ferry', null, 10), undefined);
    assert.ok((await view.keywordCandidates('ferry', null, 10)).length > 0);
  });
  await thread.close();
  await store.close();
});
