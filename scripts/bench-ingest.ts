// Ingest benchmark: ingests a folder into a fresh temporary index with the real model and reports, from one run,
// files/s, chunks/s, tokens/s, each stage's share of wall time, how busy the model was, and peak memory.
//   npm run bench:ingest -- <folder> [--no-ocr] [--rerun] [--json]
//   npm run bench:ingest -- --synthetic 10000 [--stand-in] --rerun     N small text files in a temp tree
//   npm run bench:ingest -- --beir ../shared/eval/scifact/corpus.jsonl --limit 1000
//   more: [--model name] [--home DIR] [--workers N] [--embed-sessions N] [--compare-embed] [--device cpu|cuda|auto]
//   [--parts K: the first ingest runs once per part folder (the tree is written as K of them), the re-run names all
//   K at once; a single run of 100k files exhausts the heap, see the note in the README]
// Profile a slow run with: node --cpu-prof dist/scripts/bench-ingest.js ...
// --rerun ingests again, unchanged: its wall time and model calls (which must be 0). --compare-embed embeds the
// run's distinct chunk texts again, model alone (same sessions, batches of batchSize), to set chunks/s against it.
// --stand-in embeds with a deterministic hash projection instead of the model (cheap builds for re-run timing).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { ingest } from '../src/pipeline/ingest.js';
import { ingestSessions, openEmbedder } from '../src/pipeline/resources.js';
import type { Embedder } from '../src/contracts/stages.js';
import type { IngestSummary } from '../src/pipeline/events.js';
import { StandInEmbedder } from './bench-common/standin-embedder.js';
import { StageCollector } from './bench-ingest/collector.js';
import { watchRss } from './bench-ingest/rss.js';
import { writeBeir, writeSynthetic } from './bench-ingest/trees.js';
import { renderIngest, type IngestReport, type RunReport } from './bench-ingest/render.js';
import { compareEmbed } from './bench-ingest/compare-embed.js';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean' }, 'no-ocr': { type: 'boolean' }, rerun: { type: 'boolean' },
    synthetic: { type: 'string' }, beir: { type: 'string' }, limit: { type: 'string', default: '1000' },
    'stand-in': { type: 'boolean' }, model: { type: 'string' }, home: { type: 'string' },
    workers: { type: 'string' }, 'embed-sessions': { type: 'string' }, 'compare-embed': { type: 'boolean' },
    parts: { type: 'string', default: '1' }, device: { type: 'string' },
  },
});

const count = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
};

const say = (m: string): void => {
  if (!a.json || process.stderr.isTTY) process.stderr.write(`${m}\n`);
};

/** The folders to ingest: the one named, or a temp tree written for this run (in --parts folders). */
function inputTree(tmp: string): { dirs: string[]; source: string } {
  if (a.synthetic) {
    const n = count(a.synthetic, 'synthetic')!;
    const parts = count(a.parts, 'parts')!;
    const dirs = Array.from({ length: parts }, (_, i) => path.join(tmp, 'synthetic', `part${i}`));
    let first = 0;
    for (const [i, d] of dirs.entries()) first += writeSynthetic(d, Math.floor(n / parts) + (i < n % parts ? 1 : 0), first);
    return { dirs, source: `${n} synthetic text files${parts > 1 ? ` in ${parts} folders` : ''}` };
  }
  if (a.beir) {
    const dir = path.join(tmp, 'beir');
    const n = writeBeir(path.resolve(a.beir), dir, count(a.limit, 'limit')!);
    return { dirs: [dir], source: `first ${n} documents of ${path.resolve(a.beir)}, one file each` };
  }
  const folder = positionals[0];
  if (!folder || !fs.existsSync(folder)) throw new Error('name a folder to ingest, or pass --synthetic N or --beir corpus.jsonl');
  return { dirs: [path.resolve(folder)], source: path.resolve(folder) };
}

/** Ingests each list of paths in turn (one `docproc ingest` each), measured as one run. */
async function run(label: string, batches: string[][], config: ReturnType<typeof loadConfig>, embedder: Embedder): Promise<RunReport> {
  const timings = new StageCollector();
  // Calls overlap (several run at once on the sessions): busy time is the union of their intervals.
  const calls: [number, number][] = [];
  let modelCalls = 0;
  const rss = watchRss();
  const t0 = performance.now();
  const summaries: IngestSummary[] = [];
  for (const paths of batches) {
    summaries.push(await ingest({
      paths, config, embedder, timings, log: createLogger({ level: 'error' }),
      onEmbedBatch: (_texts, ms) => {
        const end = performance.now();
        calls.push([end - ms, end]);
        modelCalls++;
      },
    }));
  }
  const summary = sumSummaries(summaries);
  const wallMs = performance.now() - t0;
  const memory = rss.stop();
  const files = summary.indexed + summary.updated + summary.empty + summary.failed + summary.quarantined + summary.skipped;
  const s = wallMs / 1000;
  return {
    label, wallMs, summary, memory,
    files, filesPerSec: files / s, chunksPerSec: summary.chunks / s,
    tokensPerSec: timings.chunkedTokens / s, embeddedTokensPerSec: timings.embeddedTokens / s,
    tokens: { chunked: timings.chunkedTokens, embedded: timings.embeddedTokens },
    model: { calls: modelCalls, busyMs: unionMs(calls), busy: unionMs(calls) / wallMs },
    stages: timings.shares(wallMs),
  };
}

/** Total length of the union of [start, end] intervals. */
function unionMs(intervals: [number, number][]): number {
  let total = 0;
  let reach = -Infinity;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (b <= reach) continue;
    total += b - Math.max(a, reach);
    reach = b;
  }
  return total;
}

function sumSummaries(all: IngestSummary[]): IngestSummary {
  const out = { ...all[0]! };
  for (const s of all.slice(1)) {
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === 'number' && k !== 'runId') (out as unknown as Record<string, number>)[k]! += v;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docproc-bench-ingest-'));
  try {
    const { dirs, source } = inputTree(tmp);
    const home = a.home ?? process.env['DOCPROC_HOME'] ?? process.env['DOCPROC_TEST_HOME'] ?? path.resolve('.docproc-home');
    const config = loadConfig({
      flags: {
        db: path.join(tmp, 'index.db'), home, quiet: true, ocr: !a['no-ocr'],
        ...(a.model ? { model: a.model } : {}), ...(a.device ? { device: a.device } : {}), ...(a.workers ? { workers: count(a.workers, 'workers') } : {}),
        ...(a['embed-sessions'] ? { embedSessions: count(a['embed-sessions'], 'embed-sessions') } : {}),
      },
    });
    const loadStarted = performance.now();
    const loaded = a['stand-in'] ? undefined : await openEmbedder(config, createLogger({ level: 'error' }), undefined, { sessions: ingestSessions(config) });
    const embedder: Embedder = loaded ?? new StandInEmbedder();
    const modelLoadMs = performance.now() - loadStarted;
    const loadavg = [os.loadavg()];
    try {
      say(`ingesting ${source}`);
      const runs = [await run(dirs.length > 1 ? `first ingest (${dirs.length} runs)` : 'first ingest', dirs.map((d) => [d]), config, embedder)];
      if (a.rerun) {
        say('re-running, unchanged');
        runs.push(await run('unchanged re-run', [dirs], config, embedder));
      }
      loadavg.push(os.loadavg());
      const report: IngestReport = {
        source, model: embedder.modelName, device: loaded?.device ?? 'stand-in', ocr: config.ocr, workers: config.workers,
        embedSessions: a['stand-in'] ? 0 : ingestSessions(config), batchSize: config.batchSize, modelLoadMs, runs,
        loadavg: loadavg.map((l) => l.map((x) => Math.round(x * 100) / 100)), cores: os.availableParallelism(),
      };
      if (a['compare-embed']) {
        say('embedding the same chunks again, model alone');
        const first = runs[0]!;
        report.modelOnly = await compareEmbed(config.db, embedder, config.batchSize, first.summary.embedded / (first.wallMs / 1000));
      }
      renderIngest(report, !!a.json);
    } finally {
      await embedder.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
