import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore, type DocumentInput } from '../../src/store/sqlite/store.js';
import { IndexMismatchError } from '../../src/errors.js';
import { Chunker } from '../../src/chunk/chunker.js';
import { FakeEmbedder } from '../helpers/fake-embedder.js';

const fake = new FakeEmbedder(16, 64);
const identity = { modelName: 'fake', modelSha256: fake.modelSha256, dims: 16, chunkTokens: 32, chunkOverlap: 4 };

function open(): SqliteStore {
  const s = new SqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'docproc-store-')), 'i.db'));
  s.bindIdentity(identity);
  return s;
}

function doc(p: string, sha: string): DocumentInput {
  return { root: '/r', path: p, relPath: path.basename(p), sha256: sha, size: 1, mtimeMs: 1, ino: 1, status: 'indexed', fingerprint: 'f', type: 'txt' };
}

async function put(s: SqliteStore, p: string, text: string): Promise<void> {
  const chunks = new Chunker(fake, identity).chunk([{ text, loc: {} }]);
  s.replaceDocument(doc(p, text), chunks, await fake.embed(chunks.map((c) => c.text), 'passage'));
}

const counts = (s: SqliteStore) => ({
  chunks: (s.db.prepare('SELECT COUNT(*) n FROM chunks').get() as { n: number }).n,
  vectors: (s.db.prepare('SELECT COUNT(*) n FROM vec_chunks').get() as { n: number }).n,
  fts: (s.db.prepare("SELECT COUNT(*) n FROM chunks_fts WHERE chunks_fts MATCH 'alpha OR beta OR gamma'").get() as { n: number }).n,
});

test('replaceDocument swaps chunks, vectors and FTS rows together', async () => {
  const s = open();
  await put(s, '/r/a.txt', 'alpha one two three');
  await put(s, '/r/a.txt', 'beta four five six');
  assert.deepEqual(counts(s), { chunks: 1, vectors: 1, fts: 1 });
  assert.equal(s.getDocument('/r/a.txt')?.chunkCount, 1);
  s.close();
});

test('moving onto an existing document removes its chunks and vectors too (no orphans)', async () => {
  const s = open();
  await put(s, '/r/a.txt', 'alpha one two three');
  await put(s, '/r/sub/b.txt', 'gamma seven eight');
  s.moveDocument('/r/a.txt', doc('/r/sub/b.txt', 'alpha one two three'));
  assert.deepEqual(counts(s), { chunks: 1, vectors: 1, fts: 1 });
  assert.equal(s.getDocument('/r/a.txt'), undefined);
  assert.equal(s.getDocument('/r/sub/b.txt')?.sha256, 'alpha one two three');
  s.close();
});

test('a failed outcome keeps the last good chunks; skipped and empty drop them; removal cleans vectors', async () => {
  const s = open();
  await put(s, '/r/a.txt', 'alpha one two three');
  s.recordOutcome({ ...doc('/r/a.txt', 'x'), status: 'failed', reason: 'corrupt' });
  assert.equal(counts(s).vectors, 1);
  s.recordOutcome({ ...doc('/r/a.txt', 'x'), status: 'empty' });
  assert.deepEqual(counts(s), { chunks: 0, vectors: 0, fts: 0 });
  await put(s, '/r/a.txt', 'alpha one two three');
  assert.equal(s.removeDocument('/r/a.txt'), true);
  assert.deepEqual(counts(s), { chunks: 0, vectors: 0, fts: 0 });
  s.close();
});

test('an index bound to one model refuses another', () => {
  const s = open();
  assert.throws(() => s.bindIdentity({ ...identity, modelSha256: 'other' }), IndexMismatchError);
  assert.throws(() => s.bindIdentity({ ...identity, chunkTokens: 64 }), /chunk tokens 32, not 64/);
  s.bindIdentity(identity);
  s.close();
});
