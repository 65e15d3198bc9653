// The metrics read from the index itself: documents, chunks, size, runs, last success, build info.
import type { IndexStore, IndexTransfer } from '../contracts/index-store.js';
import { docprocVersion } from '../version.js';
import { withIndex, type IndexLocation } from './index-reader.js';
import { DOCUMENT_STATUSES, RUN_OUTCOMES, bounded, type DocprocMetrics } from './metrics.js';
import { runOutcomes, type RunOutcomes } from './run-outcomes.js';

interface IndexFacts {
  documents: Record<string, number>;
  chunks: number;
  sizeBytes: number | null;
  runs: RunOutcomes;
  model: string | null;
}

async function readFacts(store: IndexStore): Promise<IndexFacts> {
  const stats = await store.stats();
  const transfer = store as Partial<IndexTransfer>;
  return {
    documents: stats.documents,
    chunks: stats.chunks,
    sizeBytes: transfer.sizeBytes ? await transfer.sizeBytes() : null,
    runs: await runOutcomes(store),
    model: (await store.identity())?.modelName ?? null,
  };
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`the index did not answer within ${ms} ms`)), ms).unref());
}

/** Sets the index gauges; on failure docproc_index_up is 0 and the rest keep their last values. */
export async function refreshIndexGauges(m: DocprocMetrics, at: IndexLocation, o: { timeoutMs: number; model?: string }): Promise<void> {
  let facts: IndexFacts | undefined;
  try {
    facts = await Promise.race([withIndex(at, readFacts), timeout(o.timeoutMs)]);
  } catch {
    facts = undefined;
  }
  m.buildInfo.reset();
  m.buildInfo.set({ version: docprocVersion(), model: facts?.model ?? o.model ?? 'none' }, 1);
  if (!facts) {
    m.indexUp.set(0);
    return;
  }
  m.indexUp.set(1);
  // Every known status is present (at 0 when empty), so that a rate or an alert never sees a series vanish.
  m.documents.reset();
  for (const s of [...DOCUMENT_STATUSES, 'other']) m.documents.set({ status: s }, 0);
  for (const [status, n] of Object.entries(facts.documents)) m.documents.inc({ status: bounded(status, DOCUMENT_STATUSES) }, n);
  m.chunks.set(facts.chunks);
  if (facts.sizeBytes !== null) m.indexSize.set(facts.sizeBytes);
  m.runs.reset();
  for (const o of [...RUN_OUTCOMES, 'other']) m.runs.set({ outcome: o }, 0);
  for (const [outcome, n] of Object.entries(facts.runs.byOutcome)) m.runs.inc({ outcome: bounded(outcome, RUN_OUTCOMES) }, n);
  m.lastSuccess.set(facts.runs.lastSuccessMs === null ? 0 : facts.runs.lastSuccessMs / 1000);
}
