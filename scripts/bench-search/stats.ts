// Small statistics helpers for the search benchmark: latency summaries over milliseconds, spreads of counts.
import { mean, percentile as nearestRank } from '../retrieval/metrics.js';

/** Nearest-rank percentile; NaN for no samples (a table then shows that nothing was measured, not 0 ms). */
export const percentile = (xs: number[], p: number): number => (xs.length ? nearestRank(xs, p) : NaN);

export interface Latency {
  n: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

export function latency(ms: number[]): Latency {
  return { n: ms.length, p50Ms: round(percentile(ms, 50)), p95Ms: round(percentile(ms, 95)), meanMs: round(mean(ms)) };
}

export function spread(xs: number[]): { p50: number; p95: number; max: number } {
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.length ? Math.max(...xs) : NaN };
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
