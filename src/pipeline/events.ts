// The ingest event stream (NDJSON with --json) and the run summary: a documented contract.
import type { FileStatus } from './types.js';

export interface FileEvent {
  event: 'file';
  path: string;
  status: FileStatus | 'moved';
  reason?: string;
  chunks?: number;
  type?: string;
  warnings?: string[];
  pagesOcr?: number;
  /** The file had failed before and was tried again. */
  retried?: boolean;
  from?: string;
  /** Wall-clock time this file took through extract, chunk, embed and store (files that were processed). */
  durationMs?: number;
}

export interface PlanEvent {
  event: 'plan';
  path: string;
  action: 'add' | 'update' | 'retry' | 'remove' | 'unchanged';
}

/** A root whose deletions were held back: `root-empty` (unmounted share?) or `prune-limit`. */
export interface RootEvent {
  event: 'root';
  path: string;
  status: 'failed';
  reason: string;
}

export interface ProgressEvent {
  event: 'progress';
  done: number;
  total: number;
  chunksPerSec: number;
  etaSec: number | null;
}

export interface IngestSummary {
  event: 'summary';
  runId: number | null;
  indexed: number;
  updated: number;
  unchanged: number;
  moved: number;
  removed: number;
  skipped: number;
  empty: number;
  failed: number;
  quarantined: number;
  retried: number;
  chunks: number;
  embedded: number;
  reused: number;
  modelCalls: number;
  writes: number;
  durationMs: number;
  dryRun: boolean;
  interrupted: boolean;
  /** Roots whose deletions were held back (see RootEvent): the run exits 3. */
  rootFailures: number;
}

export type IngestEvent = FileEvent | PlanEvent | RootEvent | ProgressEvent | IngestSummary;

export function emptySummary(): IngestSummary {
  return {
    event: 'summary', runId: null, indexed: 0, updated: 0, unchanged: 0, moved: 0, removed: 0, skipped: 0, empty: 0,
    failed: 0, quarantined: 0, retried: 0, chunks: 0, embedded: 0, reused: 0, modelCalls: 0, writes: 0, durationMs: 0,
    dryRun: false, interrupted: false, rootFailures: 0,
  };
}
