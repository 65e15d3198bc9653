// Feeds the per-process metrics from what ingest and watch already report: file events, model calls, syncs.
import type { FileEvent } from '../pipeline/events.js';
import { FILE_STATUSES, bounded, typeLabel, type DocprocMetrics } from './metrics.js';

export function observeFile(m: DocprocMetrics, e: FileEvent): void {
  if (e.status === 'unchanged') return;
  const type = typeLabel(e.type);
  m.filesProcessed.inc({ type, status: bounded(e.status, FILE_STATUSES) });
  if (e.durationMs !== undefined) m.fileSeconds.observe({ type }, e.durationMs / 1000);
  if (e.pagesOcr) m.ocrPages.inc(e.pagesOcr);
  if (e.status === 'quarantined') m.quarantines.inc();
}

export function observeEmbedBatch(m: DocprocMetrics, texts: number, durationMs: number): void {
  m.embedSeconds.observe(durationMs / 1000);
  m.chunksEmbedded.inc(texts);
}

export function observeSync(m: DocprocMetrics, lagMs: number | null): void {
  if (lagMs !== null) m.watchLag.observe(lagMs / 1000);
}
