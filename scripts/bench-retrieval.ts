// Retrieval benchmark: ingest a BEIR collection through docproc, then nDCG@10 / Recall@100 / MRR@10 per mode.
// npm run bench:retrieval -- --corpus c.jsonl --queries q.jsonl --qrels qrels/train.tsv [--model m] [--mode m]
//   [--json] [--limit-queries N] [--index file.db (reuse/keep the index)] [--sweep (fusion parameters)]
//   [--db postgres://… [--pg-schema name (kept, reused when complete; default a fresh schema, dropped after)]]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { openEmbedder } from '../src/pipeline/resources.js';
import { openStore } from '../src/store/open-store.js';
import type { FusionOptions, SearchMode } from '../src/search/index.js';
import { readQrels, readQueries, writeCorpus } from './retrieval/beir.js';
import { evaluateMode, MemoEmbedder, type ModeResult } from './retrieval/evaluate.js';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' }, queries: { type: 'string' }, qrels: { type: 'string' },
    model: { type: 'string' }, mode: { type: 'string', multiple: true }, json: { type: 'boolean' },
    'limit-queries': { type: 'string' }, index: { type: 'string' }, sweep: { type: 'boolean' },
    db: { type: 'string' }, 'pg-schema': { type: 'string' },
  },
});

function need(name: 'corpus' | 'queries' | 'qrels'): string {
  const v = args[name];
  if (!v) throw new Error(`--${name} is required`);
  return path.resolve(v);
}

async function buildIndex(corpus: string, db: string, config: ReturnType<typeof loadConfig>, embedder: Awaited<ReturnType<typeof openEmbedder>>, pgSchema?: string): Promise<number> {
  // Imported lazily so that --index reuse works even while the pipeline is being changed.
  const { ingest } = (await import('../src/pipeline/ingest.js')) as typeof import('../src/pipeline/ingest.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docproc-beir-'));
  try {
    writeCorpus(corpus, dir);
    const t0 = performance.now();
    const r = await ingest({ paths: [dir], config: { ...config, db, ...(pgSchema ? { pgSchema } : {}) }, log: createLogger({ level: 'warn' }), embedder });
    if (r.failed) process.stderr.write(`warning: ${r.failed} documents failed to ingest\n`);
    return performance.now() - t0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function render(rows: ModeResult[], meta: { model: string; ingestMs: number | null }): void {
  if (args.json) {
    process.stdout.write(JSON.stringify({ ...meta, results: rows }, null, 2) + '\n');
    return;
  }
  const t = new Table({ style: { head: [], border: [] }, head: ['mode', 'nDCG@10', 'Recall@100', 'MRR@10', 'mean ms', 'p95 ms', 'queries'] });
  for (const r of rows) {
    t.push([r.fusion ? `${r.mode} (${r.fusion})` : r.mode, r.ndcg10.toFixed(4), r.recall100.toFixed(4), r.mrr10.toFixed(4), r.meanMs.toFixed(1), r.p95Ms.toFixed(1), r.queries]);
  }
  const ingest = meta.ingestMs === null ? 'reused index' : `ingest ${(meta.ingestMs / 1000).toFixed(1)} s`;
  process.stdout.write(`model ${meta.model}, ${ingest}\n${t.toString()}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig({ flags: { ...(args.model ? { model: args.model } : {}), quiet: true } });
  const log = createLogger({ level: 'warn' });
  const qrels = readQrels(need('qrels'));
  let queries = readQueries(need('queries')).filter((q) => qrels.has(q.id));
  if (args['limit-queries']) queries = queries.slice(0, Number(args['limit-queries']));
  const modes = (args.mode?.length ? args.mode : ['keyword', 'vector', 'hybrid']) as SearchMode[];

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docproc-bench-'));
  const pgUrl = args.db && /^postgres(ql)?:\/\//.test(args.db) ? args.db : undefined;
  const pgSchema = pgUrl ? (args['pg-schema'] ?? `docproc_bench_${process.pid}`) : undefined;
  const db = pgUrl ?? (args.index ? path.resolve(args.index) : path.join(tmp, 'index.db'));
  const embedder = await openEmbedder({ ...config, db }, log);
  try {
    let ingestMs: number | null = null;
    if (pgUrl) {
      // A named schema is kept and reused once complete (it has a finished run); a default one is dropped after.
      const existing = await openStore(pgUrl, { pgSchema });
      const complete = (await existing.runs.last(1))[0]?.outcome === 'completed';
      await existing.close();
      if (!complete) ingestMs = await buildIndex(need('corpus'), pgUrl, config, embedder, pgSchema);
    } else {
      // A kept index is reused only if its ingest finished: an interrupted one is rebuilt from scratch.
      const done = `${db}.complete`;
      if (!fs.existsSync(done)) {
        for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
        ingestMs = await buildIndex(need('corpus'), db, config, embedder);
        if (args.index) fs.writeFileSync(done, `${new Date().toISOString()}\n`);
      }
    }
    const store = await openStore(db, { pgSchema });
    const rows: ModeResult[] = [];
    for (const mode of modes) rows.push(await evaluateMode(store, embedder, queries, qrels, mode));
    if (args.sweep) {
      const memo = new MemoEmbedder(embedder);
      const variants: FusionOptions[] = [
        ...[10, 30, 60, 100].map((rrfK) => ({ method: 'rrf' as const, rrfK, alpha: 0 })),
        ...[0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((alpha) => ({ method: 'convex' as const, rrfK: 60, alpha })),
      ];
      for (const f of variants) rows.push(await evaluateMode(store, memo, queries, qrels, 'hybrid', f));
    }
    await store.close();
    render(rows, { model: embedder.modelName, ingestMs });
    if (pgUrl && !args['pg-schema']) await dropSchema(pgUrl, pgSchema!);
  } finally {
    await embedder.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-retrieval: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
