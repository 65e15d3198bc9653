// The benchmarks' own arithmetic and inputs: stage-share unions, percentiles, the stand-in embedder, generated trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { StageCollector, unionMs } from '../../scripts/bench-ingest/collector.js';
import { writeBeir, writeSynthetic } from '../../scripts/bench-ingest/trees.js';
import { latency, percentile } from '../../scripts/bench-search/stats.js';
import { StandInEmbedder } from '../../scripts/bench-common/standin-embedder.js';
import { syntheticDocs } from '../../scripts/bench-search/corpus.js';
import type { Abstract } from '../../scripts/bench-common/scifact.js';
import { tempDir } from '../helpers/temp.js';

test('a stage share is the union of its intervals: overlapping files are not counted twice', () => {
  assert.equal(unionMs([]), 0);
  assert.equal(unionMs([[0, 10], [5, 15], [20, 30]]), 25);
  assert.equal(unionMs([[20, 30], [0, 10], [2, 3]]), 20);
  const c = new StageCollector();
  c.stage('extract', 0, 40);
  c.stage('extract', 10, 50);
  c.stage('embed', 60, 80);
  c.tokens(100, 60);
  const shares = c.shares(100);
  const extract = shares.find((s) => s.stage === 'extract')!;
  assert.deepEqual({ busy: extract.busyMs, share: extract.share, summed: extract.summedMs, n: extract.intervals }, { busy: 50, share: 0.5, summed: 80, n: 2 });
  assert.equal(shares.find((s) => s.stage === 'ocr')!.intervals, 0);
  assert.deepEqual([c.chunkedTokens, c.embeddedTokens], [100, 60]);
});

test('percentiles are nearest-rank; latency summaries round to 0.01 ms', () => {
  const xs = [5, 1, 4, 2, 3];
  assert.equal(percentile(xs, 50), 3);
  assert.equal(percentile(xs, 95), 5);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(latency([1.004, 2, 3]), { n: 3, p50Ms: 2, p95Ms: 3, meanMs: 2 });
});

test('the stand-in embedder is deterministic, unit length, and puts texts that share words closer', async () => {
  const e = new StandInEmbedder(384);
  const [a, b, c] = await e.embed(['vitamin d deficiency and cancer', 'cancer risk with vitamin d deficiency', 'river ferry timetable'], 'passage');
  const dot = (x: Float32Array, y: Float32Array): number => x.reduce((s, v, i) => s + v * y[i]!, 0);
  assert.ok(Math.abs(dot(a!, a!) - 1) < 1e-5);
  assert.deepEqual(a, new StandInEmbedder(384).vector('vitamin d deficiency and cancer'));
  assert.ok(dot(a!, b!) > dot(a!, c!) + 0.3);
  assert.ok(a!.some((x) => x < 0) && a!.some((x) => x > 0), 'signed components, as real embeddings have');
});

test('synthetic search documents: every pass adds distinct texts cut by the real chunker within the token budget', () => {
  const abstracts: Abstract[] = Array.from({ length: 20 }, (_, i) => ({
    id: String(i), title: `Title ${i}`,
    text: Array.from({ length: 12 }, (_, s) => `Sentence ${s} of abstract ${i} about protein ${s * i} in cells.`).join(' '),
  }));
  const counter = { countTokens: (t: string) => t.split(/\s+/).length + 2, maxTokens: 128 };
  const docs = syntheticDocs(abstracts, counter, 64, 8);
  const seen = new Set<string>();
  const firstChunks = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const { doc, chunks } = docs.next().value!;
    assert.ok(!seen.has(doc.path));
    seen.add(doc.path);
    firstChunks.add(chunks[0]!.text);
    assert.ok(chunks.length >= 1);
    for (const c of chunks) assert.ok(c.tokens <= 64, `chunk of ${c.tokens} tokens`);
  }
  assert.equal(firstChunks.size, 60, 'three passes over 20 abstracts: 60 different documents');
});

test('input trees: N distinct small files in folders of 100; the first N BEIR abstracts, one file each', () => {
  const dir = tempDir('docproc-bench-trees-');
  try {
    writeSynthetic(path.join(dir, 's'), 250);
    const folders = fs.readdirSync(path.join(dir, 's'));
    assert.equal(folders.length, 3);
    const files = folders.flatMap((f) => fs.readdirSync(path.join(dir, 's', f)).map((x) => fs.readFileSync(path.join(dir, 's', f, x), 'utf8')));
    assert.equal(files.length, 250);
    assert.equal(new Set(files).size, 250);
    const corpus = path.join(dir, 'corpus.jsonl');
    fs.writeFileSync(corpus, [{ _id: 'a1', title: 'T', text: 'one' }, { _id: 'b/2', text: '' }, { _id: 3, title: 'U', text: 'three' }, { _id: 'c', text: 'four' }]
      .map((o) => JSON.stringify(o)).join('\n'));
    assert.equal(writeBeir(corpus, path.join(dir, 'b'), 2), 2);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'b')).sort(), ['3.txt', 'a1.txt']);
    assert.equal(fs.readFileSync(path.join(dir, 'b', 'a1.txt'), 'utf8'), 'T\none');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
