// Small statistics for the store benchmark: latency summaries, medians, recall of one id list against another.
import { performance } from 'node:perf_hooks';
import { mean, percentile } from '../retrieval/metrics.js';

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  mean: number;
}

export function latency(ms: readonly number[]): Latency {
  return { n: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), mean: mean(ms) };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** |found ∩ truth| / |truth|, truth cut to k. */
export function recall(found: readonly number[], truth: readonly number[], k: number): number {
  const t = truth.slice(0, k);
  if (!t.length) return 1;
  const f = new Set(found.slice(0, k));
  return t.filter((id) => f.has(id)).length / t.length;
}

/** Runs fn and returns [result, elapsed ms]. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

export const progress = (msg: string): void => {
  process.stderr.write(`[bench-stores ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
