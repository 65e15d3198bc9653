// Runs every judged query through searchIndex and scores the document ranking.
import { performance } from 'node:perf_hooks';
import type { Embedder, EmbedKind } from '../../src/pipeline/types.js';
import type { IndexStore } from '../../src/contracts/index-store.js';
import { searchIndex, type FusionOptions, type SearchMode } from '../../src/search/index.js';
import { corpusIdOf, type BeirQuery } from './beir.js';
import { mean, mrrAtK, ndcgAtK, percentile, recallAtK } from './metrics.js';

export interface ModeResult {
  mode: SearchMode;
  fusion?: string;
  queries: number;
  ndcg10: number;
  recall100: number;
  mrr10: number;
  meanMs: number;
  p95Ms: number;
}

/** Query vectors are memoised so a fusion sweep measures fusion, not the model; latency runs use it cold. */
export class MemoEmbedder implements Embedder {
  private memo = new Map<string, Float32Array>();
  constructor(private inner: Embedder) {}
  get modelSha256(): string { return this.inner.modelSha256; }
  get modelName(): string { return this.inner.modelName; }
  get dims(): number { return this.inner.dims; }
  get maxTokens(): number { return this.inner.maxTokens; }
  countTokens(t: string): number { return this.inner.countTokens(t); }
  async embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]> {
    const missing = texts.filter((t) => !this.memo.has(kind + t));
    if (missing.length) (await this.inner.embed(missing, kind)).forEach((v, i) => this.memo.set(kind + missing[i], v));
    return texts.map((t) => this.memo.get(kind + t)!);
  }
  async close(): Promise<void> {}
}

export async function evaluateMode(
  store: IndexStore,
  embedder: Embedder | null,
  queries: BeirQuery[],
  qrels: Map<string, Map<string, number>>,
  mode: SearchMode,
  fusion?: FusionOptions,
): Promise<ModeResult> {
  const ndcg: number[] = [];
  const recall: number[] = [];
  const mrr: number[] = [];
  const ms: number[] = [];
  for (const q of queries) {
    const rel = qrels.get(q.id)!;
    const t0 = performance.now();
    const hits = await searchIndex(
      store, mode === 'keyword' ? null : embedder,
      { text: q.text, limit: 100, mode, groupBy: 'document', candidates: 100 },
      fusion ? { fusion } : {},
    );
    ms.push(performance.now() - t0);
    const ranked = hits.map((h) => corpusIdOf(h.path));
    ndcg.push(ndcgAtK(ranked, rel, 10));
    recall.push(recallAtK(ranked, rel, 100));
    mrr.push(mrrAtK(ranked, rel, 10));
  }
  const label = fusion && mode === 'hybrid' ? (fusion.method === 'rrf' ? `rrf k=${fusion.rrfK}` : `convex a=${fusion.alpha}`) : undefined;
  return {
    mode, ...(label ? { fusion: label } : {}), queries: queries.length,
    ndcg10: mean(ndcg), recall100: mean(recall), mrr10: mean(mrr), meanMs: mean(ms), p95Ms: percentile(ms, 95),
  };
}
