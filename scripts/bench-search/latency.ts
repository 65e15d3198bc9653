// Search latency per mode through searchIndex (what `docproc search` runs), query vectors computed beforehand.
import { performance } from 'node:perf_hooks';
import type { IndexStore } from '../../src/contracts/index-store.js';
import type { Embedder } from '../../src/contracts/stages.js';
import { searchIndex, type SearchMode, type SearchQuery, type GroupBy } from '../../src/search/index.js';
import { latency, type Latency } from './stats.js';

export interface ModeLatency extends Latency {
  mode: SearchMode;
  /** Which store view answered: the default one, or another (exact vector search) for comparison. */
  variant: string;
  groupBy: GroupBy;
}

export interface QueryOptions {
  limit: number;
  groupBy: GroupBy;
  warmup: number;
  /** Each mode runs every query in turn instead of the modes rotating per query. */
  apart?: boolean;
}

const query = (text: string, mode: SearchMode, o: QueryOptions): SearchQuery => ({ text, mode, limit: o.limit, groupBy: o.groupBy });

/**
 * Every query in every mode and store variant, the order rotated per query so drift (other processes, page
 * cache) hits each alike; the first `warmup` queries run once untimed in each.
 */
export async function modeLatencies(stores: { name: string; store: IndexStore; modes: SearchMode[] }[], embedder: Embedder,
  texts: string[], o: QueryOptions): Promise<ModeLatency[]> {
  const runs = stores.flatMap((s) => s.modes.map((mode) => ({ ...s, mode, ms: [] as number[] })));
  const once = (r: (typeof runs)[number], t: string) => searchIndex(r.store, r.mode === 'keyword' ? null : embedder, query(t, r.mode, o));
  if (o.apart) {
    for (const r of runs) {
      for (const t of texts.slice(0, o.warmup)) await once(r, t);
      for (const t of texts) {
        const t0 = performance.now();
        await once(r, t);
        r.ms.push(performance.now() - t0);
      }
    }
    return runs.map((r) => ({ mode: r.mode, variant: r.name, groupBy: o.groupBy, ...latency(r.ms) }));
  }
  for (const t of texts.slice(0, o.warmup)) for (const r of runs) await once(r, t);
  for (let qi = 0; qi < texts.length; qi++) {
    for (let k = 0; k < runs.length; k++) {
      const r = runs[(qi + k) % runs.length]!;
      const t0 = performance.now();
      await once(r, texts[qi]!);
      r.ms.push(performance.now() - t0);
    }
  }
  return runs.map((r) => ({ mode: r.mode, variant: r.name, groupBy: o.groupBy, ...latency(r.ms) }));
}
