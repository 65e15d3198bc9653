// Pure parts of search: FTS5 expression building, fusion and snippets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMatchExpression, fuse, makeSnippet, queryTerms } from '../../src/search/index.js';

test('queryTerms splits like unicode61, lower-cases, drops stopwords and duplicates', () => {
  assert.deepEqual(queryTerms('The error E-4471: disk AND disk'), ['error', 'e', '4471', 'disk']);
  assert.deepEqual(queryTerms('to be or not to be'), ['to', 'be', 'or', 'not']);
  assert.deepEqual(queryTerms('"*:() -'), []);
});

test('buildMatchExpression quotes every term so operators stay words', () => {
  assert.equal(buildMatchExpression('NEAR(x y) AND col:val*'), '"near" OR "x" OR "y" OR "col" OR "val"');
  assert.equal(buildMatchExpression('"""'), null);
  assert.equal(buildMatchExpression('Ünïcode café'), '"ünïcode" OR "café"');
});

test('fuse: convex combines min-max normalised scores with weight alpha', () => {
  const kw = { keys: [1, 2, 3], scores: [10, 5, 0] };
  const vec = { keys: [3, 1], scores: [0.9, 0.5] };
  const out = fuse(kw, vec, { method: 'convex', alpha: 0.5, rrfK: 60 });
  const by = new Map(out.map((f) => [f.key, f]));
  assert.equal(by.get(1)!.fused, 0.5 * 1 + 0.5 * 0); // kw top, vector bottom
  assert.equal(by.get(2)!.fused, 0.5 * 0.5);
  assert.equal(by.get(3)!.fused, 0.5 * 0 + 0.5 * 1);
  assert.deepEqual(by.get(3), { key: 3, fused: 0.5, keywordRank: 3, keywordScore: 0, vectorRank: 1, vectorScore: 0.9 });
  // tie between 1 and 3 breaks towards the better best rank (both 1), then the smaller key
  assert.deepEqual(out.map((f) => f.key), [1, 3, 2]);
});

test('fuse: reciprocal rank fusion sums 1/(k + rank)', () => {
  const out = fuse({ keys: [1, 2], scores: [3, 2] }, { keys: [2, 3], scores: [0.9, 0.8] }, { method: 'rrf', alpha: 0, rrfK: 60 });
  assert.equal(out[0]!.key, 2);
  assert.equal(out[0]!.fused, 1 / 62 + 1 / 61);
  assert.equal(out.find((f) => f.key === 3)!.fused, 1 / 62);
});

test('fuse: a single candidate counts fully', () => {
  assert.equal(fuse({ keys: [7], scores: [4] }, { keys: [], scores: [] })[0]!.fused, 0.5);
});

test('makeSnippet: short text whole, with highlight ranges on stemmed matches', () => {
  const s = makeSnippet('Running\nservers  and the server room', ['server', 'run']);
  assert.equal(s.snippet, 'Running servers and the server room');
  assert.deepEqual(s.highlights.map(([a, b]) => s.snippet.slice(a, b)), ['Running', 'servers', 'server']);
});

test('makeSnippet: long text windows around the densest matches, on word boundaries', () => {
  const pad = (n: number): string => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
  const text = `${pad(60)} quota once here ${pad(80)} disk quota exceeded error disk quota ${pad(80)}`;
  const s = makeSnippet(text, ['disk', 'quota', 'error'], 240);
  assert.ok(s.snippet.length <= 242, `${s.snippet.length}`);
  assert.ok(s.snippet.startsWith('…') && s.snippet.endsWith('…'));
  assert.match(s.snippet, /disk quota exceeded error disk quota/);
  const words = s.highlights.map(([a, b]) => s.snippet.slice(a, b));
  assert.deepEqual(words, ['disk', 'quota', 'error', 'disk', 'quota']);
  assert.ok(text.includes(' ' + s.snippet.slice(1, -1) + ' '), 'no word is cut in half');
});

test('makeSnippet: no match still gives the start of the text', () => {
  const s = makeSnippet('x '.repeat(300), ['absent']);
  assert.equal(s.highlights.length, 0);
  assert.ok(s.snippet.startsWith('x x'));
});
