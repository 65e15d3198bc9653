// BatchEmbedder: identical chunk texts reach the model once per run, in one call or across files in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchEmbedder } from '../../src/pipeline/batch-embedder.js';
import { FakeEmbedder } from '../helpers/fake-embedder.js';
import { tmpdir } from 'node:os';
import { loadConfig } from '../../src/config/load.js';
import { embedCallsInFlight } from '../../src/pipeline/resources.js';

const c = (text: string) => ({ sha256: `h:${text}`, text });

test('duplicates inside one call and across concurrent calls are embedded once, with the same vector', async () => {
  const fake = new FakeEmbedder(16);
  const b = new BatchEmbedder(fake, 32);
  const page = ['intro to the paper', 'methods section', 'results and discussion'].map(c);
  const copies = [...page, ...page, ...page, ...page];
  const [one, two] = await Promise.all([b.embedChunks(copies), b.embedChunks([...page, c('a different file')])]);
  assert.equal(one.fresh, 3);
  assert.equal(two.fresh, 1);
  assert.deepEqual(fake.embeddedTexts.sort(), ['a different file', 'intro to the paper', 'methods section', 'results and discussion']);
  assert.deepEqual(one.vectors[0], one.vectors[3]);
  assert.deepEqual(two.vectors[0], one.vectors[0]);
  const later = await b.embedChunks([c('methods section')]);
  assert.equal(later.fresh, 0);
});

test('the run memo is bounded, and a failed model call is not remembered', async () => {
  const fake = new FakeEmbedder(8);
  const b = new BatchEmbedder(fake, 32, 2);
  await b.embedChunks([c('a'), c('b'), c('c')]);
  assert.equal((await b.embedChunks([c('a')])).fresh, 1, 'a fell out of a memo of two');
  let fail = true;
  const flaky = new FakeEmbedder(8);
  const inner = flaky.embed.bind(flaky);
  flaky.embed = async (t, k) => {
    if (fail) throw new Error('model broke');
    return inner(t, k);
  };
  const f = new BatchEmbedder(flaky, 32);
  await assert.rejects(f.embedChunks([c('x')]), /model broke/);
  fail = false;
  assert.equal((await f.embedChunks([c('x')])).fresh, 1);
});

test('up to maxInFlight model calls run at once, each request gets its own vectors, and a failed call fails only its requests', async () => {
  let running = 0;
  let most = 0;
  const calls: string[][] = [];
  const slow = Object.assign(new FakeEmbedder(8, 64), {
    embed: async (texts: string[]): Promise<Float32Array[]> => {
      calls.push(texts);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      if (texts.includes('boom')) throw new Error('model broke');
      return texts.map((t) => Float32Array.from({ length: 8 }, (_, i) => t.length + i));
    },
  });
  const b = new BatchEmbedder(slow, 2, 10, 2);
  const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'];
  const first = await Promise.all(texts.map((t) => b.embed([t])));
  assert.equal(most, 2, 'two calls overlapped, never three');
  assert.ok(calls.every((c) => c.length <= 2), 'no call over batchSize');
  first.forEach((v, i) => assert.equal(v[0]![0], texts[i]!.length));
  const mixed = await Promise.allSettled([b.embed(['boom']), b.embed(['x', 'y']), b.embed(['zz'])]);
  assert.equal(mixed[2]!.status, 'fulfilled');
  assert.ok(mixed.some((r) => r.status === 'rejected'));
});

test('calls in flight: one per CPU session plus one; two for the single in-process CUDA session', () => {
  const config = loadConfig({ flags: { embedSessions: 4 }, env: {}, cwd: tmpdir() });
  const fake = new FakeEmbedder(16);
  assert.equal(embedCallsInFlight(fake, config), 5);
  assert.equal(embedCallsInFlight(Object.assign(fake, { device: 'cpu' }), config), 5);
  assert.equal(embedCallsInFlight(Object.assign(new FakeEmbedder(16), { device: 'cuda' }), config), 2);
});
