// Metrics: valid Prometheus text, every documented name present, labels bounded (no paths, no reasons),
// counters moving with the events of a real ingest, index gauges read from a real index, and the textfile
// written atomically.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { ingest } from '../../src/pipeline/ingest.js';
import type { FileEvent, IngestEvent } from '../../src/pipeline/events.js';
import { createMetrics } from '../../src/health/metrics.js';
import { observeEmbedBatch, observeFile, observeSync } from '../../src/health/metrics-observe.js';
import { refreshIndexGauges } from '../../src/health/metrics-index.js';
import { writeMetricsFile } from '../../src/health/textfile.js';
import { FakeEmbedder } from '../helpers/fake-embedder.js';
import { parsePrometheusText, sampleSum, sampleValue } from '../helpers/prom-text.js';
import { tempDir } from '../helpers/temp.js';

const work = tempDir('docproc-health-metrics-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

export const METRIC_NAMES = [
  'docproc_index_up', 'docproc_documents', 'docproc_chunks', 'docproc_index_size_bytes', 'docproc_runs',
  'docproc_last_success_timestamp_seconds', 'docproc_build_info', 'docproc_files_processed_total',
  'docproc_file_processing_seconds', 'docproc_embedding_batch_seconds', 'docproc_chunks_embedded_total',
  'docproc_ocr_pages_total', 'docproc_quarantines_total', 'docproc_watch_queue_depth', 'docproc_watch_lag_seconds',
];

test('the exposition parses as Prometheus text and declares every docproc metric; process metrics only when asked', async () => {
  const withProcess = parsePrometheusText(await createMetrics({ processMetrics: true }).registry.metrics());
  for (const name of METRIC_NAMES) assert.ok(withProcess.has(name), name);
  assert.ok(withProcess.has('process_cpu_seconds_total') && withProcess.has('nodejs_eventloop_lag_seconds'));
  const without = parsePrometheusText(await createMetrics({ processMetrics: false }).registry.metrics());
  assert.ok(!without.has('process_cpu_seconds_total'));
  assert.deepEqual([...without.keys()].filter((k) => k.startsWith('docproc_')).sort(), [...METRIC_NAMES].sort());
  assert.equal(without.get('docproc_files_processed_total')?.type, 'counter');
  assert.equal(without.get('docproc_file_processing_seconds')?.type, 'histogram');
});

test('labels stay bounded: a path, a reason or an unknown type never becomes a label value', async () => {
  const m = createMetrics({ processMetrics: false });
  const e = (over: Partial<FileEvent>): FileEvent => ({ event: 'file', path: '/secret/home/alice/tax-2024.pdf', status: 'indexed', ...over });
  observeFile(m, e({ type: 'pdf', chunks: 3, durationMs: 120, pagesOcr: 2 }));
  observeFile(m, e({ type: 'weird-type-from-a-plugin', status: 'failed', reason: 'parse error at /secret/x' }));
  observeFile(m, e({ status: 'quarantined', reason: 'worker crashed' }));
  observeFile(m, e({ status: 'unchanged' }));
  observeFile(m, e({ status: 'bogus' as never }));
  const text = await m.registry.metrics();
  assert.doesNotMatch(text, /secret|alice|parse error|worker crashed|weird/);
  const f = parsePrometheusText(text);
  assert.equal(sampleValue(f, 'docproc_files_processed_total', { type: 'pdf', status: 'indexed' }), 1);
  assert.equal(sampleValue(f, 'docproc_files_processed_total', { type: 'other', status: 'failed' }), 1);
  assert.equal(sampleValue(f, 'docproc_files_processed_total', { type: 'unknown', status: 'quarantined' }), 1);
  assert.equal(sampleValue(f, 'docproc_files_processed_total', { type: 'unknown', status: 'other' }), 1);
  assert.equal(sampleSum(f, 'docproc_files_processed_total'), 4, 'unchanged files are not counted');
  assert.equal(sampleValue(f, 'docproc_quarantines_total'), 1);
  assert.equal(sampleValue(f, 'docproc_ocr_pages_total'), 2);
  assert.equal(sampleValue(f, 'docproc_file_processing_seconds_count', { type: 'pdf' }), 1);
  assert.equal(sampleValue(f, 'docproc_file_processing_seconds_sum', { type: 'pdf' }), 0.12);
  observeEmbedBatch(m, 32, 250);
  observeSync(m, 1500);
  observeSync(m, null);
  const g = parsePrometheusText(await m.registry.metrics());
  assert.equal(sampleValue(g, 'docproc_chunks_embedded_total'), 32);
  assert.equal(sampleValue(g, 'docproc_embedding_batch_seconds_bucket', { le: '0.25' }), 1);
  assert.equal(sampleValue(g, 'docproc_watch_lag_seconds_count'), 1);
  for (const fam of g.values()) for (const s of fam.samples) for (const v of Object.values(s.labels)) assert.ok(!v.includes('/'), `${s.name} ${v}`);
});

test('counters move with a real ingest; the index gauges follow the index; the textfile is replaced atomically', async () => {
  const docs = path.join(work, 'docs');
  fs.mkdirSync(docs);
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(docs, `note${i}.txt`), `Note ${i} about the heron and the kingfisher by the river.\n`);
  fs.writeFileSync(path.join(docs, 'empty.txt'), '');
  const db = path.join(work, 'index.db');
  const config = configSchema.parse({ db, workers: 1, chunkTokens: 64, chunkOverlap: 8 });
  const m = createMetrics({ processMetrics: false });
  const before = parsePrometheusText(await m.registry.metrics());
  assert.equal(sampleSum(before, 'docproc_files_processed_total'), 0);
  await refreshIndexGauges(m, { db, pgSchema: 'docproc' }, { timeoutMs: 5000, model: 'fake' });
  assert.equal(sampleValue(parsePrometheusText(await m.registry.metrics()), 'docproc_index_up'), 0, 'no index yet');

  const summary = await ingest({
    paths: [docs], config, embedder: new FakeEmbedder(),
    onEvent: (e: IngestEvent) => { if (e.event === 'file') observeFile(m, e); },
    onEmbedBatch: (n, ms) => observeEmbedBatch(m, n, ms),
  });
  await refreshIndexGauges(m, { db, pgSchema: 'docproc' }, { timeoutMs: 5000 });
  const f = parsePrometheusText(await m.registry.metrics());
  assert.equal(sampleValue(f, 'docproc_files_processed_total', { type: 'txt', status: 'indexed' }), 5);
  assert.equal(sampleValue(f, 'docproc_files_processed_total', { type: 'txt', status: 'empty' }), 1);
  assert.equal(sampleValue(f, 'docproc_chunks_embedded_total'), summary.embedded);
  assert.ok(sampleValue(f, 'docproc_embedding_batch_seconds_count')! >= 1);
  assert.equal(sampleValue(f, 'docproc_file_processing_seconds_count', { type: 'txt' }), 6);
  assert.equal(sampleValue(f, 'docproc_index_up'), 1);
  assert.equal(sampleValue(f, 'docproc_documents', { status: 'indexed' }), 5);
  assert.equal(sampleValue(f, 'docproc_documents', { status: 'empty' }), 1);
  assert.equal(sampleValue(f, 'docproc_documents', { status: 'failed' }), 0, 'every status is present, at 0 when empty');
  assert.equal(sampleValue(f, 'docproc_chunks'), summary.chunks);
  assert.ok(sampleValue(f, 'docproc_index_size_bytes')! > 0);
  assert.equal(sampleValue(f, 'docproc_runs', { outcome: 'completed' }), 1);
  const last = sampleValue(f, 'docproc_last_success_timestamp_seconds')!;
  assert.ok(Math.abs(last - Date.now() / 1000) < 60, `last success ${last}`);
  assert.equal(sampleValue(f, 'docproc_build_info', { version: JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version, model: 'fake' }), 1);

  const out = path.join(work, 'textfile', 'docproc.prom');
  await writeMetricsFile(out, m);
  fs.writeFileSync(out + '.keep', 'x');
  await writeMetricsFile(out, m);
  assert.deepEqual(fs.readdirSync(path.dirname(out)).sort(), ['docproc.prom', 'docproc.prom.keep'], 'no temp file left behind');
  const written = parsePrometheusText(fs.readFileSync(out, 'utf8'));
  assert.equal(sampleValue(written, 'docproc_files_processed_total', { type: 'txt', status: 'indexed' }), 5);
});
