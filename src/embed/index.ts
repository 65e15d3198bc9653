// Public API of the embed module: model registry/cache/resolution and loading an Embedder.
import { ModelError } from '../errors.js';
import { cacheDirName } from './registry.js';
import { createSession, OnnxEmbedder, usesDynamicQuantization, type LoadedEmbedder } from './embedder.js';
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
  const { session, device } = await createSession(modelFile, opts);
  const dynamicQuant = await usesDynamicQuantization(modelFile);
  const batchSize = dynamicQuant && opts.batchInvariant !== false ? 1 : Math.max(1, opts.batchSize);
  if (batchSize !== opts.batchSize) {
    opts.log.debug({ model: info.name, batchSize }, 'dynamically quantised model: one sequence per run so vectors do not depend on batch neighbours');
  }
  const e = new OnnxEmbedder(info, device, session, tokenizer, batchSize, opts.log);
  if (!e.dims) {
    // A --model-dir export with no config and a symbolic output shape: one tiny run tells the width.
    await e.embed(['dims probe'], 'passage');
    if (!e.dims) throw new ModelError(`cannot determine the embedding size of ${modelFile}`);
  }
  info.dims = e.dims;
  opts.log.debug({ model: info.name, device, dims: e.dims, cacheDir: cacheDirName(info.name) }, 'embedder loaded');
  return e;
}
