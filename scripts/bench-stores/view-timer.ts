// Where a search's time goes: wraps the IndexView methods of each store's view class with timers, so the
// benchmark can say which calls (keyword, vector, count, hit rows...) make one store slower than the other.
import { performance } from 'node:perf_hooks';

const METHODS = ['hasChunks', 'identity', 'hasVectors', 'filterableDocuments', 'keywordCandidates', 'vectorCandidates', 'chunkRows', 'chunkSimilarity'] as const;

type Proto = Record<string, unknown>;

export class ViewTimer {
  /** `${bucket}` -> method -> total ms. */
  private totals = new Map<string, Map<string, number>>();
  private bucket: string | null = null;
  private restore: (() => void)[] = [];

  /** Times every IndexView method of these classes (their prototypes), until release(). */
  wrap(protos: Proto[]): void {
    for (const proto of protos) {
      for (const m of METHODS) {
        const original = proto[m] as (...args: unknown[]) => Promise<unknown>;
        if (typeof original !== 'function') continue;
        const timer = this;
        proto[m] = async function (this: unknown, ...args: unknown[]) {
          const t0 = performance.now();
          try {
            return await original.apply(this, args);
          } finally {
            timer.add(m, performance.now() - t0);
          }
        };
        this.restore.push(() => (proto[m] = original));
      }
    }
  }

  /** Calls from now on count towards this bucket (null: not counted). */
  into(bucket: string | null): void {
    this.bucket = bucket;
  }

  private add(method: string, ms: number): void {
    if (this.bucket === null) return;
    let m = this.totals.get(this.bucket);
    if (!m) this.totals.set(this.bucket, (m = new Map()));
    m.set(method, (m.get(method) ?? 0) + ms);
  }

  /** Mean ms per search in each method, for a bucket that saw `searches` searches. */
  perSearch(bucket: string, searches: number): Record<string, number> {
    const m = this.totals.get(bucket) ?? new Map<string, number>();
    return Object.fromEntries([...m].map(([k, v]) => [k, Number((v / searches).toFixed(2))]));
  }

  release(): void {
    for (const r of this.restore.reverse()) r();
    this.restore = [];
  }
}
