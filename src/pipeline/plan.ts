// Decides, per file, what a run must do, by the document state machine (contracts/document-state).
import type { DocumentRow } from '../contracts/index-store.js';
import { planAction, type Action } from '../contracts/document-state.js';
import type { SourceFile } from './types.js';
import { documentFingerprint, type PipelineIdentity } from './fingerprint.js';

export type { Action };

export interface PlanOptions {
  identity: PipelineIdentity;
  maxAttempts: number;
  retryFailed: boolean;
}

export function planFile(file: SourceFile, prev: DocumentRow | undefined, o: PlanOptions): Action {
  return planAction(file, prev, {
    fingerprintFor: (type) => documentFingerprint(o.identity, type),
    maxAttempts: o.maxAttempts,
    retryFailed: o.retryFailed,
  });
}
