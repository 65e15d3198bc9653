// Recall of the approximate vector search against exact KNN over the same index, and the latency of each.
import { performance } from 'node:perf_hooks';
import type { IndexStore, IndexView } from '../../src/contracts/index-store.js';
import type { Embedder } from '../../src/contracts/stages.js';
import type { EmbeddingIdentity } from '../../src/contracts/identity.js';
import { searchIndex, type SearchMode } from '../../src/search/index.js';
import { SqliteView, type ViewOptions } from '../../src/store/sqlite/view.js';
import type { SqliteStore } from '../../src/store/sqlite/store.js';
import { latency, round, type Latency } from './stats.js';

export type FirstPass = NonNullable<ViewOptions['firstPass']>;

export interface VectorRecall {
  /** How the approximate view searches (or 'exact' where the index has no first pass). */
  method: string;
  firstPass?: FirstPass;
  /** Candidate lists (chunks) as searchIndex asks for them: k = 10, 100 (chunk grouping), 400 (document grouping). */
  candidates: { k: number; recall: number; recallTies: number; approximate: Latency; exact: Latency }[];
  /** Final results (top 10 documents, as `docproc search` shows them), approximate vs exact, per mode. */
  results: { mode: SearchMode; recallAt10: number; recallAt10Ties?: number }[];
}

const readIdentity = (s: SqliteStore): EmbeddingIdentity | undefined => {
  const raw = s.getMeta('identity');
  return raw ? (JSON.parse(raw) as EmbeddingIdentity) : undefined;
};

/** The store, its snapshots read through a view with the given options (exact: the vec0 float KNN). */
export function withView(store: SqliteStore, o: ViewOptions): IndexStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'snapshot') {
        return <T>(read: (v: IndexView) => Promise<T>): Promise<T> =>
          target.snapshot(() => read(new SqliteView(target.db, () => readIdentity(target), o)));
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

const overlap = (a: number[], b: number[]): number => {
  const s = new Set(b);
  return a.filter((x) => s.has(x)).length;
};

/**
 * Exact search ranks in float32 (vec0's distance), the rescoring in float64: where chunks score within float32's
 * rounding of each other, which of them is "the" k-th is arbitrary. This counts a returned item that is not in the
 * exact list as found when its cosine is within TIE of the exact list's last one (reported beside plain recall).
 */
const TIE = 1e-6;
function overlapWithTies(a: { id: number; score?: number }[], b: { id: number; score?: number }[]): number {
  const s = new Set(b.map((x) => x.id));
  const last = b.length ? b[b.length - 1]!.score : undefined;
  return a.filter((x) => s.has(x.id) || (last !== undefined && x.score !== undefined && x.score >= last - TIE)).length;
}

export async function vectorRecall(store: SqliteStore, embedder: Embedder, texts: string[], firstPass?: FirstPass): Promise<VectorRecall> {
  const exact = new SqliteView(store.db, () => readIdentity(store), { vectorSearch: 'exact' });
  const approx = new SqliteView(store.db, () => readIdentity(store), firstPass ? { firstPass } : {});
  const candidates: VectorRecall['candidates'] = [];
  for (const k of [10, 100, 400]) {
    const ms = { approximate: [] as number[], exact: [] as number[] };
    let hit = 0;
    let hitTies = 0;
    let want = 0;
    for (let qi = 0; qi < texts.length; qi++) {
      const [q] = await embedder.embed([texts[qi]!], 'query');
      // Alternate which goes first so neither always finds the page cache warmed by the other.
      const order: ['approximate' | 'exact', SqliteView][] = qi % 2 ? [['exact', exact], ['approximate', approx]] : [['approximate', approx], ['exact', exact]];
      const got: Record<string, { id: number; score: number }[]> = {};
      for (const [name, view] of order) {
        const t0 = performance.now();
        const c = await view.vectorCandidates(q!, null, k);
        ms[name].push(performance.now() - t0);
        got[name] = c.map((x) => ({ id: x.chunkId, score: x.score }));
      }
      hit += overlap(got['approximate']!.map((x) => x.id), got['exact']!.map((x) => x.id));
      hitTies += overlapWithTies(got['approximate']!, got['exact']!);
      want += got['exact']!.length;
    }
    candidates.push({ k, recall: round(hit / (want || 1), 4), recallTies: round(hitTies / (want || 1), 4), approximate: latency(ms.approximate), exact: latency(ms.exact) });
  }
  const results: VectorRecall['results'] = [];
  const approxStore = withView(store, firstPass ? { firstPass } : {});
  const exactStore = withView(store, { vectorSearch: 'exact' });
  for (const mode of ['vector', 'hybrid'] as SearchMode[]) {
    let hit = 0;
    let hitTies = 0;
    let want = 0;
    for (const t of texts) {
      const q = { text: t, mode, limit: 10, groupBy: 'document' as const };
      const a = (await searchIndex(approxStore, embedder, q)).map((h) => ({ id: h.documentId, score: h.similarity }));
      const e = (await searchIndex(exactStore, embedder, q)).map((h) => ({ id: h.documentId, score: h.similarity }));
      hit += overlap(a.map((x) => x.id), e.map((x) => x.id));
      hitTies += overlapWithTies(a, e);
      want += e.length;
    }
    // Ties are counted for vector results only: a hybrid list is ordered by fused score, not by cosine.
    results.push({ mode, recallAt10: round(hit / (want || 1), 4), ...(mode === 'vector' ? { recallAt10Ties: round(hitTies / (want || 1), 4) } : {}) });
  }
  return { method: approx.vectorMethod(), ...(firstPass ? { firstPass } : {}), candidates, results };
}
