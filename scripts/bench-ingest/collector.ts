// Collects an ingest's stage intervals and reduces them to wall-time shares: files run concurrently, so a stage's
// share is the union of its intervals (time when at least one file was in it), with the summed time beside it.
import type { IngestStage, StageSink } from '../../src/pipeline/stage-timings.js';

export const STAGES: IngestStage[] = ['walk', 'plan', 'hash', 'extract', 'ocr', 'chunk', 'lookup', 'embed', 'write'];

export interface StageShare {
  stage: IngestStage;
  /** Wall time during which at least one file was in this stage. */
  busyMs: number;
  /** busyMs / the run's wall time. */
  share: number;
  /** Sum over files (exceeds busyMs when files overlap). */
  summedMs: number;
  intervals: number;
}

/** Total length of the union of [start, end) intervals. */
export function unionMs(intervals: [number, number][]): number {
  const s = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of s) {
    if (a > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else if (b > curEnd) curEnd = b;
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export class StageCollector implements StageSink {
  private readonly intervals = new Map<IngestStage, [number, number][]>();
  chunkedTokens = 0;
  embeddedTokens = 0;

  stage(name: IngestStage, startMs: number, endMs: number): void {
    let list = this.intervals.get(name);
    if (!list) this.intervals.set(name, (list = []));
    list.push([startMs, endMs]);
  }

  tokens(chunked: number, embedded: number): void {
    this.chunkedTokens += chunked;
    this.embeddedTokens += embedded;
  }

  shares(wallMs: number): StageShare[] {
    return STAGES.map((stage) => {
      const list = this.intervals.get(stage) ?? [];
      const busyMs = unionMs(list);
      return { stage, busyMs, share: wallMs > 0 ? busyMs / wallMs : 0, summedMs: list.reduce((n, [a, b]) => n + (b - a), 0), intervals: list.length };
    });
  }
}
