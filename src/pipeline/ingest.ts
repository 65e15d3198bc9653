// Ingest: discover -> plan -> extract/chunk/embed/store each file -> prune; one run record per call.
import fs from 'node:fs';
import pLimit from 'p-limit';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { Chunker } from '../chunk/chunker.js';
import { ExtractPool } from '../extract/pool.js';
import { extractorVersions } from '../extract/index.js';
import { SqliteStore, type DocumentRow } from '../store/sqlite/store.js';
import { embedderIdentity, identityOf, type EmbeddingIdentity } from '../store/identity.js';
import { rootGuardReason } from './root-guard.js';
import { acquireLock, type IndexLock } from './lock.js';
import { discover, type Discovered } from './discover.js';
import { planFile, type Action } from './plan.js';
import { processFile } from './process-file.js';
import { BatchEmbedder } from './batch-embedder.js';
import { sha256File, type PipelineIdentity } from './fingerprint.js';
import { openEmbedder, extractOptionsFromConfig, resolveModelInfo, extractSettingsKey } from './resources.js';
import type { DownloadProgress } from '../embed/index.js';
import { UsageError } from '../errors.js';
import type { ModelInfo } from '../embed/options.js';
import { emptySummary, type IngestEvent, type IngestSummary, type FileEvent, type RootEvent } from './events.js';
import { ProgressMeter } from './progress.js';
import type { Embedder, SourceFile } from './types.js';

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
  /** More files never to ingest (the live index while --reembed builds a shadow). */
  excludeFiles?: string[];
  /** Watch mode already holds the index lock. */
  lockHeld?: boolean;
  command?: string;
  /** Prune a root that yielded no files although the index holds documents under it (default: refuse). */
  allowEmptyRoot?: boolean;
  /** Largest share of a root's documents one run may remove (default 0.5). */
  maxPruneRatio?: number;
}

interface WorkItem {
  file: SourceFile;
  prev?: DocumentRow;
  action: Action;
  sha256?: string;
}

export async function ingest(o: IngestOptions): Promise<IngestSummary> {
  const log = o.log ?? silentLogger;
  const started = Date.now();
  const summary = emptySummary();
  summary.dryRun = !!o.dryRun;
  const emit = (e: IngestEvent): void => o.onEvent?.(e);
  for (const p of o.paths) if (!fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
  const lock: IndexLock | null = o.dryRun || o.lockHeld ? null : await acquireLock(o.config.db, o.command ?? 'ingest', o.waitSeconds, o.signal);
  let store: SqliteStore | undefined;
  let pool: ExtractPool | undefined;
  let ownEmbedder: Embedder | undefined;
  try {
    // A dry run creates and writes nothing: it reads an existing index read-only, or plans against an empty one.
    store = o.dryRun
      ? new SqliteStore(fs.existsSync(o.config.db) ? o.config.db : ':memory:', { readonly: fs.existsSync(o.config.db) })
      : new SqliteStore(o.config.db);
    if (o.explicitKeys) o = { ...o, config: followIndex(store, o.config, o.explicitKeys) };
    const found = o.paths.map((p) => discover(p, { ignore: o.config.ignore, followSymlinks: o.config.followSymlinks, exclude: [...indexFiles(o.config.db), ...(o.excludeFiles ?? [])] }));

    // Resolve the model's identity cheaply (cache metadata); load the ONNX session only if a file needs it.
    // A dry run checks the same identity, so it never promises work that the real run would refuse.
    const wanted = o.dryRun && !store.identity() ? undefined : await runIdentity(o, log);
    if (wanted) store.checkIdentity(wanted);
    const identity: PipelineIdentity = { modelSha256: wanted?.modelSha256 ?? '', chunkTokens: o.config.chunkTokens, chunkOverlap: o.config.chunkOverlap, extractorVersions, extractSettings: extractSettingsKey(o.config) };
    if (o.dryRun) return finishDryRun(store, found, o, identity, summary, emit, started);

    store.recordRoots(found.map((f) => ({ path: f.singleFile ? f.files[0]!.absPath : f.root, kind: f.singleFile ? 'file' : 'folder' })));
    const runId = store.runs.start(o.command ?? 'ingest', found.map((f) => f.root));
    summary.runId = runId;
    const failures: { path: string; status: string; reason: string }[] = [];
    const record = (e: FileEvent): void => {
      countStatus(summary, e);
      if ((e.status === 'failed' || e.status === 'quarantined') && e.reason) failures.push({ path: e.path, status: e.status, reason: e.reason });
      emit(e);
    };
    const { work, missing, guarded } = planAll(store, found, o, identity, record);
    for (const g of guarded) {
      summary.rootFailures++;
      failures.push({ path: g.path, status: 'failed', reason: g.reason });
      emit(g);
    }
    await detectMoves(store, work, missing, record, log);
    let batcher: BatchEmbedder | undefined;
    if (work.length) {
      const embedder = o.embedder ?? (ownEmbedder = await openEmbedder(o.config, log));
      store.bindIdentity(embedderIdentity(embedder, o.config));
      pool = new ExtractPool({ size: o.config.workers, timeoutMs: o.config.fileTimeoutMs, maxMemoryMB: o.config.workerMemoryMB, extractOptions: extractOptionsFromConfig(o.config), log });
      batcher = new BatchEmbedder(embedder, o.config.batchSize);
      const deps = { store, pool, chunker: new Chunker(embedder, o.config), embedder: batcher, identity, signal: o.signal };
      const meter = new ProgressMeter(work.length, emit);
      const limit = pLimit(Math.max(4, o.config.workers * 4));
      let fatal = false;
      const settled = await Promise.allSettled(
        work.map((item) =>
          limit(async () => {
            if (o.signal?.aborted || fatal) return;
            const r = await processFile(item.file, item.prev, deps, item.sha256);
            summary.embedded += r.embedded;
            summary.reused += r.reused;
            const { embedded: _e, reused: _r, ...result } = r;
            record({ event: 'file', ...result, ...(item.action === 'retry' ? { retried: true } : {}) });
            meter.tick(r.chunks ?? 0);
          }).catch((err: unknown) => {
            fatal = true; // the model or the database broke: start no more files
            throw err;
          }),
        ),
      );
      // Files in flight have finished (allSettled), so nothing is closed under them; the run is recorded as failed.
      const broken = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (broken) {
        store.runs.finish(runId, 'failed', countsOf(summary), failures, Date.now() - started);
        throw broken.reason;
      }
    }
    summary.interrupted = !!o.signal?.aborted;
    if (o.prune !== false && !summary.interrupted) {
      for (const doc of missing.values()) if (store.removeDocument(doc.path)) record({ event: 'file', path: doc.path, status: 'removed' });
    }
    summary.modelCalls = batcher?.modelCalls ?? 0;
    summary.writes = store.writes;
    summary.durationMs = Date.now() - started;
    store.runs.finish(runId, summary.interrupted ? 'interrupted' : 'completed', countsOf(summary), failures, summary.durationMs);
    return summary;
  } finally {
    await pool?.close();
    await ownEmbedder?.close();
    store?.close();
    lock?.release();
  }
}

interface Plan {
  work: WorkItem[];
  missing: Map<string, DocumentRow>;
  /** Roots whose deletions were held back (empty root, too many at once): failures of the run. */
  guarded: RootEvent[];
}

function planAll(store: SqliteStore, found: Discovered[], o: IngestOptions, identity: PipelineIdentity, record: (e: FileEvent) => void): Plan {
  const work: WorkItem[] = [];
  const missing = new Map<string, DocumentRow>();
  const guarded: RootEvent[] = [];
  const foundPaths = new Set(found.flatMap((d) => d.files.map((f) => f.absPath)));
  const seen = new Set<string>();
  // What could not be looked at this time (an unreadable folder, a dangling link) is not gone: never prune it.
  const unseen = found.flatMap((d) => d.skipped.filter((s) => s.reason !== 'ignored').map((s) => s.path));
  const shielded = (p: string): boolean => unseen.some((u) => p === u || p.startsWith(u + '/'));
  for (const d of found) {
    for (const s of d.skipped) record({ event: 'file', path: s.path, status: 'skipped', reason: s.reason });
    const known = new Map(store.documentsUnder(d.root).map((doc) => [doc.path, doc]));
    for (const file of d.files) {
      if (seen.has(file.absPath)) continue; // the same file named twice
      seen.add(file.absPath);
      const prev = known.get(file.absPath);
      const action = planFile(file, prev, { identity, maxAttempts: o.config.maxAttempts, retryFailed: !!o.retryFailed });
      if (action === 'unchanged') record({ event: 'file', path: file.absPath, status: 'unchanged', ...(prev?.status === 'failed' || prev?.status === 'quarantined' ? { reason: `still ${prev.status} after ${prev.attempts} attempts: ${prev.reason ?? ''}; use --retry-failed` } : {}) });
      else work.push({ file, prev, action });
    }
    if (d.singleFile) continue;
    const gone = [...known].filter(([p]) => !shielded(p) && !foundPaths.has(p));
    const reason = rootGuardReason(
      { root: d.root, found: d.files.length, known: known.size, missing: gone.length },
      { allowEmptyRoot: !!o.allowEmptyRoot, maxPruneRatio: o.maxPruneRatio ?? 0.5 },
    );
    if (reason) guarded.push({ event: 'root', path: d.root, status: 'failed', reason });
    else for (const [p, doc] of gone) missing.set(p, doc);
  }
  // Roots may overlap (a and a/sub): a file seen under any root is not missing.
  for (const p of seen) missing.delete(p);
  // A guarded root shields everything under it, even from an overlapping root's pruning.
  for (const g of guarded) for (const p of [...missing.keys()]) if (p === g.path || p.startsWith(g.path + '/')) missing.delete(p);
  return { work, missing, guarded };
}

/** A new path whose content equals a vanished indexed document is a rename: re-point, don't re-embed. */
async function detectMoves(store: SqliteStore, work: WorkItem[], missing: Map<string, DocumentRow>, record: (e: FileEvent) => void, log: Logger): Promise<void> {
  const gone = [...missing.values()].filter((d) => d.status === 'indexed' && d.sha256);
  if (!gone.length) return;
  const bySha = new Map(gone.map((d) => [d.sha256!, d]));
  for (let i = work.length - 1; i >= 0; i--) {
    const item = work[i]!;
    if (item.action !== 'add') continue;
    try {
      item.sha256 = await sha256File(item.file.absPath);
    } catch {
      continue;
    }
    const from = bySha.get(item.sha256);
    if (!from) continue;
    store.moveDocument(from.path, { ...item.file, path: item.file.absPath, status: 'indexed', fingerprint: from.fingerprint ?? '', sha256: item.sha256 });
    bySha.delete(item.sha256);
    missing.delete(from.path);
    work.splice(i, 1);
    log.info({ from: from.path, to: item.file.absPath }, 'moved');
    record({ event: 'file', path: item.file.absPath, status: 'moved', from: from.path, chunks: from.chunkCount });
  }
}

function finishDryRun(store: SqliteStore, found: Discovered[], o: IngestOptions, identity: PipelineIdentity, summary: IngestSummary, emit: (e: IngestEvent) => void, started: number): IngestSummary {
  const { work, missing, guarded } = planAll(store, found, o, identity, (e) => {
    if (e.status === 'unchanged') summary.unchanged++;
    emit({ event: 'plan', path: e.path, action: 'unchanged' });
  });
  for (const w of work) {
    emit({ event: 'plan', path: w.file.absPath, action: w.action });
    if (w.action === 'add') summary.indexed++;
    else if (w.action === 'update') summary.updated++;
    else summary.retried++;
  }
  if (o.prune !== false) for (const doc of missing.values()) {
    emit({ event: 'plan', path: doc.path, action: 'remove' });
    summary.removed++;
  }
  for (const g of guarded) {
    summary.rootFailures++;
    emit(g);
  }
  summary.durationMs = Date.now() - started;
  return summary;
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

function indexFiles(db: string): string[] {
  return [db, `${db}-wal`, `${db}-shm`, `${db}.lock`];
}

/** The embedding identity this run would write, known before the ONNX session is loaded where possible. */
async function runIdentity(o: IngestOptions, log: Logger): Promise<EmbeddingIdentity> {
  if (o.embedder) return embedderIdentity(o.embedder, o.config);
  const info: ModelInfo = await resolveModelInfo(o.config, log, o.onDownload);
  return identityOf(info, o.config);
}

/** Model and chunk settings the user did not set are taken from the index, when it has them. */
export function followIndex(store: SqliteStore, config: Config, explicit: Set<string>): Config {
  const id = store.identity();
  if (!id) return config;
  const out = { ...config };
  if (!explicit.has('model') && !explicit.has('modelDir')) out.model = id.modelName;
  if (!explicit.has('chunkTokens')) out.chunkTokens = id.chunkTokens;
  if (!explicit.has('chunkOverlap')) out.chunkOverlap = id.chunkOverlap;
  return out;
}
