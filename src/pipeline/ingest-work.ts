// The work loop: claimed files go through extract -> chunk -> embed -> store, a few at a time; a broken model or
// database stops new files, and files in flight finish before the error surfaces.
import pLimit from 'p-limit';
import type { IndexStore, Writer } from '../contracts/index-store.js';
import { processFile, type FileDeps } from './process-file.js';
import { planFile } from './plan.js';
import { unchangedEvent, type WorkItem } from './ingest-plan.js';
import type { FileEvent, IngestSummary } from './events.js';
import type { ProgressMeter } from './progress.js';

export interface WorkLoop {
  store: IndexStore;
  writer: Writer;
  deps: FileDeps;
  concurrency: number;
  planRules: { maxAttempts: number; retryFailed: boolean };
  signal?: AbortSignal;
  summary: IngestSummary;
  record: (e: FileEvent) => void;
  meter: ProgressMeter;
}

/**
 * Processes the work items this writer can claim; returns the first fatal error, after files in flight finish.
 * A shared store hands out a batch at a time: the next claim is made as soon as a slot frees, so the pipeline
 * stays full instead of draining each batch; an empty claim means every remaining file was done elsewhere.
 */
export async function processWork(work: WorkItem[], w: WorkLoop): Promise<unknown> {
  const byPath = new Map(work.map((item) => [item.file.absPath, item]));
  let pending = work.map((item) => item.file.absPath);
  const limit = pLimit(w.concurrency);
  let running = 0;
  // One waiter woken whenever a file finishes. Not Promise.race over the files in flight: each race adds a
  // reaction to every pending promise, kept until it settles, so a 10,000-file run held gigabytes of them.
  let wake: (() => void) | undefined;
  const slotFreed = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  let fatal: unknown;
  const start = (p: string): void => {
    running++;
    void limit(async () => {
      if (w.signal?.aborted || fatal !== undefined) return;
      try {
        await processOne(byPath.get(p)!, w);
      } finally {
        await w.writer.done(p);
      }
    }).catch((err: unknown) => {
      fatal ??= err; // the model or the database broke: start no more files
    }).finally(() => {
      running--;
      const w0 = wake;
      wake = undefined;
      w0?.();
    });
  };
  while (pending.length && !w.signal?.aborted && fatal === undefined) {
    const batch = await w.writer.claim(pending);
    if (!batch.length) break;
    const claimed = new Set(batch);
    pending = pending.filter((p) => !claimed.has(p));
    for (const p of batch) start(p);
    // Claim again only when a slot is free: claimed files wait under a lease, which others cannot take.
    while (limit.activeCount + limit.pendingCount >= w.concurrency && running) await slotFreed();
  }
  while (running) await slotFreed();
  return fatal;
}

async function processOne(item: WorkItem, w: WorkLoop): Promise<void> {
  let prev = item.prev;
  if (w.writer.shared) {
    // Another worker may have indexed this file since we planned: plan again against the ledger as it is now.
    prev = await w.store.getDocument(item.file.absPath);
    const action = planFile(item.file, prev, { identity: w.deps.identity, ...w.planRules });
    if (action === 'unchanged') {
      w.record(unchangedEvent(item.file.absPath, prev));
      return;
    }
  }
  const started = performance.now();
  const r = await processFile(item.file, prev, w.deps, item.sha256);
  const durationMs = Math.round(performance.now() - started);
  w.summary.embedded += r.embedded;
  w.summary.reused += r.reused;
  const { embedded: _e, reused: _r, ...result } = r;
  w.record({ event: 'file', ...result, ...(item.action === 'retry' ? { retried: true } : {}), durationMs });
  w.meter.tick(r.chunks ?? 0);
}
