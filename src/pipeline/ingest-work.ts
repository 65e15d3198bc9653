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

/** Processes the work items this writer can claim; returns the first fatal error, after files in flight finish. */
export async function processWork(work: WorkItem[], w: WorkLoop): Promise<unknown> {
  const byPath = new Map(work.map((item) => [item.file.absPath, item]));
  let pending = work.map((item) => item.file.absPath);
  const limit = pLimit(w.concurrency);
  let fatal: unknown;
  while (pending.length && !w.signal?.aborted && fatal === undefined) {
    // A single writer gets everything at once; a shared store hands out batches no other live worker holds,
    // and an empty batch means every remaining file was done by someone else.
    const batch = await w.writer.claim(pending);
    if (!batch.length) break;
    const claimed = new Set(batch);
    pending = pending.filter((p) => !claimed.has(p));
    const settled = await Promise.allSettled(batch.map((p) => limit(async () => {
      if (w.signal?.aborted || fatal !== undefined) return;
      try {
        await processOne(byPath.get(p)!, w);
      } finally {
        await w.writer.done(p);
      }
    })));
    const broken = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (broken) fatal = broken.reason;
  }
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
