// Parallel embedding sessions (worker threads) give the same vectors as the in-process session, in input order,
// for the int8 model run one text at a time and for windowed long texts; a closed pool leaves no thread behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelOptions, loadEmbedder } from '../../src/embed/index.js';

const HOME = process.env['DOCPROC_TEST_HOME'] ?? join(tmpdir(), 'docproc-test-home');
const opts = (sessions?: number) => defaultModelOptions({ home: HOME, model: 'all-minilm-l6-v2-q', sources: ['maven'], device: 'cpu', ...(sessions ? { sessions } : {}) });

test('2 and 3 parallel sessions give the in-process vectors, in order (short, long and windowed texts)', async () => {
  const texts = [
    'the ferry leaves at six', 'bees make honey in the hive', 'ash clouds rose over the volcano',
    ...Array.from({ length: 9 }, (_, i) => `sentence number ${i} about a harbour, a lighthouse and a small boat`),
    Array.from({ length: 120 }, (_, i) => `word${i}`).join(' '), // over 256 tokens: several windows averaged
  ];
  const single = await loadEmbedder(opts());
  const want = await single.embed(texts, 'passage');
  await single.close();
  for (const n of [2, 3]) {
    const pooled = await loadEmbedder(opts(n));
    try {
      assert.equal(pooled.dims, 384);
      const got = await pooled.embed(texts, 'passage');
      // Concurrent calls (as the batch embedder makes) are answered independently and in order.
      const [a, b] = await Promise.all([pooled.embed(texts.slice(0, 5), 'passage'), pooled.embed(texts.slice(5), 'query')]);
      got.forEach((v, i) => {
        let worst = 0;
        for (let d = 0; d < v.length; d++) worst = Math.max(worst, Math.abs(v[d]! - want[i]![d]!));
        assert.ok(worst < 1e-5, `${n} sessions, text ${i}: max difference ${worst}`);
      });
      assert.deepEqual(a, got.slice(0, 5));
      assert.equal(b.length, texts.length - 5);
    } finally {
      await pooled.close();
    }
  }
});
