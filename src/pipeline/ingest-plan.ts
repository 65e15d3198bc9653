// Planning a run: every found file gets an action (or `unchanged`), vanished documents are collected for pruning
// unless their root looks unmounted, and renames are recognised by content before anything is embedded.
import type { Logger } from '../log.js';
import type { DocumentRow, IndexStore } from '../contracts/index-store.js';
import { isFailure } from '../contracts/document-state.js';
import type { Discovered } from './discover.js';
import { planFile, type Action } from './plan.js';
import { sha256File, type PipelineIdentity } from './fingerprint.js';
import { rootGuardReason } from './root-guard.js';
import type { FileEvent, IngestEvent, IngestSummary, RootEvent } from './events.js';
import type { SourceFile } from './types.js';

export interface WorkItem {
  file: SourceFile;
  prev?: DocumentRow;
  action: Action;
  sha256?: string;
}

export interface Plan {
  work: WorkItem[];
  missing: Map<string, DocumentRow>;
  /** Roots whose deletions were held back (empty root, too many at once): failures of the run. */
  guarded: RootEvent[];
}

export interface PlanSettings {
  maxAttempts: number;
  retryFailed: boolean;
  allowEmptyRoot: boolean;
  maxPruneRatio: number;
}

export async function planAll(store: IndexStore, found: Discovered[], s: PlanSettings, identity: PipelineIdentity, record: (e: FileEvent) => void): Promise<Plan> {
  const work: WorkItem[] = [];
  const missing = new Map<string, DocumentRow>();
  const guarded: RootEvent[] = [];
  const foundPaths = new Set(found.flatMap((d) => d.files.map((f) => f.absPath)));
  const seen = new Set<string>();
  // What could not be looked at this time (an unreadable folder, a dangling link) is not gone: never prune it.
  const unseen = found.flatMap((d) => d.skipped.filter((x) => x.reason !== 'ignored').map((x) => x.path));
  const shielded = (p: string): boolean => unseen.some((u) => p === u || p.startsWith(u + '/'));
  for (const d of found) {
    for (const x of d.skipped) record({ event: 'file', path: x.path, status: 'skipped', reason: x.reason });
    const known = new Map((await store.documentsUnder(d.root)).map((doc) => [doc.path, doc]));
    for (const file of d.files) {
      if (seen.has(file.absPath)) continue; // the same file named twice
      seen.add(file.absPath);
      const prev = known.get(file.absPath);
      const action = planFile(file, prev, { identity, maxAttempts: s.maxAttempts, retryFailed: s.retryFailed });
      if (action === 'unchanged') record(unchangedEvent(file.absPath, prev));
      else work.push({ file, prev, action });
    }
    if (d.singleFile) continue;
    const gone = [...known].filter(([p]) => !shielded(p) && !foundPaths.has(p));
    const reason = rootGuardReason(
      { root: d.root, found: d.files.length, known: known.size, missing: gone.length },
      { allowEmptyRoot: s.allowEmptyRoot, maxPruneRatio: s.maxPruneRatio },
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

export function unchangedEvent(path: string, prev: DocumentRow | undefined): FileEvent {
  const still = prev && isFailure(prev.status)
    ? { reason: `still ${prev.status} after ${prev.attempts} attempts: ${prev.reason ?? ''}; use --retry-failed` }
    : {};
  return { event: 'file', path, status: 'unchanged', ...still };
}

/** A new path whose content equals a vanished indexed document is a rename: re-point, don't re-embed. */
export async function detectMoves(store: IndexStore, work: WorkItem[], missing: Map<string, DocumentRow>, record: (e: FileEvent) => void, log: Logger,
  o: { maxFileBytes?: number; signal?: AbortSignal } = {}): Promise<void> {
  const gone = [...missing.values()].filter((d) => d.status === 'indexed' && d.sha256);
  if (!gone.length) return;
  const bySha = new Map(gone.map((d) => [d.sha256!, d]));
  for (let i = work.length - 1; i >= 0; i--) {
    if (o.signal?.aborted) return;
    const item = work[i]!;
    // An oversized file is never hashed: it is skipped by size, before any read.
    if (item.action !== 'add' || (o.maxFileBytes !== undefined && item.file.size > o.maxFileBytes)) continue;
    try {
      item.sha256 = await sha256File(item.file.absPath, item.file.size);
    } catch {
      continue;
    }
    const from = bySha.get(item.sha256);
    if (!from) continue;
    await store.moveDocument(from.path, { ...item.file, path: item.file.absPath, status: 'indexed', fingerprint: from.fingerprint ?? '', sha256: item.sha256 });
    bySha.delete(item.sha256);
    missing.delete(from.path);
    work.splice(i, 1);
    log.info({ from: from.path, to: item.file.absPath }, 'moved');
    record({ event: 'file', path: item.file.absPath, status: 'moved', from: from.path, chunks: from.chunkCount });
  }
}

/** --dry-run: the plan as `plan` events and a summary of what would happen; nothing is written. */
export async function dryRun(store: IndexStore, found: Discovered[], s: PlanSettings & { prune: boolean }, identity: PipelineIdentity, summary: IngestSummary, emit: (e: IngestEvent) => void): Promise<IngestSummary> {
  const { work, missing, guarded } = await planAll(store, found, s, identity, (e) => {
    if (e.status === 'unchanged') summary.unchanged++;
    emit({ event: 'plan', path: e.path, action: 'unchanged' });
  });
  for (const w of work) {
    emit({ event: 'plan', path: w.file.absPath, action: w.action });
    if (w.action === 'add') summary.indexed++;
    else if (w.action === 'update') summary.updated++;
    else summary.retried++;
  }
  if (s.prune) for (const doc of missing.values()) {
    emit({ event: 'plan', path: doc.path, action: 'remove' });
    summary.removed++;
  }
  for (const g of guarded) {
    summary.rootFailures++;
    emit(g);
  }
  return summary;
}
