// An Embedder that reports each model call's size and duration: the embedding metrics, without the batcher
// knowing about them.
import type { Embedder, EmbedKind } from '../contracts/stages.js';

export type EmbedBatchListener = (texts: number, durationMs: number) => void;

export function timedEmbedder(inner: Embedder, onBatch: EmbedBatchListener | undefined): Embedder {
  if (!onBatch) return inner;
  return {
    get modelSha256() { return inner.modelSha256; },
    get modelName() { return inner.modelName; },
    get dims() { return inner.dims; },
    get maxTokens() { return inner.maxTokens; },
    countTokens: (text: string) => inner.countTokens(text),
    close: () => inner.close(),
    embed: async (texts: string[], kind: EmbedKind) => {
      const started = performance.now();
      const vectors = await inner.embed(texts, kind);
      // A failed call is not timed: it reaches the run as the error it is.
      onBatch(texts.length, performance.now() - started);
      return vectors;
    },
  };
}
