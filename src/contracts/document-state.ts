// A document's lifecycle as one state machine: what a run does with a file, what each outcome stores, and how
// failed attempts count. The planner, process-file and both stores ask this module instead of deciding alone.
import type { FileStatus } from './stages.js';

/** What the ledger holds for a file between runs (a removed file has no row). */
export type StoredStatus = 'indexed' | 'empty' | 'skipped' | 'failed' | 'quarantined';

/**
 * The phases a file passes through in one run. `planned` and `extracted` live only in memory; the others are
 * committed (each document in one transaction, its hash recorded in that same commit).
 */
export type Phase = 'planned' | 'extracted' | StoredStatus | 'removed';

const TRANSITIONS: Record<Phase, readonly Phase[]> = {
  planned: ['extracted', 'skipped', 'failed', 'quarantined', 'removed', 'indexed'],
  extracted: ['indexed', 'empty', 'failed'],
  indexed: ['planned', 'removed'],
  empty: ['planned', 'removed'],
  skipped: ['planned', 'removed'],
  failed: ['planned', 'removed'],
  quarantined: ['planned', 'removed'],
  removed: [],
};

export function canTransition(from: Phase, to: Phase): boolean {
  return TRANSITIONS[from].includes(to);
}

/** What a run does with a file it found. `retry` is a failed file tried again. */
export type Action = 'add' | 'update' | 'retry' | 'unchanged';

export interface LedgerEntry {
  status: FileStatus;
  size: number | null;
  mtimeMs: number | null;
  fingerprint: string | null;
  attempts: number;
}

export interface PlanRules {
  /** The fingerprint this run would give the file's previous type. */
  fingerprintFor(type: string | null): string;
  maxAttempts: number;
  retryFailed: boolean;
}

export const isFailure = (s: FileStatus | null | undefined): boolean => s === 'failed' || s === 'quarantined';

/** The fast path: a file whose size and mtime are unchanged, under the same pipeline, is not read at all. */
export function planAction(stat: { size: number; mtimeMs: number }, prev: (LedgerEntry & { type: string | null }) | undefined, rules: PlanRules): Action {
  if (!prev) return 'add';
  const statSame = prev.size === stat.size && prev.mtimeMs === stat.mtimeMs;
  if (isFailure(prev.status)) {
    if (!statSame) return 'update';
    return rules.retryFailed || prev.attempts < rules.maxAttempts ? 'retry' : 'unchanged';
  }
  if (!statSame) return 'update';
  if (prev.fingerprint !== rules.fingerprintFor(prev.type)) return 'update';
  return 'unchanged';
}

/**
 * Attempts after an outcome: failures count up while the content stays the same (new content starts again at
 * one); any other outcome resets the count.
 */
export function attemptsAfter(status: StoredStatus, prev: { attempts: number } | undefined, sameContent: boolean): number {
  if (!isFailure(status)) return 0;
  return (sameContent ? (prev?.attempts ?? 0) : 0) + 1;
}

/** A failed or quarantined file keeps its last good chunks (searchable until it is fixed); others drop them. */
export function keepsChunks(status: FileStatus): boolean {
  return isFailure(status);
}

/** Statuses that are reported for a run but never stored as such. */
export function storedStatus(s: FileStatus): StoredStatus {
  if (s === 'updated' || s === 'unchanged') return 'indexed';
  if (s === 'removed') throw new Error('a removed document has no stored status');
  return s;
}
