// The keyword postings against FTS5's own bm25() on a real index file: the same rows, order and scores (to the bit)
// through inserts, replacements, removals, filters and migration, and FTS5 answering wherever they cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { SqliteView } from '../../src/store/sqlite/view.js';
import { postingsTopK, ftsTotals, kthLargest } from '../../src/store/sqlite/keyword-search.js';
import { keywordTotals, mergePostings } from '../../src/store/sqlite/keyword-index.js';
import { queryTokens } from '../../src/store/sqlite/keyword-tokens.js';
import { FLUSH_AT, flushPostings, repairKeywordIndex } from '../../src/store/sqlite/keyword-pending.js';
import { queryTerms } from '../../src/text/query-terms.js';
import { buildMatchExpression } from '../../src/store/sqlite/fts-query.js';
import type { Chunk } from '../../src/contracts/stages.js';
import type { EmbeddingIdentity } from '../../src/contracts/identity.js';
import { doc } from '../helpers/store-contract.js';
import { withSqliteIndex } from '../helpers/sqlite-index.js';
import { seededRandom as random } from '../../scripts/bench-common/standin-embedder.js';

const DIMS = 8;
const identity: EmbeddingIdentity = {
  modelName: 'words', modelSha256: 'words-sha', dims: DIMS, pooling: 'mean', normalize: true,
  queryPrefix: '', passagePrefix: '', maxTokens: 64, chunkTokens: 32, chunkOverlap: 4,
};

// Zipf-like word use over inflected forms, so stems collide ("cells"/"cell") and common words match most chunks.
const WORDS = ('cell cells protein proteins cancer risk risks vitamin trial trials mouse mice gene genes dose dosing heart ' +
  'brain virus viral blood therapy therapies patient patients infection infections receptor signalling pathway ' +
  'café naïve résumé 2019 covid 19 il-6 tnf α β').split(' ');

function text(r: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(WORDS.length * r() ** 2.5)]).join(' ');
}

const chunkOf = (t: string, seq: number): Chunk => ({ seq, text: t, tokens: 4, loc: {}, sha256: createHash('sha256').update(t).digest('hex') });
const vector = (): Float32Array => Float32Array.from({ length: DIMS }, (_, i) => (i === 0 ? 1 : 0));

/** Opens the index file again (as `docproc search` or another run would), closing it whatever happens. */
async function opened(file: string, o: { readonly?: boolean }, fn: (store: SqliteStore) => Promise<void>): Promise<void> {
  const store = new SqliteStore(file, o);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

const withIndex = (fn: (store: SqliteStore, file: string) => Promise<void>): Promise<void> => withSqliteIndex(identity, fn);

async function putDoc(store: SqliteStore, d: number, r: () => number, version = 0): Promise<void> {
  const chunks = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => chunkOf(text(r, 3 + Math.floor(r() * 60)), i));
  await store.replaceDocument(doc(`/r/d${d}.txt`, `sha${d}-${version}`), chunks, chunks.map(vector));
}

/** FTS5's own answer: bm25() over every match, ties by the lower chunk id. */
function ftsRanked(db: Database.Database, query: string, k: number, allowed: number[] | null = null): [number, number][] {
  return db.prepare(`SELECT c.id, -bm25(chunks_fts) FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
      WHERE chunks_fts MATCH ? AND (? IS NULL OR c.document_id IN (SELECT value FROM json_each(?)))
      ORDER BY bm25(chunks_fts), c.id LIMIT ?`)
    .raw().all(buildMatchExpression(query), allowed && 1, allowed && JSON.stringify(allowed), k) as [number, number][];
}

function queries(r: () => number, n: number): string[] {
  const fixed = ['cell', 'cells protein', 'the risk of cancer in mice', 'café naive resume', 'covid-19 il 6', 'α β', 'nothingmatches', 'patients patient'];
  return [...fixed, ...Array.from({ length: n }, () => text(r, 1 + Math.floor(r() * 8)))];
}

function assertSameAsFts(db: Database.Database, qs: string[], ks: number[]): void {
  for (const q of qs) {
    for (const k of ks) {
      const mine = postingsTopK(db, queryTerms(q), k, null);
      assert.ok(mine, `postings declined "${q}"`);
      assert.deepEqual(mine, ftsRanked(db, q, k), `"${q}" k=${k}`);
    }
  }
}

test('postings rank as FTS5 bm25() does, scores bit-identical, through inserts, replacements and removals', async () => {
  await withIndex(async (store) => {
    const r = random(1);
    for (let d = 0; d < 300; d++) await putDoc(store, d, r);
    flushPostings(store.db);
    const qs = queries(r, 40);
    assertSameAsFts(store.db, qs, [1, 10, 100, 5000]);
    for (let d = 0; d < 300; d += 7) await putDoc(store, d, r, 1);
    for (let d = 3; d < 300; d += 11) await store.removeDocument(`/r/d${d}.txt`);
    await store.recordOutcome({ ...doc('/r/d1.txt', 'sha1-x'), status: 'empty', reason: 'no text' });
    for (let d = 300; d < 700; d++) await putDoc(store, d, r);
    // Past the first block of 1,024 chunk ids, so block offsets and per-block lengths are in play.
    assert.ok((store.db.prepare('SELECT MAX(id) FROM chunks').pluck().get() as number) > 1024);
    // A chunk with no token at all is still a row to FTS5 (its count and average length include it).
    await store.replaceDocument(doc('/r/dash.txt', 'dash'), [chunkOf('— … ·', 0)], [vector()]);
    flushPostings(store.db);
    assert.deepEqual(keywordTotals(store.db), ftsTotals(store.db));
    assertSameAsFts(store.db, qs, [10, 400]);
    // The search view takes the same path: candidates with their documents, in the same order.
    const v = new SqliteView(store.db, () => identity);
    const got = await v.keywordCandidates('cancer risk in mice', null, 50);
    assert.deepEqual(got.map((c) => [c.chunkId, c.score]), ftsRanked(store.db, 'cancer risk in mice', 50));
    for (const c of got) assert.equal(c.documentId, store.db.prepare('SELECT document_id FROM chunks WHERE id = ?').pluck().get(c.chunkId));
    // Removing everything leaves nothing behind.
    for (let d = 0; d < 700; d++) await store.removeDocument(`/r/d${d}.txt`);
    await store.removeDocument('/r/dash.txt');
    flushPostings(store.db);
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM kw_postings').pluck().get(), 0);
    assert.deepEqual(keywordTotals(store.db), { rows: 0, tokens: 0 });
  });
});

test('a filter keeps bm25 over the whole index and returns only the allowed documents, as FTS5 does', async () => {
  await withIndex(async (store) => {
    const r = random(2);
    for (let d = 0; d < 200; d++) await putDoc(store, d, r);
    flushPostings(store.db);
    const v = new SqliteView(store.db, () => identity);
    const docIds = store.db.prepare('SELECT id FROM documents ORDER BY id').pluck().all() as number[];
    for (const allowed of [docIds.slice(0, 5), docIds.filter((_, i) => i % 3 === 0)]) {
      const chunks = new Set(store.db.prepare('SELECT id FROM chunks WHERE document_id IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(allowed)) as number[]);
      for (const q of queries(r, 10)) {
        assert.deepEqual(postingsTopK(store.db, queryTerms(q), 30, chunks), ftsRanked(store.db, q, 30, allowed), q);
        const got = await v.keywordCandidates(q, allowed, 30);
        assert.deepEqual(got.map((c) => [c.chunkId, c.score]), ftsRanked(store.db, q, 30, allowed), q);
        for (const c of got) assert.ok(allowed.includes(c.documentId));
      }
    }
  });
});

test('FTS5 answers where the postings cannot: totals that disagree, a phrase of several tokens, a chunk too long', async () => {
  await withIndex(async (store) => {
    const r = random(3);
    for (let d = 0; d < 50; d++) await putDoc(store, d, r);
    flushPostings(store.db);
    const v = new SqliteView(store.db, () => identity);
    const expected = ftsRanked(store.db, 'cell cancer', 20);
    // A write that bypassed the postings (simulated): they are not trusted, and the search still answers.
    store.db.prepare('UPDATE kw_totals SET rows = rows + 1').run();
    assert.equal(postingsTopK(store.db, ['cell', 'cancer'], 20, null), undefined);
    assert.deepEqual((await v.keywordCandidates('cell cancer', null, 20)).map((c) => [c.chunkId, c.score]), expected);
    store.db.prepare('UPDATE kw_totals SET rows = rows - 1').run();
    assert.ok(postingsTopK(store.db, ['cell', 'cancer'], 20, null));
    // A term FTS5 splits in two is a phrase; none of ours, and an empty one neither.
    assert.equal(queryTokens(store.db, ['il-6']), undefined);
    assert.equal(queryTokens(store.db, ['--']), undefined);
    assert.deepEqual(queryTokens(store.db, ['Cells', 'naïve']), ['cell', 'naiv']);
    // A chunk with more than 65,535 tokens turns the postings off; FTS5 ranks, and nothing is lost.
    const long = Array.from({ length: 70_000 }, (_, i) => (i % 2 ? 'cell' : 'x')).join(' ');
    await store.replaceDocument(doc('/r/long.txt', 'long'), [chunkOf(long, 0)], [vector()]);
    flushPostings(store.db);
    assert.equal(store.db.prepare('SELECT rows FROM kw_totals').pluck().get(), -1);
    assert.equal(keywordTotals(store.db), undefined);
    assert.equal(postingsTopK(store.db, ['cell'], 5, null), undefined);
    assert.deepEqual((await v.keywordCandidates('cell', null, 5)).map((c) => [c.chunkId, c.score]), ftsRanked(store.db, 'cell', 5));
    await putDoc(store, 99, r);
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM kw_pending').pluck().get(), 0);
    assert.equal(keywordTotals(store.db), undefined);
  });
});

test('an index from before the postings: read-only opens rank with FTS5; the next write-open builds them', async () => {
  await withIndex(async (store, file) => {
    const r = random(4);
    for (let d = 0; d < 150; d++) await putDoc(store, d, r);
    store.db.exec('DROP TABLE kw_postings; DROP TABLE kw_lengths; DROP TABLE kw_totals; DROP TABLE kw_pending; DELETE FROM schema_migrations WHERE version >= 4');
    const qs = queries(r, 10);
    await opened(file, { readonly: true }, async (old) => {
      await old.snapshot(async (v) => {
        for (const q of qs) assert.deepEqual((await v.keywordCandidates(q, null, 25)).map((c) => [c.chunkId, c.score]), ftsRanked(store.db, q, 25));
      });
      assert.equal(postingsTopK(old.db, ['cell'], 5, null), undefined);
    });
    await opened(file, {}, async (migrated) => {
      assert.deepEqual(keywordTotals(migrated.db), ftsTotals(migrated.db));
      assertSameAsFts(migrated.db, qs, [25]);
    });
    // `docproc search` opens read-only: the query's tokens go through a temp table, which such a connection may write.
    await opened(file, { readonly: true }, async (reader) => {
      await reader.snapshot(async () => assertSameAsFts(reader.db, qs, [25]));
    });
  });
});

test('a flush that failed and rolled back leaves the next one working (the temp tables it made are gone)', async () => {
  await withIndex(async (store, file) => {
    const r = random(6);
    for (let d = 0; d < 20; d++) await putDoc(store, d, r);
    await store.close();
    // A fresh connection whose first flush runs in a transaction that then fails (a disk full, say).
    await opened(file, {}, async (again) => {
      await putDoc(again, 50, r);
      assert.throws(() => again.db.transaction(() => {
        flushPostings(again.db);
        throw new Error('disk full');
      })(), /disk full/);
      await putDoc(again, 3, r, 1);
      await putDoc(again, 30, r);
      assert.ok(flushPostings(again.db) > 0);
      assert.deepEqual(keywordTotals(again.db), ftsTotals(again.db));
      assertSameAsFts(again.db, queries(r, 5), [20]);
    });
  });
});

test('a write that bypassed the postings (an older docproc still running) is noticed even with equal totals, and repaired when the next run starts', async () => {
  await withIndex(async (store, file) => {
    const r = random(7);
    for (let d = 0; d < 40; d++) await putDoc(store, d, r);
    flushPostings(store.db);
    // Swap one chunk's text for another with the same number of tokens, as code unaware of the postings would.
    const [id, documentId, text] = store.db.prepare("SELECT id, document_id, text FROM chunks WHERE text NOT LIKE '%-%' ORDER BY id LIMIT 1").raw().get() as [number, number, string];
    const swapped = text.split(' ').map(() => 'zebra').join(' ');
    store.db.transaction(() => {
      store.db.prepare('DELETE FROM chunks WHERE id = ?').run(id);
      store.db.prepare("INSERT INTO chunks (id, document_id, seq, text, tokens, loc, sha256) VALUES (?, ?, 0, ?, 4, '{}', 'x')").run(id, documentId, swapped);
    })();
    // Rows and tokens still agree with FTS5's: only the count of chunk writes tells.
    assert.deepEqual(store.db.prepare('SELECT rows, tokens FROM kw_totals').get(), { ...ftsTotals(store.db) });
    assert.equal(keywordTotals(store.db), undefined);
    assert.equal(postingsTopK(store.db, ['zebra'], 5, null), undefined);
    const v = new SqliteView(store.db, () => identity);
    assert.deepEqual((await v.keywordCandidates('zebra', null, 5)).map((c) => c.chunkId), [id]);
    await opened(file, {}, async (reopened) => {
      // Opening writes nothing (a process without the writer lock opens too); a run starts under the lock.
      assert.equal(keywordTotals(reopened.db), undefined);
      await reopened.runs.start('ingest', ['/r']);
      assert.deepEqual(keywordTotals(reopened.db), ftsTotals(reopened.db));
      assert.deepEqual(postingsTopK(reopened.db, ['zebra'], 5, null)?.map(([c]) => c), [id]);
      assertSameAsFts(reopened.db, queries(r, 5), [20]);
    });
  });
});

test("new chunks queue for the postings: searches rank with FTS5 until a flush (a long queue, a run's end, close, the next run after a kill)", async () => {
  await withIndex(async (store, file) => {
    const r = random(8);
    const pending = (): number => store.db.prepare('SELECT COUNT(*) FROM kw_pending').pluck().get() as number;
    const behind = (): number => store.db.prepare('SELECT chunk_changes - applied_changes FROM kw_totals').pluck().get() as number;
    for (let d = 0; d < 30; d++) await putDoc(store, d, r);
    assert.ok(pending() > 0);
    assert.equal(behind(), pending());
    assert.equal(keywordTotals(store.db), undefined);
    const v = new SqliteView(store.db, () => identity);
    assert.deepEqual((await v.keywordCandidates('cell cancer', null, 20)).map((c) => [c.chunkId, c.score]), ftsRanked(store.db, 'cell cancer', 20));
    // Replaced and removed before any flush: their queued chunks just leave the queue.
    for (let d = 0; d < 30; d += 3) await putDoc(store, d, r, 1);
    for (let d = 1; d < 30; d += 5) await store.removeDocument(`/r/d${d}.txt`);
    assert.equal(behind(), pending());
    flushPostings(store.db);
    assert.equal(pending(), 0);
    assert.deepEqual(keywordTotals(store.db), ftsTotals(store.db));
    assertSameAsFts(store.db, queries(r, 8), [20]);
    // The highest chunk id deleted and taken again (SQLite gives max + 1), flushed and queued.
    const top = (): number => store.db.prepare('SELECT MAX(id) FROM chunks').pluck().get() as number;
    const topDoc = store.db.prepare('SELECT d.path FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?').pluck();
    const before = top();
    await store.removeDocument(topDoc.get(before) as string);
    await putDoc(store, 90, r);
    assert.ok(top() <= before + 4);
    await store.removeDocument(topDoc.get(top()) as string);
    await putDoc(store, 91, r);
    flushPostings(store.db);
    assert.deepEqual(keywordTotals(store.db), ftsTotals(store.db));
    assertSameAsFts(store.db, queries(r, 8), [20]);
    // A queue of FLUSH_AT chunks is applied inside the write that reaches it.
    let d = 100;
    while (pending() + 4 < FLUSH_AT) await putDoc(store, d++, r);
    const queued = pending();
    for (let i = 0; i < 8 && pending() >= queued; i++) await putDoc(store, d++, r);
    assert.ok(pending() < queued);
    assert.equal(behind(), pending());
    // A run's end applies the queue before it is recorded.
    const run = await store.runs.start('ingest', ['/r']);
    await putDoc(store, d++, r);
    await store.runs.finish(run, 'completed', {}, [], 1);
    assert.equal(pending(), 0);
    assert.deepEqual(keywordTotals(store.db), ftsTotals(store.db));
    // A second connection that queued nothing leaves the queue alone when it closes.
    await putDoc(store, d++, r);
    assert.ok(pending() > 0);
    const bystander = new SqliteStore(file);
    await bystander.close();
    assert.ok(pending() > 0);
    // Killed with a queue (the connection closed without a flush): the next run applies it when it starts.
    store.db.close();
    await opened(file, { readonly: true }, async (reader) => {
      assert.equal(keywordTotals(reader.db), undefined);
    });
    await opened(file, {}, async (reopened) => {
      assert.ok((reopened.db.prepare('SELECT COUNT(*) FROM kw_pending').pluck().get() as number) > 0);
      assert.equal(repairKeywordIndex(reopened.db), 'flushed');
      assert.equal(reopened.db.prepare('SELECT COUNT(*) FROM kw_pending').pluck().get(), 0);
      assert.deepEqual(keywordTotals(reopened.db), ftsTotals(reopened.db));
      assert.equal(repairKeywordIndex(reopened.db), 'current');
      assertSameAsFts(reopened.db, queries(r, 5), [20]);
      // And close applies what a last write queued.
      await putDoc(reopened, d++, r);
    });
    await opened(file, { readonly: true }, async (last) => {
      assert.deepEqual(keywordTotals(last.db), ftsTotals(last.db));
    });
  });
});

test('mergePostings appends new chunks and takes removed ones out, in slot order; kthLargest', () => {
  const old = Uint16Array.from([1, 2, 5, 1]);
  assert.deepEqual([...mergePostings(old, [[1030, 3]], 1024, 1)], [1, 2, 5, 1, 6, 3]);
  assert.deepEqual([...mergePostings(old, [[1027, 4]], 1024, 1)], [1, 2, 3, 4, 5, 1]);
  assert.deepEqual([...mergePostings(old, [[1025, 9]], 1024, -1)], [5, 1]);
  assert.deepEqual([...mergePostings(old, [[1025, 9], [1029, 1]], 1024, -1)], []);
  const r = random(5);
  for (let n = 1; n < 60; n += 7) {
    const a = Float64Array.from({ length: n }, () => Math.floor(r() * 10));
    const sorted = [...a].sort((x, y) => y - x);
    for (let k = 1; k <= n; k++) assert.equal(kthLargest(Float64Array.from(a), k), sorted[k - 1]);
  }
});
