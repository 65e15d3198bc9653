// Public option/result types of the embed module and their defaults (including ~/.m2/settings.xml mirrors).
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../log.js';
import { DEFAULT_MODEL, type Pooling, type SourceKind } from './registry.js';

export interface DownloadProgress {
  phase: 'download';
  source: string;
  receivedBytes: number;
  totalBytes?: number;
}

export interface ModelOptions {
  /** Registry name or alias. */
  model: string;
  /** A local sentence-transformers ONNX export (model .onnx + tokenizer.json [+ config]); used in place, never cached. */
  modelDir?: string;
  pooling?: Pooling;
  maxTokens?: number;
  /** DOCPROC_HOME: models are cached in `${home}/models/<name>/`. */
  home: string;
  sources: SourceKind[];
  hfEndpoint: string;
  mavenRepos: string[];
  /** Maven's home (default ~/.m2): `repository/` is looked in first, `settings.xml` gives mirrors. */
  m2Home?: string;
  localModelsDir?: string;
  /** Time allowed to get response headers from a source: an unreachable source fails fast. */
  connectTimeoutMs: number;
  device: 'auto' | 'cpu' | 'cuda';
  threads?: number;
  /**
   * Parallel ONNX sessions on worker threads (CPU only), each running different texts; intra-op threads are
   * split between them. Default 1 (in process): ingest asks for one per core, search for one.
   */
  sessions?: number;
  batchSize: number;
  /**
   * Default true: a text's vector never depends on the other texts of the call. Dynamically quantised
   * (int8) models then run one sequence at a time, because their activation scale is shared by a whole
   * batch; false batches them too (faster, vectors drift by ~1e-2 with batch composition). fp32 models
   * are batched either way.
   */
  batchInvariant?: boolean;
  log: Logger;
  onProgress?: (e: DownloadProgress) => void;
}

export interface ModelInfo {
  name: string;
  sha256: string;
  /** sha256 of tokenizer.json: a different tokenizer changes every vector even with the same weights. */
  tokenizerSha256?: string;
  sizeBytes: number;
  dims: number;
  pooling: Pooling;
  maxTokens: number;
  source: string;
  /** Folder holding the model and tokenizer files. */
  path: string;
  queryPrefix?: string;
  passagePrefix?: string;
  /** Absolute paths of the two files (cache entries use model.onnx / tokenizer.json). */
  modelFile?: string;
  tokenizerFile?: string;
}

export const MAVEN_CENTRAL = 'https://repo.maven.apache.org/maven2';

/** Mirror URLs from a Maven settings.xml; a mirror replaces Central for us whatever its mirrorOf says. */
export function readMavenMirrors(m2Home: string): string[] {
  const file = join(m2Home, 'settings.xml');
  if (!existsSync(file)) return [];
  const xml = readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const urls: string[] = [];
  for (const m of xml.matchAll(/<mirror>([\s\S]*?)<\/mirror>/g)) {
    const url = /<url>\s*([^<\s]+)\s*<\/url>/.exec(m[1] ?? '')?.[1];
    if (url) urls.push(url.replace(/\/+$/, ''));
  }
  return urls;
}

/** Full options from a partial set: what the CLI and tests call. */
export function defaultModelOptions(o: Partial<ModelOptions> & { home: string }): ModelOptions {
  const m2Home = o.m2Home ?? join(homedir(), '.m2');
  const mirrors = readMavenMirrors(m2Home);
  return {
    model: DEFAULT_MODEL,
    sources: ['hf', 'maven', 'local'],
    hfEndpoint: 'https://huggingface.co',
    mavenRepos: mirrors.length > 0 ? mirrors : [MAVEN_CENTRAL],
    connectTimeoutMs: 5000,
    device: 'auto',
    threads: availableParallelism(),
    batchSize: 32,
    log: silentLogger,
    ...o,
    m2Home,
  };
}
