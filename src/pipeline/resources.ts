// Turns resolved config into the heavy resources a run needs: the embedder, extraction options, the pool.
import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Embedder } from '../contracts/stages.js';
import type { ExtractOptions } from '../extract/options.js';
import { defaultExtractOptions, pdfImagePixels, SUPPORTED_TYPES } from '../extract/options.js';
import type { ModelOptions, ModelInfo, DownloadProgress, LoadedEmbedder } from '../embed/index.js';

export function modelOptionsFromConfig(config: Config, log: Logger, onProgress?: (e: DownloadProgress) => void): Promise<ModelOptions> {
  return import('../embed/index.js').then(({ defaultModelOptions }) =>
    defaultModelOptions({
      home: config.home,
      model: config.model,
      modelDir: config.modelDir,
      pooling: config.pooling,
      sources: config.modelSources,
      hfEndpoint: config.hfEndpoint,
      ...(config.mavenRepos.length ? { mavenRepos: config.mavenRepos } : {}),
      localModelsDir: config.localModelsDir,
      connectTimeoutMs: config.connectTimeoutMs,
      device: config.device,
      ...(config.threads ? { threads: config.threads } : {}),
      batchSize: config.batchSize,
      log,
      onProgress,
    }),
  );
}

/** Loads the embedding model (fetching it on first use). The import is lazy: ONNX Runtime is heavy. */
export async function openEmbedder(config: Config, log: Logger, onProgress?: (e: DownloadProgress) => void, o: { sessions?: number } = {}): Promise<LoadedEmbedder> {
  return (await startEmbedder(config, log, onProgress, o)).ready;
}

/** Resolves the model and starts its session; `ready` settles when it can embed (see embed/startEmbedder). */
export async function startEmbedder(config: Config, log: Logger, onProgress?: (e: DownloadProgress) => void, o: { sessions?: number } = {}): Promise<{ ready: Promise<LoadedEmbedder> }> {
  const { startEmbedder: start } = await import('../embed/index.js');
  return start({ ...(await modelOptionsFromConfig(config, log, onProgress)), ...(o.sessions ? { sessions: o.sessions } : {}) });
}

/** Ingest and watch embed many texts: one session per core (config embedSessions), each on its own thread. */
export function ingestSessions(config: Config): number {
  return config.embedSessions ?? Math.min(8, availableParallelism());
}

/**
 * Model calls an ingest keeps in flight: one per session that can run them, plus one being prepared. CUDA runs
 * one session in process, where more calls would only queue, each a smaller batch than it could have been.
 */
export function embedCallsInFlight(embedder: Embedder, config: Config): number {
  return (embedder.device === 'cuda' ? 1 : ingestSessions(config)) + 1;
}

export function extractOptionsFromConfig(config: Config): ExtractOptions {
  return {
    ...defaultExtractOptions,
    maxFileBytes: Math.round(config.maxFileMB * 1024 * 1024),
    maxChars: config.maxChars,
    maxPages: config.maxPages,
    ocr: config.ocr,
    ocrLang: config.ocrLang,
    ...(config.ocrDataDir ? { ocrDataDir: config.ocrDataDir } : {}),
    ...(config.ocrPictures ? { ocrPictures: true } : {}),
    allowedTypes: config.allowedTypes ?? [...SUPPORTED_TYPES],
    maxPdfImagePixels: pdfImagePixels(config.workerMemoryMB),
  };
}


/**
 * Extraction options for a run that reads files: the configured ones, reading English with tesseract's fast model
 * where it applies (fetched on first use; the bundled model when it cannot be had). A model folder the user named wins.
 */
export async function extractOptionsForRun(config: Config, log: Logger): Promise<ExtractOptions> {
  const opts = extractOptionsFromConfig(config);
  if (!config.ocr || config.ocrDataDir || config.ocrModel !== 'fast' || config.ocrLang !== 'eng') return opts;
  try {
    const { cachedFastEnglish, ensureFastEnglish } = await import('../extract/ocr-model.js');
    const cached = cachedFastEnglish(config.home);
    if (cached) return { ...opts, ocrDataDir: cached };
    const mo = await modelOptionsFromConfig(config, log);
    const dir = await ensureFastEnglish({
      home: config.home, m2Home: mo.m2Home, mavenRepos: mo.mavenRepos, sources: config.modelSources,
      localModelsDir: config.localModelsDir, connectTimeoutMs: config.connectTimeoutMs, log,
    });
    return dir ? { ...opts, ocrDataDir: dir } : opts;
  } catch (err) {
    // An unwritable home or the like: OCR still works with the bundled model.
    log.warn({ err: (err as Error).message }, 'OCR: fast English model unavailable; reading with the bundled model');
    return opts;
  }
}

/** The model's identity from the cache (fetching it on first use) without opening an ONNX session. */
export async function resolveModelInfo(config: Config, log: Logger, onProgress?: (e: DownloadProgress) => void): Promise<ModelInfo> {
  const { resolveModel } = await import('../embed/index.js');
  return resolveModel(await modelOptionsFromConfig(config, log, onProgress));
}

/** The settings whose change must re-read files: a file skipped for size is read once the limit is raised. */
export function extractSettingsKey(config: Config): string {
  const { maxFileMB, maxChars, maxPages, ocr, ocrLang, allowedTypes, ocrDataDir, ocrPictures } = config;
  // ocrDataDir and ocrPictures only when set: indexes made before they existed keep their fingerprints.
  return JSON.stringify({ maxFileMB, maxChars, maxPages, ocr, ocrLang, allowedTypes: allowedTypes ?? null, ...(ocrDataDir ? { ocrDataDir } : {}), ...(ocrPictures ? { ocrPictures } : {}) });
}
