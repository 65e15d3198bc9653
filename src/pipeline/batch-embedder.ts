// Batches embedding requests from many files into full model calls, and counts what was embedded.
import type { Embedder, EmbedKind } from './types.js';

interface Pending {
  texts: string[];
  resolve: (v: Float32Array[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Small files give one chunk each; embedding them one call per file wastes the model.
 * Requests made in one tick share a call of up to batchSize texts; while maxInFlight calls run, requests queue up.
 */
export class BatchEmbedder {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  modelCalls = 0;
  embeddedTexts = 0;
  /**
   * Vectors of chunk texts embedded earlier in this run (or in flight), by chunk sha256: identical texts (a
   * document repeated inside a PDF, a disclaimer in every file of a share) reach the model once per run, not
   * once per copy. Bounded, oldest first out: 20k vectors of 384 floats are about 30 MB.
   */
  private readonly seen = new Map<string, Promise<Float32Array>>();

  /** `maxInFlight`: model calls running at once; about one per parallel session, plus one being prepared. */
  constructor(private readonly inner: Embedder, private readonly batchSize: number, private readonly memoLimit = 20_000,
    private readonly maxInFlight = 2) {}

  /**
   * Vectors for chunks, each distinct text embedded once per run. `fresh` counts the texts that went to the
   * model for this call; the rest came from this run's memo.
   */
  async embedChunks(chunks: { sha256: string; text: string }[]): Promise<{ vectors: Float32Array[]; fresh: number }> {
    const toEmbed: { sha256: string; text: string }[] = [];
    const waits = new Map<string, Promise<Float32Array>>();
    const queued = new Set<string>();
    for (const c of chunks) {
      if (waits.has(c.sha256) || queued.has(c.sha256)) continue;
      const known = this.seen.get(c.sha256);
      if (known) waits.set(c.sha256, known);
      else {
        queued.add(c.sha256);
        toEmbed.push(c);
      }
    }
    if (toEmbed.length) {
      const batch = this.embed(toEmbed.map((c) => c.text));
      toEmbed.forEach((c, i) => {
        const one = batch.then((v) => v[i]!);
        waits.set(c.sha256, one);
        this.remember(c.sha256, one);
      });
      // A failed call must not poison the memo: later copies try the model again.
      batch.catch(() => toEmbed.forEach((c) => this.seen.delete(c.sha256)));
    }
    const vectors = await Promise.all(chunks.map((c) => waits.get(c.sha256)!));
    return { vectors, fresh: toEmbed.length };
  }

  private remember(sha256: string, v: Promise<Float32Array>): void {
    this.seen.set(sha256, v);
    if (this.seen.size > this.memoLimit) this.seen.delete(this.seen.keys().next().value!);
  }

  embed(texts: string[], _kind: EmbedKind = 'passage'): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, resolve, reject });
      if (!this.scheduled) {
        // One tick's worth of requests share a call.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /**
   * Starts calls while fewer than `maxInFlight` run. One call at a time left the sessions idle between calls
   * (measured: 16% of each session's time at 1,000 small files): a call's texts split unevenly over the
   * sessions, and the next call was tokenised only after the last text came back. The runner queues what it
   * cannot start, and a vector never depends on which call carried its text.
   */
  private drain(): void {
    while (this.queue.length && this.inFlight < this.maxInFlight) {
      const batch: Pending[] = [];
      let n = 0;
      while (this.queue.length && (n === 0 || n + this.queue[0]!.texts.length <= this.batchSize)) {
        const p = this.queue.shift()!;
        batch.push(p);
        n += p.texts.length;
      }
      const all = batch.flatMap((p) => p.texts);
      this.modelCalls++;
      this.embeddedTexts += all.length;
      this.inFlight++;
      this.inner.embed(all, 'passage').then((vectors) => {
        let at = 0;
        for (const p of batch) {
          p.resolve(vectors.slice(at, at + p.texts.length));
          at += p.texts.length;
        }
      }, (err: unknown) => {
        for (const p of batch) p.reject(err);
      }).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }
}
