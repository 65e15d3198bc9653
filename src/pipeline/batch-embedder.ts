// Batches embedding requests from many files into full model calls, and counts what was embedded.
import type { Embedder, EmbedKind } from './types.js';

interface Pending {
  texts: string[];
  resolve: (v: Float32Array[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Small files give one chunk each; embedding them one call per file wastes the model.
 * While a call runs, requests queue up; the next call takes up to batchSize texts from the queue.
 */
export class BatchEmbedder {
  private queue: Pending[] = [];
  private busy = false;
  modelCalls = 0;
  embeddedTexts = 0;

  constructor(private readonly inner: Embedder, private readonly batchSize: number) {}

  embed(texts: string[], _kind: EmbedKind = 'passage'): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, resolve, reject });
      if (!this.busy) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length) {
        const batch: Pending[] = [];
        let n = 0;
        while (this.queue.length && (n === 0 || n + this.queue[0]!.texts.length <= this.batchSize)) {
          const p = this.queue.shift()!;
          batch.push(p);
          n += p.texts.length;
        }
        const all = batch.flatMap((p) => p.texts);
        try {
          this.modelCalls++;
          this.embeddedTexts += all.length;
          const vectors = await this.inner.embed(all, 'passage');
          let at = 0;
          for (const p of batch) {
            p.resolve(vectors.slice(at, at + p.texts.length));
            at += p.texts.length;
          }
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
