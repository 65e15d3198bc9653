// Part 2, end to end: searchIndex latency per mode on each store at N chunks, query vectors computed first
// (so the model's time is not in the figures), each query run on both stores back to back, order alternating.
import type { IndexStore } from '../../src/contracts/index-store.js';
import { searchIndex, type SearchMode } from '../../src/search/index.js';
import type { Embedder } from '../../src/pipeline/types.js';
import { PgView } from '../../src/store/postgres/view.js';
import { SqliteView } from '../../src/store/sqlite/view.js';
import { latency, progress, round, timed, type Latency } from './stats.js';
import { ViewTimer } from './view-timer.js';

export interface ModeLatency {
  mode: SearchMode;
  sqlite: Latency;
  postgres: Latency;
  /** Postgres p50 over SQLite p50. */
  ratioP50: number;
  ratioP95: number;
  /** Share of queries whose top-10 documents are the same set on both stores. */
  sameTop10: number;
  /** Mean ms per search spent in each IndexView call (the rest is fusion, snippets, the snapshot's BEGIN/COMMIT). */
  inViewCalls: { sqlite: Record<string, number>; postgres: Record<string, number> };
}

export async function searchLatency(stores: { sqlite: IndexStore; postgres: IndexStore }, embedder: Embedder, queries: string[], modes: SearchMode[] = ['keyword', 'vector', 'hybrid']): Promise<ModeLatency[]> {
  const names = ['sqlite', 'postgres'] as const;
  const ms: Record<string, number[]> = {};
  const same: Record<string, number[]> = {};
  const run = (store: IndexStore, text: string, mode: SearchMode) => searchIndex(store, mode === 'keyword' ? null : embedder, { text, limit: 10, mode, groupBy: 'document' });
  for (const q of queries.slice(0, 5)) for (const mode of modes) for (const n of names) await run(stores[n], q, mode);
  const timer = new ViewTimer();
  timer.wrap([PgView.prototype as never, SqliteView.prototype as never]);
  const one = async (i: number, text: string, mode: SearchMode): Promise<void> => {
    const order = i % 2 === 0 ? names : ([...names].reverse() as typeof names[number][]);
    const top: Record<string, string> = {};
    for (const n of order) {
      timer.into(`${n}:${mode}`);
      const [hits, t] = await timed(() => run(stores[n], text, mode));
      timer.into(null);
      (ms[`${n}:${mode}`] ??= []).push(t);
      top[n] = hits.map((h) => h.path).sort().join('\n');
    }
    (same[mode] ??= []).push(top.sqlite === top.postgres ? 1 : 0);
  };
  try {
    for (const [i, text] of queries.entries()) {
      for (const mode of modes) await one(i, text, mode);
      if ((i + 1) % 50 === 0) progress(`searches: ${i + 1}/${queries.length} queries`);
    }
  } finally {
    timer.release();
  }
  return modes.map((mode) => {
    const s = latency(ms[`sqlite:${mode}`]!);
    const p = latency(ms[`postgres:${mode}`]!);
    return {
      mode, sqlite: s, postgres: p, ratioP50: round(p.p50 / s.p50, 2), ratioP95: round(p.p95 / s.p95, 2),
      sameTop10: round(same[mode]!.reduce((a, b) => a + b, 0) / queries.length, 3),
      inViewCalls: { sqlite: timer.perSearch(`sqlite:${mode}`, queries.length), postgres: timer.perSearch(`postgres:${mode}`, queries.length) },
    };
  });
}
