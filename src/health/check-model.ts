// The model: in the cache (never fetched from here), its file's sha256 equal to the index's, and a self-test
// embedding of a fixed text with the index's dimension and finite values. Hashing and the self-test are done
// once per model file and remembered: a model load takes seconds, a probe comes every few.
import fs from 'node:fs';
import type { Config } from '../config/schema.js';
import type { EmbeddingIdentity } from '../contracts/identity.js';
import type { Embedder } from '../contracts/stages.js';
import type { ModelInfo } from '../embed/options.js';
import type { Logger } from '../log.js';
import type { CheckOutcome, ReadinessCheck } from './types.js';

const SELF_TEST_RETRY_MS = 60_000;

export const SELF_TEST_TEXT = 'docproc readiness self-test: the lighthouse keeper logs the tide at dawn.';

export interface ModelCheckDeps {
  config: Config;
  /** Config keys the user set: a model left at its default follows the index, as ingest does. */
  explicit: Set<string>;
  log: Logger;
  /** The index's embedding identity; undefined with no index or nothing embedded yet. */
  indexIdentity(): Promise<EmbeddingIdentity | undefined>;
  /** Loads the model for the self-test; by default the ONNX embedder, from the cache only. */
  loadEmbedder?: (config: Config, log: Logger) => Promise<Embedder>;
}

type Located = { info: ModelInfo; verified: boolean } | { missing: string; hint: string };

/** --model-dir exports are hashed by loadModelDir on every call: probes reuse its answer for a while. */
const MODEL_DIR_TTL_MS = 5 * 60_000;
const modelDirs = new Map<string, { at: number; info: Promise<ModelInfo> }>();

async function locate(config: Config, log: Logger): Promise<Located> {
  if (config.modelDir) {
    const hit = modelDirs.get(config.modelDir);
    if (hit && Date.now() - hit.at < MODEL_DIR_TTL_MS) return { info: await hit.info, verified: true };
    const { loadModelDir } = await import('../embed/model-dir.js');
    const { modelOptionsFromConfig } = await import('../pipeline/resources.js');
    const info = modelOptionsFromConfig(config, log).then(loadModelDir);
    modelDirs.set(config.modelDir, { at: Date.now(), info });
    info.catch(() => modelDirs.delete(config.modelDir!));
    return { info: await info, verified: true };
  }
  const { findModel } = await import('../embed/registry.js');
  const { readCached, entryDir } = await import('../embed/cache.js');
  const name = findModel(config.model)?.name ?? config.model;
  const info = readCached(config.home, name);
  if (!info) return { missing: `model ${name} is not in the cache (${entryDir(config.home, name)})`, hint: `fetch it with: docproc models pull ${name}` };
  return { info, verified: false };
}

/** Per model file (path, size, mtime): whether its bytes hash to the sha256 its cache entry records. */
const hashChecks = new Map<string, Promise<boolean>>();
/** Per model sha256: the self-test's outcome. */
const selfTests = new Map<string, Promise<CheckOutcome>>();
/** Self-tests still loading or embedding; and whether the server is closing (no self-test starts then). */
const inFlight = new Set<Promise<CheckOutcome>>();
let closing = false;

function fileKey(info: ModelInfo): string {
  const file = info.modelFile ?? `${info.path}/model.onnx`;
  const st = fs.statSync(file);
  return `${file}:${st.size}:${st.mtimeMs}`;
}

async function verifyOnce(info: ModelInfo): Promise<boolean> {
  const key = fileKey(info);
  let p = hashChecks.get(key);
  if (!p) {
    const { verifyCached } = await import('../embed/cache.js');
    p = verifyCached(info);
    hashChecks.set(key, p);
  }
  return p;
}

async function defaultLoader(config: Config, log: Logger): Promise<Embedder> {
  const { openEmbedder } = await import('../pipeline/resources.js');
  // No sources: a readiness probe never downloads; the cache entry was found above.
  return openEmbedder({ ...config, modelSources: [] }, log);
}

async function selfTest(d: ModelCheckDeps, config: Config, dims: number | undefined): Promise<CheckOutcome> {
  const started = performance.now();
  const embedder = await (d.loadEmbedder ?? defaultLoader)(config, d.log);
  try {
    const [v] = await embedder.embed([SELF_TEST_TEXT], 'passage');
    const want = dims || embedder.dims;
    const selfTestMs = Math.round(performance.now() - started);
    if (!v || v.length !== want) return { status: 'unhealthy', message: `self-test embedding has ${v?.length ?? 0} dimensions, expected ${want}`, details: { selfTestMs } };
    if (!v.every(Number.isFinite)) return { status: 'unhealthy', message: 'self-test embedding holds non-finite values', details: { selfTestMs } };
    return { status: 'healthy', message: `self-test embedding ok (${want} dimensions)`, details: { dims: want, selfTestMs } };
  } finally {
    await embedder.close();
  }
}

export function modelCheck(d: ModelCheckDeps): ReadinessCheck {
  return {
    name: 'model',
    run: async () => {
      const identity = await d.indexIdentity();
      const followsIndex = identity && !d.explicit.has('model') && !d.explicit.has('modelDir');
      const config = followsIndex ? { ...d.config, model: identity.modelName } : d.config;
      const found = await locate(config, d.log);
      if ('missing' in found) return { status: 'unhealthy', message: `${found.missing}; ${found.hint}`, details: { model: config.model } };
      const { info } = found;
      const details: Record<string, unknown> = { model: info.name, sha256: info.sha256, path: info.path, indexSha256: identity?.modelSha256 ?? null };
      if (!found.verified && !(await verifyOnce(info))) {
        return { status: 'unhealthy', message: `the cached file of ${info.name} does not hash to its recorded sha256 (damaged); fetch it again with: docproc models pull ${info.name}`, details };
      }
      if (identity && identity.modelSha256 !== info.sha256) {
        return { status: 'unhealthy', message: `model ${info.name} has sha256 ${info.sha256.slice(0, 12)}, the index was built with ${identity.modelSha256.slice(0, 12)} (${identity.modelName})`, details };
      }
      let test = selfTests.get(info.sha256);
      // Once the server is closing no model load starts: the process is about to exit.
      if (!test && closing) return { status: 'degraded', message: 'shutting down', details };
      if (!test) {
        test = selfTest(d, config, identity?.dims).catch((err: unknown): CheckOutcome => ({ status: 'unhealthy', message: `self-test failed: ${(err as Error).message}` }));
        selfTests.set(info.sha256, test);
        const running = test;
        inFlight.add(running);
        void running.finally(() => inFlight.delete(running));
        // A failure may be passing (memory pressure while a sync runs): it is tried again after a while.
        void test.then((t) => {
          if (t.status !== 'healthy') setTimeout(() => selfTests.delete(info.sha256), SELF_TEST_RETRY_MS).unref();
        });
      }
      const t = await test;
      const note = identity ? '' : '; the index has no embedding identity yet';
      return { status: t.status, message: `${info.name} cached, sha256 ${info.sha256.slice(0, 12)} verified${identity ? ' and equal to the index\'s' : ''}; ${t.message}${note}`, details: { ...details, ...t.details } };
    },
  };
}

/**
 * Stops new self-tests and resolves once those running have settled, or after `timeoutMs`; `pending` says how many
 * were running. A self-test keeps running after its probe's timeout, and the first starts with the server: exiting
 * while ONNX Runtime is still loading the model aborts the process (a SIGTERM right after start ended in SIGABRT).
 */
export function settleModelChecks(timeoutMs: number): { pending: number; settled: Promise<void> } {
  closing = true;
  const running = [...inFlight];
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  const settled = Promise.race([Promise.allSettled(running).then(() => {}), late]).finally(() => clearTimeout(timer));
  return { pending: running.length, settled };
}

/** Tests: forget remembered hashes and self-tests. */
export function forgetModelChecks(): void {
  closing = false;
  hashChecks.clear();
  selfTests.clear();
  modelDirs.clear();
}
