// Progress events for long runs: at most one a second, with throughput and an ETA.
import type { ProgressEvent } from './events.js';

export class ProgressMeter {
  private done = 0;
  private chunks = 0;
  private readonly started = Date.now();
  private lastEmit = 0;

  constructor(private readonly total: number, private readonly emit: (e: ProgressEvent) => void, private readonly everyMs = 1000) {}

  tick(chunks: number): void {
    this.done++;
    this.chunks += chunks;
    const now = Date.now();
    if (now - this.lastEmit < this.everyMs && this.done < this.total) return;
    this.lastEmit = now;
    const elapsedSec = Math.max(0.001, (now - this.started) / 1000);
    const filesPerSec = this.done / elapsedSec;
    this.emit({
      event: 'progress',
      done: this.done,
      total: this.total,
      chunksPerSec: Math.round((this.chunks / elapsedSec) * 10) / 10,
      etaSec: filesPerSec > 0 ? Math.round((this.total - this.done) / filesPerSec) : null,
    });
  }
}
