// Store benchmark: SQLite (sqlite-vec + FTS5) against Postgres (pgvector HNSW + tsvector), in one run.
//   npm run bench:stores -- --pg postgres://… [--corpus corpus.jsonl] [--chunks 100000] [--queries 200] [--json]
//     [--real-model] [--ingest-files 2000] [--ingest-reps 2] [--real-files 300] [--real-reps 2]
//     [--worker-files 400] [--workers 1,2,4] [--worker-rounds 2] [--ef 40,100,200] [--hnsw-m 16]
//     [--hnsw-ef-construction 64] [--keep (keep and reuse the N-chunk indexes)] [--skip ingest,search,workers]
// 1. ingest throughput through the pipeline, stand-in embedder (and --real-model: the ONNX model, fewer files);
// 2. an N-chunk index in each store: build throughput, searchIndex p50/p95 per mode, vector KNN latency and
//    recall (vec0 exact, Postgres exact, HNSW per ef_search); 3. 1/2/4 concurrent `docproc ingest` processes.
// The real model needs DOCPROC_HOME pointing at its cache. Postgres: node scripts/pg/server.mjs start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { openEmbedder } from '../src/pipeline/resources.js';
import { buildIndexes } from './bench-stores/build.js';
import { readAbstracts, readQueries } from './bench-common/scifact.js';
import { STORES_STOPWORDS, writeAbstracts } from './bench-stores/corpus.js';
import { ingestThroughput } from './bench-stores/ingest-throughput.js';
import { renderText, type Report } from './bench-stores/render.js';
import { searchLatency } from './bench-stores/search-latency.js';
import { PrecomputedEmbedder, StandInEmbedder, standInIdentitySource } from './bench-common/standin-embedder.js';
import { progress } from './bench-stores/stats.js';
import { dropSchema, pgSettings, removeSqlite } from './bench-stores/stores.js';
import { vectorRecall } from './bench-stores/vector-recall.js';
import { concurrentWorkers } from './bench-stores/workers.js';

const { values: a } = parseArgs({
  options: {
    pg: { type: 'string' }, corpus: { type: 'string', default: '/work/shared/eval/scifact/corpus.jsonl' },
    chunks: { type: 'string', default: '100000' }, queries: { type: 'string', default: '200' }, 'query-file': { type: 'string' },
    json: { type: 'boolean' }, 'real-model': { type: 'boolean' },
    'ingest-files': { type: 'string', default: '2000' }, 'ingest-reps': { type: 'string', default: '2' },
    'real-files': { type: 'string', default: '300' }, 'real-reps': { type: 'string', default: '2' },
    'worker-files': { type: 'string', default: '400' }, workers: { type: 'string', default: '1,2,4' }, 'worker-rounds': { type: 'string', default: '2' },
    ef: { type: 'string', default: '40,100,200' }, 'hnsw-m': { type: 'string' }, 'hnsw-ef-construction': { type: 'string' },
    keep: { type: 'boolean' }, skip: { type: 'string', default: '' },
  },
});

const int = (name: keyof typeof a): number => {
  const n = Number(a[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};
const list = (s: string): number[] => s.split(',').filter(Boolean).map(Number);

async function main(): Promise<void> {
  const pgUrl = a.pg ?? process.env.BENCH_PG_URL;
  if (!pgUrl) throw new Error('--pg postgres://… is required (start one with: node scripts/pg/server.mjs start)');
  const skip = new Set(a.skip!.split(',').filter(Boolean));
  const n = int('chunks');
  const abstracts = readAbstracts(path.resolve(a.corpus!));
  const config = loadConfig({ flags: { quiet: true } });
  const log = createLogger({ level: 'error' });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docproc-bench-stores-'));
  const standIn = new StandInEmbedder(384, STORES_STOPWORDS);
  const hnsw = { hnswM: a['hnsw-m'] ? Number(a['hnsw-m']) : undefined, hnswEfConstruction: a['hnsw-ef-construction'] ? Number(a['hnsw-ef-construction']) : undefined };
  const report: Report = {
    settings: { corpus: a.corpus, abstracts: abstracts.length, chunks: n, cpus: os.availableParallelism(), node: process.version, postgres: await pgSettings(pgUrl), hnsw },
    ingest: [],
  };
  const sqliteFile = a.keep ? path.join(os.tmpdir(), `docproc-bench-stores-${n}.db`) : path.join(tmp, 'search.db');
  const pgSchema = a.keep ? `bench_stores_${n}` : `bench_stores_${process.pid}`;
  try {
    if (!skip.has('ingest')) {
      const dir = path.join(tmp, 'ingest-files');
      const files = writeAbstracts(abstracts, int('ingest-files'), dir);
      report.ingest.push(await ingestThroughput({ dir, files, reps: int('ingest-reps'), embedder: standIn, label: 'stand-in', key: 'standin', config, pgUrl, tmp }));
      if (a['real-model']) {
        const embedder = await openEmbedder(config, log);
        try {
          await embedder.embed(abstracts.slice(0, 16).map((x) => x.text), 'passage');
          const rdir = path.join(tmp, 'real-files');
          const rfiles = writeAbstracts(abstracts, int('real-files'), rdir);
          report.ingest.push(await ingestThroughput({ dir: rdir, files: rfiles, reps: int('real-reps'), embedder, label: `real (${embedder.modelName})`, key: 'real', config, pgUrl, tmp }));
        } finally {
          await embedder.close();
        }
      }
    }
    if (!skip.has('search')) {
      const built = await buildIndexes({ abstracts, n, embedder: standIn, sqliteFile, pgUrl, pgSchema, ...hnsw });
      report.build = built.result;
      try {
        const { source, texts } = readQueries(path.resolve(a.corpus!), int('queries'), abstracts, a['query-file']);
        report.settings.queries = { source, count: texts.length };
        const vectors = new Map(texts.map((t) => [t, standIn.vector(t)]));
        progress(`searching: ${texts.length} queries, 3 modes, both stores`);
        report.search = await searchLatency({ sqlite: built.sqlite, postgres: built.pg }, new PrecomputedEmbedder(vectors, standInIdentitySource(standIn)), texts);
        report.vector = await vectorRecall(built, texts.map((t) => vectors.get(t)!), list(a.ef!));
      } finally {
        await built.sqlite.close();
        await built.pg.close();
      }
    }
    if (!skip.has('workers')) {
      const dir = path.join(tmp, 'worker-files');
      const files = writeAbstracts(abstracts, int('worker-files'), dir);
      report.workers = await concurrentWorkers({ dir, files, pgUrl, counts: list(a.workers!), rounds: int('worker-rounds') });
    }
  } finally {
    if (!a.keep) {
      removeSqlite(sqliteFile);
      await dropSchema(pgUrl, pgSchema).catch(() => {});
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-stores: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
