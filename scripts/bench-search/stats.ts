// Small statistics helpers for the benchmarks: percentiles over milliseconds and counts.

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export interface Latency {
  n: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

export function latency(ms: number[]): Latency {
  const mean = ms.reduce((a, b) => a + b, 0) / (ms.length || 1);
  return { n: ms.length, p50Ms: round(percentile(ms, 50)), p95Ms: round(percentile(ms, 95)), meanMs: round(mean) };
}

export function spread(xs: number[]): { p50: number; p95: number; max: number } {
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.length ? Math.max(...xs) : NaN };
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
