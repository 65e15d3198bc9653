// Ingest: discover -> plan -> extract/chunk/embed/store each claimed file -> prune; one run record per call.
import fs from 'node:fs';
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { Chunker } from '../chunk/chunker.js';
import { ExtractPool } from '../extract/pool.js';
import { extractorVersions } from '../extract/index.js';
import type { IndexStore, Writer } from '../contracts/index-store.js';
import { embedderIdentity, identityOf, type EmbeddingIdentity } from '../contracts/identity.js';
import { isFailure } from '../contracts/document-state.js';
import { openConfiguredStore, storeExists } from '../store/open-store.js';
import { discover } from './discover.js';
import { planAll, detectMoves, dryRun, type PlanSettings } from './ingest-plan.js';
import { processWork } from './ingest-work.js';
import { BatchEmbedder } from './batch-embedder.js';
import { timedEmbedder, type EmbedBatchListener } from './timed-embedder.js';
import type { PipelineIdentity } from './fingerprint.js';
import { openEmbedder, extractOptionsFromConfig, extractOptionsForRun, resolveModelInfo, extractSettingsKey, ingestSessions, embedCallsInFlight } from './resources.js';
import type { DownloadProgress } from '../embed/index.js';
import type { ModelInfo } from '../embed/options.js';
import { UsageError } from '../errors.js';
import { emptySummary, type IngestEvent, type IngestSummary, type FileEvent } from './events.js';
import { ProgressMeter } from './progress.js';
import type { Embedder } from './types.js';
import { timeStage, timeStageSync, type StageSink } from './stage-timings.js';

export interface IngestOptions {
  paths: string[];
  config: Config;
  log?: Logger;
  /** Injected model (tests, benchmarks); by default the configured model is loaded. */
  embedder?: Embedder;
  onEvent?: (e: IngestEvent) => void;
  dryRun?: boolean;
  prune?: boolean;
  retryFailed?: boolean;
  signal?: AbortSignal;
  waitSeconds?: number;
  /**
   * Config keys the user set. Model and chunk settings left at their defaults follow an existing index, so a
   * plain `docproc ingest` keeps working on an index built with --model or --chunk-tokens.
   */
  explicitKeys?: Set<string>;
  /** Model download progress, on first use. */
  onDownload?: (e: DownloadProgress) => void;
  /** Write into this store (a --reembed shadow) instead of opening config.db; it is not closed here. */
  store?: IndexStore;
  /** More files never to ingest (the live index while --reembed builds a shadow). */
  excludeFiles?: string[];
  /** The caller already holds the writer role (watch, --reembed). */
  writer?: Writer;
  command?: string;
  /** Prune a root that yielded no files although the index holds documents under it (default: refuse). */
  allowEmptyRoot?: boolean;
  /** Largest share of a root's documents one run may remove (default 0.5). */
  maxPruneRatio?: number;
  /** Told each embedding model call's size and duration (metrics). */
  onEmbedBatch?: EmbedBatchListener;
  /** Told each stage's intervals (bench:ingest). */
  timings?: StageSink;
}

export async function ingest(o: IngestOptions): Promise<IngestSummary> {
  for (const p of o.paths) {
    if (!fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    const st = fs.statSync(p);
    if (!st.isFile() && !st.isDirectory()) throw new UsageError(`not a file or folder: ${p}`, 'FIFOs, sockets and devices are never read');
  }
  // A dry run creates and writes nothing: it reads an existing index read-only, or plans against an empty one.
  const store = o.store ?? (o.dryRun
    ? await openConfiguredStore(o.config, (await storeExists(o.config.db)) ? { readonly: true, onWarning: warn(o) } : { location: ':memory:' })
    : await openConfiguredStore(o.config, { onWarning: warn(o) }));
  let writer: Writer | undefined;
  try {
    if (o.dryRun) return await planOnly(store, o);
    writer = o.writer ?? (await store.acquireWriter(o.command ?? 'ingest', { waitSeconds: o.waitSeconds, signal: o.signal }));
    return await runIngest(store, writer, o);
  } finally {
    if (!o.writer) await writer?.release();
    if (!o.store) await store.close();
  }
}

const warn = (o: IngestOptions) => (message: string): void => (o.log ?? silentLogger).warn(message);

function planSettings(o: IngestOptions): PlanSettings {
  return { maxAttempts: o.config.maxAttempts, retryFailed: !!o.retryFailed, allowEmptyRoot: !!o.allowEmptyRoot, maxPruneRatio: o.maxPruneRatio ?? o.config.maxPruneRatio };
}

/** Resolves settings that follow the index, discovers the roots and checks the identity: common to both modes. */
async function prepare(store: IndexStore, o: IngestOptions, log: Logger) {
  if (o.explicitKeys) o = { ...o, config: await followIndex(store, o.config, o.explicitKeys) };
  const exclude = [...store.ownFiles, ...(o.excludeFiles ?? [])];
  const found = timeStageSync(o.timings, 'walk', () => o.paths.map((p) => discover(p, { ignore: o.config.ignore, followSymlinks: o.config.followSymlinks, exclude })));
  // Resolve the model's identity cheaply (cache metadata); load the ONNX session only if a file needs it.
  // A dry run checks the same identity, so it never promises work that the real run would refuse.
  const wanted = o.dryRun && !(await store.identity()) ? undefined : await runIdentity(o, log);
  if (wanted) await store.checkIdentity(wanted);
  const identity: PipelineIdentity = { modelSha256: wanted?.modelSha256 ?? '', chunkTokens: o.config.chunkTokens, chunkOverlap: o.config.chunkOverlap, extractorVersions, extractSettings: extractSettingsKey(o.config) };
  return { o, found, identity };
}

async function planOnly(store: IndexStore, input: IngestOptions): Promise<IngestSummary> {
  const started = Date.now();
  const { o, found, identity } = await prepare(store, input, input.log ?? silentLogger);
  const summary = emptySummary();
  summary.dryRun = true;
  await dryRun(store, found, { ...planSettings(o), prune: o.prune !== false }, identity, summary, (e) => o.onEvent?.(e));
  summary.durationMs = Date.now() - started;
  return summary;
}

async function runIngest(store: IndexStore, writer: Writer, input: IngestOptions): Promise<IngestSummary> {
  const log = input.log ?? silentLogger;
  const started = Date.now();
  const summary = emptySummary();
  const emit = (e: IngestEvent): void => input.onEvent?.(e);
  const { o, found, identity } = await prepare(store, input, log);
  await store.recordRoots(found.map((f) => ({ path: f.singleFile ? f.files[0]!.absPath : f.root, kind: f.singleFile ? 'file' : 'folder' })));
  const runId = await store.runs.start(o.command ?? 'ingest', found.map((f) => f.root));
  summary.runId = runId;
  const failures: { path: string; status: string; reason: string }[] = [];
  const record = (e: FileEvent): void => {
    countStatus(summary, e);
    if (isFailure(e.status as never) && e.reason) failures.push({ path: e.path, status: e.status, reason: e.reason });
    emit(e);
  };
  let pool: ExtractPool | undefined;
  let ownEmbedder: Embedder | undefined;
  let batcher: BatchEmbedder | undefined;
  try {
    const { work, missing, guarded } = await timeStage(o.timings, 'plan', () => planAll(store, found, planSettings(o), identity, record));
    for (const g of guarded) {
      summary.rootFailures++;
      failures.push({ path: g.path, status: 'failed', reason: g.reason });
      emit(g);
    }
    await timeStage(o.timings, 'plan', () => detectMoves(store, work, missing, record, log, { maxFileBytes: extractOptionsFromConfig(o.config).maxFileBytes, signal: o.signal }));
    if (work.length) {
      // The extraction children boot while the model's sessions build.
      const loading = o.embedder ? undefined : openEmbedder(o.config, log, undefined, { sessions: ingestSessions(o.config) });
      loading?.catch(() => undefined); // awaited below
      pool = new ExtractPool({ size: o.config.workers, timeoutMs: o.config.fileTimeoutMs, maxMemoryMB: o.config.workerMemoryMB, extractOptions: { ...(await extractOptionsForRun(o.config, log)), signal: o.signal }, stopGraceMs: o.config.stopGraceMs, log });
      pool.warm(work.length);
      const embedder = o.embedder ?? (ownEmbedder = await loading!);
      await store.bindIdentity(embedderIdentity(embedder, o.config));
      batcher = new BatchEmbedder(timedEmbedder(embedder, o.onEmbedBatch), o.config.batchSize, undefined, embedCallsInFlight(embedder, o.config));
      const deps = { store, pool, chunker: new Chunker(embedder, o.config), embedder: batcher, identity, signal: o.signal, timings: o.timings };
      const inFlight = filesInFlight(o.config.workers);
      // Each file in flight listens for the stop signal until it ends: that many listeners are expected, not a leak.
      if (o.signal) setMaxListeners(Math.max(getMaxListeners(o.signal), inFlight + 10), o.signal);
      const fatal = await processWork(work, {
        store, writer, deps, concurrency: inFlight, signal: o.signal, summary, record,
        planRules: { maxAttempts: o.config.maxAttempts, retryFailed: !!o.retryFailed }, meter: new ProgressMeter(work.length, emit),
      });
      // Files in flight have finished, so nothing is closed under them; the run is recorded as failed.
      if (fatal !== undefined) {
        await store.runs.finish(runId, 'failed', countsOf(summary), failures, Date.now() - started);
        throw fatal;
      }
    }
    summary.interrupted = !!o.signal?.aborted;
    if (o.prune !== false && !summary.interrupted) {
      for (const doc of missing.values()) if (await store.removeDocument(doc.path)) record({ event: 'file', path: doc.path, status: 'removed' });
    }
    summary.modelCalls = batcher?.modelCalls ?? 0;
    summary.writes = store.writes;
    summary.durationMs = Date.now() - started;
    await store.runs.finish(runId, summary.interrupted ? 'interrupted' : 'completed', countsOf(summary), failures, summary.durationMs);
    return summary;
  } finally {
    await pool?.close();
    await ownEmbedder?.close();
  }
}

/**
 * Files in flight at once: beyond the ones extracting, the rest have chunks waiting for the model. On small files
 * (two chunks each) 8 left the sessions short between files; 16 ingests 1,000 abstracts ~3% faster. A file holds at
 * most maxChars of text, so this bounds memory too.
 */
export function filesInFlight(workers: number): number {
  return Math.max(16, workers * 8);
}

function countStatus(s: IngestSummary, e: FileEvent): void {
  const key = e.status;
  if (key in s && typeof (s as unknown as Record<string, unknown>)[key] === 'number') (s as unknown as Record<string, number>)[key]!++;
  if (e.retried) s.retried++;
  if (e.chunks && (e.status === 'indexed' || e.status === 'updated')) s.chunks += e.chunks;
}

function countsOf(s: IngestSummary): Record<string, number> {
  const { indexed, updated, unchanged, moved, removed, skipped, empty, failed, quarantined, retried, chunks, embedded, reused } = s;
  return { indexed, updated, unchanged, moved, removed, skipped, empty, failed, quarantined, retried, chunks, embedded, reused };
}

/** The embedding identity this run would write, known before the ONNX session is loaded where possible. */
async function runIdentity(o: IngestOptions, log: Logger): Promise<EmbeddingIdentity> {
  if (o.embedder) return embedderIdentity(o.embedder, o.config);
  const info: ModelInfo = await resolveModelInfo(o.config, log, o.onDownload);
  return identityOf(info, o.config);
}

/** Model and chunk settings the user did not set are taken from the index, when it has them. */
export async function followIndex(store: IndexStore, config: Config, explicit: Set<string>): Promise<Config> {
  const id = await store.identity();
  if (!id) return config;
  const out = { ...config };
  if (!explicit.has('model') && !explicit.has('modelDir')) out.model = id.modelName;
  if (!explicit.has('chunkTokens')) out.chunkTokens = id.chunkTokens;
  if (!explicit.has('chunkOverlap')) out.chunkOverlap = id.chunkOverlap;
  return out;
}
