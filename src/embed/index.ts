// Public API of the embed module: model registry/cache/resolution and loading an Embedder.
import { ModelError } from '../errors.js';
import { cacheDirName } from './registry.js';
import { createSession, cudaLikely, InProcessRunner, OnnxEmbedder, usesDynamicQuantization, type BatchRunner, type Device, type LoadedEmbedder } from './embedder.js';
import { SessionPool } from './session-pool.js';
import { MODEL_FILE, TOKENIZER_FILE } from './cache.js';
import type { ModelInfo, ModelOptions } from './options.js';
import { resolveModel } from './resolve.js';
import { TextTokenizer } from './tokenizer.js';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

export { listKnownModels, findModel, DEFAULT_MODEL, type RegistryEntry, type SourceKind, type Pooling } from './registry.js';
export { listCachedModels } from './cache.js';
export { resolveModel, pullModel } from './resolve.js';
export { defaultModelOptions, type ModelOptions, type ModelInfo, type DownloadProgress } from './options.js';
export type { LoadedEmbedder, Device } from './embedder.js';
export { usesDynamicQuantization } from './embedder.js';

/** Resolves (and if needed fetches) the model, then opens an ONNX Runtime session on the chosen device. */
export async function loadEmbedder(opts: ModelOptions): Promise<LoadedEmbedder> {
  return (await startEmbedder(opts)).ready;
}

/**
 * Resolves (and if needed fetches) the model and starts building its session; `ready` settles once it can embed.
 * A caller has the build's ~150 ms for other work: a search runs its keyword half meanwhile.
 */
export async function startEmbedder(opts: ModelOptions): Promise<{ ready: Promise<LoadedEmbedder> }> {
  const info = await resolveModel(opts);
  const modelFile = info.modelFile ?? join(info.path, MODEL_FILE);
  // One scan of the graph serves both the device choice and the batching rule.
  const dynamicQuantP = usesDynamicQuantization(modelFile);
  dynamicQuantP.catch(() => undefined); // awaited in finishEmbedder
  const runner = openRunner(modelFile, info.pooling, opts, dynamicQuantP);
  runner.catch(() => undefined); // awaited in finishEmbedder
  return { ready: finishEmbedder(info, modelFile, runner, opts, dynamicQuantP) };
}

async function finishEmbedder(info: ModelInfo, modelFile: string, runnerP: Promise<{ runner: BatchRunner; device: Device }>, opts: ModelOptions,
  dynamicQuantP: Promise<boolean>): Promise<LoadedEmbedder> {
  const tokenizerFile = info.tokenizerFile ?? join(info.path, TOKENIZER_FILE);
  // The session builds on its own thread while this one parses the tokenizer (~45 ms) and scans the graph: the
  // model load costs the longer of the two, not their sum.
  let tokenizer: TextTokenizer;
  let dynamicQuant: boolean;
  try {
    [tokenizer, dynamicQuant] = await Promise.all([TextTokenizer.fromFile(tokenizerFile), dynamicQuantP]);
  } catch (err) {
    await runnerP.then((r) => r.runner.close(), () => undefined);
    throw err;
  }
  const batchSize = dynamicQuant && opts.batchInvariant !== false ? 1 : Math.max(1, opts.batchSize);
  if (batchSize !== opts.batchSize) {
    opts.log.debug({ model: info.name, batchSize }, 'dynamically quantised model: one sequence per run so vectors do not depend on batch neighbours');
  }
  const { runner, device } = await runnerP;
  const e = new OnnxEmbedder(info, device, runner, tokenizer, batchSize, opts.log);
  if (!e.dims) {
    // A --model-dir export with no config and a symbolic output shape: one tiny run tells the width.
    await e.embed(['dims probe'], 'passage');
    if (!e.dims) throw new ModelError(`cannot determine the embedding size of ${modelFile}`);
  }
  info.dims = e.dims;
  opts.log.debug({ model: info.name, device, dims: e.dims, cacheDir: cacheDirName(info.name) }, 'embedder loaded');
  return e;
}

/**
 * On CPU, sessions live on worker threads: `sessions` single-threaded ones run different texts at once (measured:
 * one 200-token sequence keeps one core busy, whatever its intra-op threads), and even one session is built off
 * the main thread, which meanwhile does the rest of a search. CUDA stays in process.
 */
async function openRunner(modelFile: string, pooling: ModelOptions['pooling'] & {}, opts: ModelOptions,
  dynamicQuantP: Promise<boolean>): Promise<{ runner: BatchRunner; device: Device }> {
  const sessions = Math.max(1, opts.sessions ?? 1);
  if (opts.device === 'cpu' || (opts.device === 'auto' && (!cudaLikely() || (await int8OnCuda(opts, dynamicQuantP))))) {
    const threads = Math.max(1, Math.floor((opts.threads ?? availableParallelism()) / sessions));
    opts.log.debug({ sessions, threadsPerSession: threads }, 'embedding sessions on worker threads');
    return { runner: await SessionPool.start(sessions, { modelFile, pooling, intraOpThreads: threads }), device: 'cpu' };
  }
  if (opts.device === 'cuda') await int8OnCuda(opts, dynamicQuantP);
  const { session, device } = await createSession(modelFile, opts);
  return { runner: new InProcessRunner(session, pooling), device };
}

/**
 * Whether a dynamically quantised (int8) model is about to go to CUDA, which gains nothing: measured on an H200
 * against the same machine's 16 CPU cores (bench:embed --device cuda), the int8 MiniLM ran 98.7 chunks/s on CUDA
 * and 107.9 on the CPU (338 with parallel sessions), and its CUDA vectors differed from the CPU's (smallest cosine
 * 0.9913), so an index would mix two slightly different embeddings. --device auto then stays on the CPU; an
 * explicit --device cuda is obeyed, with a warning.
 */
async function int8OnCuda(opts: ModelOptions, dynamicQuantP: Promise<boolean>): Promise<boolean> {
  if (!(await dynamicQuantP)) return false;
  const hint = 'dynamically quantised (int8) model: slower on CUDA than on the CPU, and its CUDA vectors differ slightly from CPU ones; for a GPU use an fp32 model (--model all-minilm-l6-v2)';
  if (opts.device === 'auto') opts.log.info({ model: opts.model }, `${hint}; using the CPU`);
  else opts.log.warn({ model: opts.model }, hint);
  return true;
}
