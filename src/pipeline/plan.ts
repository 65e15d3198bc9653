// Decides, per file, what a run must do: the fast path (size + mtime unchanged) reads nothing.
import type { DocumentRow } from '../store/sqlite/store.js';
import type { SourceFile } from './types.js';
import { documentFingerprint, type PipelineIdentity } from './fingerprint.js';

export type Action = 'add' | 'update' | 'retry' | 'unchanged';

export interface PlanOptions {
  identity: PipelineIdentity;
  maxAttempts: number;
  retryFailed: boolean;
}

export function planFile(file: SourceFile, prev: DocumentRow | undefined, o: PlanOptions): Action {
  if (!prev) return 'add';
  const statSame = prev.size === file.size && prev.mtimeMs === file.mtimeMs;
  const failed = prev.status === 'failed' || prev.status === 'quarantined';
  if (failed) {
    if (!statSame) return 'update';
    return o.retryFailed || prev.attempts < o.maxAttempts ? 'retry' : 'unchanged';
  }
  if (!statSame) return 'update';
  if (prev.fingerprint !== documentFingerprint(o.identity, prev.type)) return 'update';
  return 'unchanged';
}
