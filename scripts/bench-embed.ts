// Benchmark: docproc's embedder vs a bare onnxruntime-node session on the same model file, inputs, batch size and threads.
//
// Usage: node dist/scripts/bench-embed.js [--model all-minilm-l6-v2-q] [--n 512] [--batch 32]
//        [--threads N] [--reps 3] [--home DIR] [--json]
// Variants, timed in rotating order within each repetition after one warm-up pass each:
//   bare              pre-tokenised ids, input order, padded per batch, session.run only (no pooling):
//                     the floor a hand-written loop gets; tokenisation is timed separately.
//   docproc           loadEmbedder defaults: tokenise, length-sort, pool, normalise; int8 models run one
//                     sequence per run (batchInvariant) so a text's vector never depends on its neighbours.
//   docproc-batched   the same with batchInvariant: false (batches of --batch, like bare).
//   docproc-sessions  what ingest uses: --sessions single-threaded sessions on worker threads (default: cores).
// --long makes ~256-token texts (the default chunk size) instead of ~120-230.
// --device cuda adds, in the same run and rotation, docproc on the CUDA provider (batches of --batch, and of
// --cuda-batch) and reports how far its vectors are from the CPU ones (smallest cosine over all texts).
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/embed/ort-env.js'; // before onnxruntime-node: no telemetry from a benchmark either
import * as ort from 'onnxruntime-node';
import { defaultModelOptions, loadEmbedder, type LoadedEmbedder } from '../src/embed/index.js';
import { TextTokenizer } from '../src/embed/tokenizer.js';
import { cosine } from '../src/embed/pooling.js';

interface Args {
  model: string;
  n: number;
  batch: number;
  threads: number;
  reps: number;
  sessions: number;
  long: boolean;
  device: 'cpu' | 'cuda';
  cudaBatch: number;
  home: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    model: 'all-minilm-l6-v2-q',
    n: 512,
    batch: 32,
    threads: availableParallelism(),
    reps: 3,
    sessions: availableParallelism(),
    long: false,
    device: 'cpu',
    cudaBatch: 256,
    home: process.env['DOCPROC_HOME'] ?? process.env['DOCPROC_TEST_HOME'] ?? join(tmpdir(), 'docproc-test-home'),
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1] ?? '';
    if (k === '--json') a.json = true;
    else if (k === '--long') a.long = true;
    else if (k === '--model') (a.model = v), i++;
    else if (k === '--home') (a.home = v), i++;
    else if (k === '--device') {
      if (v !== 'cpu' && v !== 'cuda') throw new Error('--device is cpu or cuda');
      (a.device = v), i++;
    } else if (k === '--n' || k === '--batch' || k === '--threads' || k === '--reps' || k === '--sessions' || k === '--cuda-batch') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${k} needs a positive integer`);
      a[k === '--cuda-batch' ? 'cudaBatch' : (k.slice(2) as 'n' | 'batch' | 'threads' | 'reps' | 'sessions')] = n;
      i++;
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

/** Deterministic chunk-sized texts (~120-230 tokens) from a fixed word list and an LCG. */
function makeTexts(n: number, long: boolean): string[] {
  const words = ('the a of and to in is for on with as by document chunk search index vector query model token ' +
    'database river mountain sensor temperature report quarterly revenue customer support ticket network latency ' +
    'café résumé naïve 東京 数据 analysis pipeline embedding storage retrieval').split(' ');
  let s = 42;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => {
    const len = long ? 200 + Math.floor(rnd() * 20) : 80 + Math.floor(rnd() * 100);
    const w = Array.from({ length: len }, () => words[Math.floor(rnd() * words.length)]!);
    return `Section ${i}. ${w.join(' ')}.`;
  });
}

async function bareRunner(modelFile: string, batch: number, threads: number): Promise<(ids: number[][]) => Promise<void>> {
  const session = await ort.InferenceSession.create(modelFile, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const withTypes = session.inputNames.includes('token_type_ids');
  return async (ids) => {
    for (let i = 0; i < ids.length; i += batch) {
      const rows = ids.slice(i, i + batch);
      const seq = Math.max(...rows.map((r) => r.length));
      const inp = new BigInt64Array(rows.length * seq);
      const mask = new BigInt64Array(rows.length * seq);
      rows.forEach((r, ri) => r.forEach((t, ti) => ((inp[ri * seq + ti] = BigInt(t)), (mask[ri * seq + ti] = 1n))));
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', inp, [rows.length, seq]),
        attention_mask: new ort.Tensor('int64', mask, [rows.length, seq]),
      };
      if (withTypes) feeds['token_type_ids'] = new ort.Tensor('int64', new BigInt64Array(rows.length * seq), [rows.length, seq]);
      await session.run(feeds);
    }
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const texts = makeTexts(a.n, a.long);
  const opts = defaultModelOptions({ home: a.home, model: a.model, sources: ['maven', 'local'], device: 'cpu', threads: a.threads, batchSize: a.batch });
  const dp: LoadedEmbedder = await loadEmbedder(opts);
  const dpBatched: LoadedEmbedder = await loadEmbedder({ ...opts, batchInvariant: false });
  const dpSessions: LoadedEmbedder = await loadEmbedder({ ...opts, sessions: a.sessions });
  const modelFile = dp.info.modelFile ?? join(dp.info.path, 'model.onnx');
  // device 'cuda' fails loudly when the provider does not load: a silent CPU fallback would mislabel the figures.
  const cuda = a.device === 'cuda' ? await loadEmbedder({ ...opts, device: 'cuda' }) : undefined;
  const cudaWide = a.device === 'cuda' ? await loadEmbedder({ ...opts, device: 'cuda', batchSize: a.cudaBatch }) : undefined;

  const t0 = performance.now();
  const tok = await TextTokenizer.fromFile(dp.info.tokenizerFile ?? join(dp.info.path, 'tokenizer.json'));
  const ids = texts.map((t) => tok.segments(t, dp.maxTokens)[0]!);
  const tokenizeMs = performance.now() - t0;
  const tokens = ids.reduce((s, x) => s + x.length, 0);

  const bare = await bareRunner(modelFile, a.batch, a.threads);
  const variants: Record<string, (n: number) => Promise<unknown>> = {
    bare: (n) => bare(ids.slice(0, n)),
    docproc: (n) => dp.embed(texts.slice(0, n), 'passage'),
    'docproc-batched': (n) => dpBatched.embed(texts.slice(0, n), 'passage'),
    // In batches of --batch texts with one per session (plus one) in flight, as the ingest's batch embedder calls
    // it: an fp32 model runs a whole batch on one session, so one batch at a time would leave the others idle.
    'docproc-sessions': async (n) => {
      let next = 0;
      const lane = async (): Promise<void> => {
        for (let i = next; i < n; i = next) {
          next += a.batch;
          await dpSessions.embed(texts.slice(i, Math.min(n, i + a.batch)), 'passage');
        }
      };
      await Promise.all(Array.from({ length: a.sessions + 1 }, lane));
    },
  };
  if (cuda && cudaWide) {
    variants['docproc-cuda'] = (n) => cuda.embed(texts.slice(0, n), 'passage');
    variants[`docproc-cuda-b${a.cudaBatch}`] = (n) => cudaWide.embed(texts.slice(0, n), 'passage');
  }
  const names = Object.keys(variants);
  // Warm-up: one short pass each (session allocations, page cache, JIT).
  for (const n of names) await variants[n]!(Math.min(64, a.n));
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < a.reps; r++) {
    // Rotate the order each repetition so drift (thermal, noisy neighbours) hits every variant alike.
    for (let k = 0; k < names.length; k++) {
      const n = names[(r + k) % names.length]!;
      const t = performance.now();
      await variants[n]!(a.n);
      times[n]!.push((performance.now() - t) / 1000);
    }
  }
  const agreement = cuda ? minCosine(await dp.embed(texts, 'passage'), await cuda.embed(texts, 'passage')) : undefined;
  await dp.close();
  await dpBatched.close();
  await dpSessions.close();
  await cuda?.close();
  await cudaWide?.close();

  const rate = (n: string): number => a.n / median(times[n]!);
  const result = {
    model: dp.info.name,
    sha256: dp.info.sha256,
    texts: a.n,
    meanTokens: Math.round(tokens / a.n),
    batch: a.batch,
    threads: a.threads,
    sessions: a.sessions,
    reps: a.reps,
    tokenizeMs: Math.round(tokenizeMs),
    chunksPerSec: Object.fromEntries(names.map((n) => [n, Number(rate(n).toFixed(1))])),
    secondsPerRep: times,
    ratioDocprocToBare: Number((rate('docproc') / rate('bare')).toFixed(3)),
    ratioDocprocBatchedToBare: Number((rate('docproc-batched') / rate('bare')).toFixed(3)),
    ratioSessionsToDocproc: Number((rate('docproc-sessions') / rate('docproc')).toFixed(3)),
    ...(cuda ? {
      device: cuda.device,
      ratioCudaToSessions: Number((Math.max(rate('docproc-cuda'), rate(`docproc-cuda-b${a.cudaBatch}`)) / rate('docproc-sessions')).toFixed(3)),
      cudaMinCosineToCpu: agreement,
    } : {}),
  };
  if (a.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  console.log(`model ${result.model} (${result.sha256.slice(0, 12)}), ${a.n} texts, ~${result.meanTokens} tokens each, batch ${a.batch}, threads ${a.threads}, ${a.reps} reps (median)`);
  for (const n of names) console.log(`  ${n.padEnd(16)} ${rate(n).toFixed(1).padStart(8)} chunks/s`);
  console.log(`  tokenisation alone: ${result.tokenizeMs} ms for ${a.n} texts`);
  console.log(`  docproc / bare = ${result.ratioDocprocToBare}   docproc-batched / bare = ${result.ratioDocprocBatchedToBare}   sessions / docproc = ${result.ratioSessionsToDocproc}`);
  if (cuda) console.log(`  best CUDA / sessions = ${result.ratioCudaToSessions}   smallest cosine CUDA vs CPU vector: ${agreement}`);
}

/** The smallest cosine between corresponding vectors of two runs (1 means identical directions). */
function minCosine(x: Float32Array[], y: Float32Array[]): number {
  return Number(Math.min(...x.map((v, i) => cosine(v, y[i]!))).toFixed(6));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
