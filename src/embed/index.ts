// Public API of the embed module: model registry/cache/resolution and loading an Embedder.
import { ModelError } from '../errors.js';
import { cacheDirName } from './registry.js';
import { createSession, cudaLikely, InProcessRunner, OnnxEmbedder, usesDynamicQuantization, type BatchRunner, type Device, type LoadedEmbedder } from './embedder.js';
import { SessionPool } from './session-pool.js';
import { MODEL_FILE, TOKENIZER_FILE } from './cache.js';
import type { ModelOptions } from './options.js';
import { resolveModel } from './resolve.js';
import { TextTokenizer } from './tokenizer.js';
import { join } from 'node:path';

export { listKnownModels, findModel, DEFAULT_MODEL, type RegistryEntry, type SourceKind, type Pooling } from './registry.js';
export { listCachedModels } from './cache.js';
export { resolveModel, pullModel } from './resolve.js';
export { defaultModelOptions, type ModelOptions, type ModelInfo, type DownloadProgress } from './options.js';
export type { LoadedEmbedder, Device } from './embedder.js';
export { usesDynamicQuantization } from './embedder.js';

/** Resolves (and if needed fetches) the model, then opens an ONNX Runtime session on the chosen device. */
export async function loadEmbedder(opts: ModelOptions): Promise<LoadedEmbedder> {
  const info = await resolveModel(opts);
  const modelFile = info.modelFile ?? join(info.path, MODEL_FILE);
  const tokenizerFile = info.tokenizerFile ?? join(info.path, TOKENIZER_FILE);
  const tokenizer = await TextTokenizer.fromFile(tokenizerFile);
  const dynamicQuant = await usesDynamicQuantization(modelFile);
  const batchSize = dynamicQuant && opts.batchInvariant !== false ? 1 : Math.max(1, opts.batchSize);
  if (batchSize !== opts.batchSize) {
    opts.log.debug({ model: info.name, batchSize }, 'dynamically quantised model: one sequence per run so vectors do not depend on batch neighbours');
  }
  const { runner, device } = await openRunner(modelFile, info.pooling, opts);
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
 * On CPU, `sessions` single-threaded sessions on worker threads run different texts at once (measured: one
 * 200-token sequence keeps one core busy, whatever its intra-op threads). CUDA, or one session, stays in process.
 */
async function openRunner(modelFile: string, pooling: ModelOptions['pooling'] & {}, opts: ModelOptions): Promise<{ runner: BatchRunner; device: Device }> {
  const sessions = opts.sessions ?? 1;
  if (sessions > 1 && (opts.device === 'cpu' || (opts.device === 'auto' && !cudaLikely()))) {
    const threads = Math.max(1, Math.floor((opts.threads ?? sessions) / sessions));
    opts.log.debug({ sessions, threadsPerSession: threads }, 'embedding on parallel sessions');
    return { runner: await SessionPool.start(sessions, { modelFile, pooling, intraOpThreads: threads }), device: 'cpu' };
  }
  const { session, device } = await createSession(modelFile, opts);
  return { runner: new InProcessRunner(session, pooling), device };
}
