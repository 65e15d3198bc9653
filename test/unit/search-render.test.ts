// The search command's flag mapping and its renderers (JSON shape, locations, TTY highlighting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSince, toSearchQuery } from '../../src/cli/commands/search.js';
import { formatLocation, highlight, renderSearchTable, toSearchJson } from '../../src/cli/render-search.js';
import { UsageError } from '../../src/errors.js';
import type { SearchHit } from '../../src/search/index.js';

const hit: SearchHit = {
  rank: 1, score: 0.12345678, path: '/work/docs/a.pdf', relPath: 'a.pdf', documentId: 3, chunkId: 9, seq: 2,
  text: 'full chunk text', location: { page: 3, heading: 'Intro' }, type: 'pdf', snippet: 'disk quota exceeded',
  highlights: [[0, 4], [5, 10]], explain: { keywordRank: 1, keywordScore: 4.2, fused: 0.9 },
};

test('flags map to a SearchQuery; document grouping is the default for every output', () => {
  const q = toSearchQuery('budget', { type: 'pdf, docx', path: ['docs/**'], minScore: 0.2, explain: true, json: true });
  assert.deepEqual(q, { text: 'budget', limit: 10, mode: 'hybrid', groupBy: 'document', paths: ['docs/**'], types: ['pdf', 'docx'], minScore: 0.2, explain: true });
  assert.equal(toSearchQuery('x', { groupBy: 'chunk', limit: 3, mode: 'keyword' }).groupBy, 'chunk');
});

test('--since takes ISO dates (bare dates at local midnight) and rejects junk', () => {
  assert.equal(parseSince('2024-05-01').getTime(), new Date(2024, 4, 1).getTime());
  assert.equal(parseSince('2024-05-01T12:00:00Z').toISOString(), '2024-05-01T12:00:00.000Z');
  assert.throws(() => parseSince('last tuesday'), UsageError);
});

test('JSON records: documented keys, path relative to cwd, chunk = seq, explain only when asked', () => {
  const [j] = toSearchJson([hit], { cwd: '/work' });
  assert.deepEqual(Object.keys(j!), ['rank', 'score', 'path', 'chunk', 'text', 'location', 'type', 'snippet', 'highlights']);
  assert.equal(j!.path, 'docs/a.pdf');
  assert.equal(j!.chunk, 2);
  assert.equal(j!.score, 0.123457);
  assert.equal(toSearchJson([hit], { cwd: '/elsewhere' })[0]!.path, '/work/docs/a.pdf');
  assert.deepEqual(toSearchJson([hit], { explain: true })[0]!.explain, hit.explain);
});

test('locations read naturally', () => {
  assert.equal(formatLocation({ page: 3 }), 'p. 3');
  assert.equal(formatLocation({ sheet: 'Sales', line: 4 }), 'sheet Sales · line 4');
  assert.equal(formatLocation({ slide: 4 }), 'slide 4');
  assert.equal(formatLocation({ heading: 'Results' }), 'Results');
  assert.equal(formatLocation({}), '');
});

test('ANSI bold only when colour is on', () => {
  assert.equal(highlight('disk quota', [[0, 4]], false), 'disk quota');
  assert.equal(highlight('disk quota', [[0, 4], [5, 10]], true), '\x1b[1mdisk\x1b[22m \x1b[1mquota\x1b[22m');
  const plain = renderSearchTable([hit], { color: false, explain: true, cwd: '/work' });
  assert.ok(!plain.includes('\x1b['), 'no escape codes off a TTY');
  assert.match(plain, /docs\/a\.pdf/);
  assert.match(plain, /p\. 3 · Intro/);
  assert.match(plain, /#1 4\.200/);
});
