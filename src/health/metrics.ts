// Every docproc metric, on a registry of its own (prom-client's global one is left alone). Labels take only
// bounded values: statuses, outcomes and types from fixed lists, never a path or a reason.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SUPPORTED_TYPES } from '../extract/options.js';

export const DOCUMENT_STATUSES = ['indexed', 'updated', 'unchanged', 'skipped', 'empty', 'failed', 'quarantined', 'removed'] as const;
export const FILE_STATUSES = [...DOCUMENT_STATUSES, 'moved'] as const;
export const RUN_OUTCOMES = ['completed', 'interrupted', 'failed', 'unfinished'] as const;

export interface DocprocMetrics {
  registry: Registry;
  // From the index, refreshed on each scrape (or at the end of an ingest for --metrics-file).
  indexUp: Gauge;
  documents: Gauge<'status'>;
  chunks: Gauge;
  indexSize: Gauge;
  runs: Gauge<'outcome'>;
  lastSuccess: Gauge;
  buildInfo: Gauge<'version' | 'model'>;
  // From this process's own work: ingest, or watch.
  filesProcessed: Counter<'type' | 'status'>;
  fileSeconds: Histogram<'type'>;
  embedSeconds: Histogram;
  chunksEmbedded: Counter;
  ocrPages: Counter;
  quarantines: Counter;
  watchQueueDepth: Gauge;
  watchLag: Histogram;
}

export interface MetricsOptions {
  /**
   * Node process metrics (CPU, memory, event loop lag, GC). Off for --metrics-file: they would describe a
   * process that has exited by the time node_exporter reads the file.
   */
  processMetrics: boolean;
}

/** A label value from a fixed list; anything else is 'other', so a surprise cannot grow the series count. */
export function bounded(value: string | null | undefined, allowed: readonly string[], missing = 'unknown'): string {
  if (value === null || value === undefined || value === '') return missing;
  return allowed.includes(value) ? value : 'other';
}

export const typeLabel = (t: string | undefined): string => bounded(t, SUPPORTED_TYPES);

export function createMetrics(o: MetricsOptions): DocprocMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (o.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    indexUp: new Gauge({ name: 'docproc_index_up', help: '1 if the index could be read for this scrape, else 0', registers }),
    documents: new Gauge({ name: 'docproc_documents', help: 'Documents in the index by status', labelNames: ['status'], registers }),
    chunks: new Gauge({ name: 'docproc_chunks', help: 'Chunks in the index', registers }),
    indexSize: new Gauge({ name: 'docproc_index_size_bytes', help: 'Bytes the index takes (SQLite: file and WAL; Postgres: its relations)', registers }),
    runs: new Gauge({ name: 'docproc_runs', help: 'Runs recorded in the index by outcome (unfinished: running, or killed)', labelNames: ['outcome'], registers }),
    lastSuccess: new Gauge({ name: 'docproc_last_success_timestamp_seconds', help: 'End of the last completed ingest or watch sync, Unix seconds (0: none)', registers }),
    buildInfo: new Gauge({ name: 'docproc_build_info', help: 'Always 1: the docproc version and the model of the index', labelNames: ['version', 'model'], registers }),
    filesProcessed: new Counter({ name: 'docproc_files_processed_total', help: 'Files this process handled, by detected type and outcome (unchanged files not counted)', labelNames: ['type', 'status'], registers }),
    fileSeconds: new Histogram({
      name: 'docproc_file_processing_seconds', help: 'Time to extract, chunk, embed and store one file', labelNames: ['type'], registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180],
    }),
    embedSeconds: new Histogram({
      name: 'docproc_embedding_batch_seconds', help: 'Time of one embedding model call', registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    chunksEmbedded: new Counter({ name: 'docproc_chunks_embedded_total', help: 'Chunks embedded by the model (chunks reused from the index not counted)', registers }),
    ocrPages: new Counter({ name: 'docproc_ocr_pages_total', help: 'Pages or images read by OCR', registers }),
    quarantines: new Counter({ name: 'docproc_quarantines_total', help: 'Files quarantined (they crashed or hung an extraction worker)', registers }),
    watchQueueDepth: new Gauge({ name: 'docproc_watch_queue_depth', help: 'File changes seen by watch and not yet synced', registers }),
    watchLag: new Histogram({
      name: 'docproc_watch_lag_seconds', help: 'From the first change of a batch to the moment it is searchable', registers,
      buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    }),
  };
}
