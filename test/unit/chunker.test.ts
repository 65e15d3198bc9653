import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunker } from '../../src/chunk/chunker.js';
import { FakeEmbedder } from '../helpers/fake-embedder.js';
import { UsageError } from '../../src/errors.js';

const tok = new FakeEmbedder(16, 64);
const words = (n: number, w = 'word'): string => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');

test('rejects overlap >= size and size above the model maximum', () => {
  assert.throws(() => new Chunker(tok, { chunkTokens: 32, chunkOverlap: 32 }), UsageError);
  assert.throws(() => new Chunker(tok, { chunkTokens: 65, chunkOverlap: 5 }), /exceeds the model's maximum/);
});

test('no chunk exceeds the size, text is preserved in order', () => {
  const c = new Chunker(tok, { chunkTokens: 32, chunkOverlap: 0 });
  const text = [words(10, 'a') + '.', words(50, 'b') + '.', words(5, 'c') + '.'].join('\n\n');
  const chunks = c.chunk([{ text, loc: { page: 1 } }]);
  for (const ch of chunks) assert.ok(ch.tokens <= 32, `chunk of ${ch.tokens} tokens`);
  assert.equal(chunks.map((ch) => ch.text).join(' ').split(/\s+/).length, 65);
  assert.deepEqual(chunks.map((ch) => ch.seq), chunks.map((_, i) => i));
  assert.ok(chunks.every((ch) => ch.loc.page === 1));
});

test('overlap repeats trailing sentences of the previous chunk', () => {
  const c = new Chunker(tok, { chunkTokens: 22, chunkOverlap: 6 });
  const sentences = Array.from({ length: 8 }, (_, i) => `s${i}a s${i}b s${i}c s${i}d s${i}e.`).join(' ');
  const chunks = c.chunk([{ text: sentences, loc: {} }]);
  assert.ok(chunks.length > 1);
  for (let i = 1; i < chunks.length; i++) {
    const prevLast = chunks[i - 1]!.text.split(' ').slice(-5).join(' ');
    assert.ok(chunks[i]!.text.startsWith(prevLast), `chunk ${i} starts with overlap`);
  }
});

test('splits at sentence, then word, then character boundaries', () => {
  const c = new Chunker(tok, { chunkTokens: 12, chunkOverlap: 0 });
  const chunks = c.chunk([{ text: 'x'.repeat(50) + ' ' + words(30), loc: {} }]);
  for (const ch of chunks) assert.ok(ch.tokens <= 12);
  assert.equal(chunks.map((ch) => ch.text).join(' ').split(/\s+/).length >= 30, true);
});

test('sections with different locations never share a chunk', () => {
  const c = new Chunker(tok, { chunkTokens: 64, chunkOverlap: 8 });
  const chunks = c.chunk([
    { text: 'page one text', loc: { page: 1 } },
    { text: 'more page one', loc: { page: 1, line: 5 } },
    { text: 'page two text', loc: { page: 2 } },
  ]);
  assert.equal(chunks.length, 2);
  assert.match(chunks[0]!.text, /page one text\s+more page one/);
  assert.equal(chunks[1]!.loc.page, 2);
});

test('chunk sha256 depends on text only', () => {
  const c = new Chunker(tok, { chunkTokens: 64, chunkOverlap: 8 });
  const [a] = c.chunk([{ text: 'same text', loc: { page: 1 } }]);
  const [b] = c.chunk([{ text: 'same text', loc: { page: 9 } }]);
  assert.equal(a!.sha256, b!.sha256);
});

test('a huge text without spaces is cut by characters into chunks that fit (regression: this used to take hours)', { timeout: 60_000 }, () => {
  // A tokenizer that sees one token per 3 characters, like base64 under WordPiece.
  const charTok = { maxTokens: 128, countTokens: (t: string) => Math.ceil(t.length / 3) + 2 };
  const c = new Chunker(charTok, { chunkTokens: 128, chunkOverlap: 0 });
  const text = 'QUJD'.repeat(50_000);
  const chunks = c.chunk([{ text, loc: {} }]);
  assert.equal(chunks.map((ch) => ch.text).join(''), text);
  for (const ch of chunks) assert.ok(ch.tokens <= 128);
  assert.ok(chunks.length < 700, `${chunks.length} chunks: pieces should be nearly full`);
});
