// Search at scale on SQLite: builds (or reuses) an index of N chunks and reports latency per mode.
//   npm run bench:search -- [--chunks 100000] [--corpus ../shared/eval/scifact/corpus.jsonl] [--queries 200]
//     [--index file.db (kept and reused when built to the same spec)] [--model all-minilm-l6-v2-q]
//     [--cli-runs 15] [--cli-baseline /old/bin/docproc.js=/old/index.db (an older build, timed in the same rotation)]
//     [--first-pass 1000x4,500x2 (first-pass settings to measure recall for: min x oversample)]
//     [--no-exact (skip exact vector search in the mode table)] [--modes-apart (each mode runs all queries in turn,
//     instead of the modes rotating per query: what one user's searches see, their pages left in the cache)] [--standin-tokens (count tokens as the stand-in does:
//     the chunker is the same, building 1M chunks is much faster)] [--skip modes,keyword,recall] [--json]
// Chunks come from the real chunker (the model's tokenizer when cached) over SciFact abstracts, varied per
// pass; vectors from a deterministic stand-in (hashed bag of words projected to the model's width). Query
// vectors are computed first, so mode latencies exclude the query embedding, which is reported apart (the
// stand-in's and, when cached, the real model's). When the model is cached the index records its identity, so
// `docproc search` can be timed end to end from the shell against the same index.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { readCached } from '../src/embed/cache.js';
import { TextTokenizer } from '../src/embed/tokenizer.js';
import type { ModelIdentitySource } from '../src/contracts/identity.js';
import type { TokenCounter } from '../src/contracts/stages.js';
import type { ModelInfo } from '../src/embed/options.js';
import type { IndexStore } from '../src/contracts/index-store.js';
import type { SearchMode } from '../src/search/index.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { buildIndex } from './bench-search/build.js';
import { readAbstracts, readQueries } from './bench-common/scifact.js';
import { modeLatencies } from './bench-search/latency.js';
import { compareKeyword } from './bench-search/keyword.js';
import { PrecomputedEmbedder, StandInEmbedder, standInIdentitySource } from './bench-common/standin-embedder.js';
import { latency } from './bench-search/stats.js';
import { vectorRecall, withView, type FirstPass } from './bench-search/recall.js';
import { cliLatencies, parseBaseline } from './bench-search/cli.js';
import { renderReport, type Report } from './bench-search/render.js';

const { values: a } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    corpus: { type: 'string', default: path.join('..', 'shared', 'eval', 'scifact', 'corpus.jsonl') },
    queries: { type: 'string', default: '200' },
    'query-file': { type: 'string' },
    index: { type: 'string' },
    model: { type: 'string', default: 'all-minilm-l6-v2-q' },
    home: { type: 'string' },
    'chunk-tokens': { type: 'string', default: '256' },
    'chunk-overlap': { type: 'string', default: '32' },
    'cli-runs': { type: 'string', default: '15' },
    'cli-baseline': { type: 'string', multiple: true },
    'first-pass': { type: 'string' },
    'no-exact': { type: 'boolean' },
    'modes-apart': { type: 'boolean' },
    'standin-tokens': { type: 'boolean' },
    skip: { type: 'string', default: '' },
    json: { type: 'boolean' },
  },
});

const int = (name: 'chunks' | 'queries' | 'chunk-tokens' | 'chunk-overlap' | 'cli-runs'): number => {
  const n = Number(a[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};

function modelHome(): string {
  return a.home ?? process.env['DOCPROC_HOME'] ?? process.env['DOCPROC_TEST_HOME'] ?? path.resolve('.docproc-home');
}

const progress = (msg: string): void => {
  if (!a.json || process.stderr.isTTY) process.stderr.write(`${msg}\n`);
};

async function main(): Promise<void> {
  const corpus = path.resolve(a.corpus!);
  if (!fs.existsSync(corpus)) throw new Error(`no corpus at ${corpus} (pass --corpus path/to/scifact/corpus.jsonl)`);
  const chunks = int('chunks');
  const home = modelHome();
  const model: ModelInfo | undefined = readCached(home, a.model!);
  const standIn = new StandInEmbedder(model?.dims ?? 384);
  const counter: TokenCounter = model?.tokenizerFile && !a['standin-tokens']
    ? await TextTokenizer.fromFile(model.tokenizerFile).then((t) => ({ countTokens: (s: string) => t.countTokens(s), maxTokens: model.maxTokens }))
    : standIn;
  const identity: ModelIdentitySource = model ?? standInIdentitySource(standIn);
  const abstracts = readAbstracts(corpus);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docproc-bench-search-'));
  const file = a.index ? path.resolve(a.index) : path.join(tmp, 'index.db');
  try {
    progress(`building ${chunks} chunks in ${file} (token counts: ${counter === standIn ? 'stand-in' : model!.name})`);
    const build = await buildIndex(
      { file, chunks, chunkTokens: int('chunk-tokens'), chunkOverlap: int('chunk-overlap'), identity, corpus, tokenCounts: counter === standIn ? 'stand-in' : 'model' },
      abstracts, counter, standIn, (done, total) => progress(`  ${done}/${total} chunks`),
    );
    const { source, texts } = readQueries(corpus, int('queries'), abstracts, a['query-file']);
    // Query vectors first: mode latencies below exclude the query embedding, which is timed here.
    const vectors = new Map<string, Float32Array>();
    const standInMs: number[] = [];
    for (const t of texts) {
      const t0 = performance.now();
      vectors.set(t, standIn.vector(t));
      standInMs.push(performance.now() - t0);
    }
    const modelMs = model ? await modelQueryMs(home, model.name, texts) : undefined;
    const embedder = new PrecomputedEmbedder(vectors, identity);
    const store = new SqliteStore(file, { readonly: true });
    let report: Report;
    try {
      const skip = new Set(a.skip!.split(',').filter(Boolean));
      const loadBefore = os.loadavg();
      const stores: { name: string; store: IndexStore; modes: SearchMode[] }[] = [{ name: 'default', store, modes: ['keyword', 'vector', 'hybrid'] }];
      // The exact vec0 KNN answers the same searches in the same rotation: the vector search before the first pass.
      if (!a['no-exact']) stores.push({ name: 'exact vec0', store: withView(store, { vectorSearch: 'exact' }), modes: ['vector', 'hybrid'] });
      progress('timing searches');
      const modes = skip.has('modes') ? undefined : await modeLatencies(stores, embedder, texts, { limit: 10, groupBy: 'document', warmup: 10, apart: !!a['modes-apart'] });
      progress('comparing keyword plans');
      const keyword = skip.has('keyword') ? undefined : await compareKeyword(store.db, texts);
      progress('measuring recall against exact search');
      const recall = [];
      if (!skip.has('recall')) for (const f of firstPasses()) recall.push(await vectorRecall(store, embedder, texts, f));
      report = {
        chunks: build.chunks, documents: build.documents, build, queries: { source, count: texts.length },
        queryEmbedding: { standIn: latency(standInMs), ...(modelMs ? { model: { name: model!.name, ...latency(modelMs) } } : {}) },
        ...(modes ? { modes } : {}), ...(keyword ? { keyword } : {}), recall,
        loadavg: [...loadBefore, ...os.loadavg()].map((x) => Math.round(x * 100) / 100),
      };
    } finally {
      await store.close();
    }
    const runs = int('cli-runs');
    if (runs > 0 && model) {
      progress('timing docproc search from the shell');
      report.cli = cliLatencies(file, home, texts.slice(0, runs), (a['cli-baseline'] ?? []).map(parseBaseline));
    }
    renderReport(report, !!a.json);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** `--first-pass 1000x4,500x2`: settings to measure; none means the store's default only. */
function firstPasses(): (FirstPass | undefined)[] {
  if (!a['first-pass']) return [undefined];
  return a['first-pass'].split(',').map((s) => {
    const [min, oversample] = s.split('x').map(Number);
    if (!Number.isInteger(min) || !Number.isFinite(oversample)) throw new Error(`--first-pass: not MINxOVERSAMPLE: ${s}`);
    return { min: min!, oversample: oversample! };
  });
}

/** The real model's query embedding, one query at a time as `docproc search` runs it (in-process session). */
async function modelQueryMs(home: string, name: string, texts: string[]): Promise<number[]> {
  const { loadEmbedder, defaultModelOptions } = await import('../src/embed/index.js');
  const e = await loadEmbedder(defaultModelOptions({ home, model: name, sources: ['local'], device: 'cpu' }));
  try {
    for (const t of texts.slice(0, 5)) await e.embed([t], 'query');
    const ms: number[] = [];
    for (const t of texts) {
      const t0 = performance.now();
      await e.embed([t], 'query');
      ms.push(performance.now() - t0);
    }
    return ms;
  } finally {
    await e.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:search: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
