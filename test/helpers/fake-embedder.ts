// A deterministic fake embedder for unit tests: hashed bag of words, through the real Embedder interface.
import { createHash } from 'node:crypto';
import type { Embedder, EmbedKind } from '../../src/pipeline/types.js';

export class FakeEmbedder implements Embedder {
  modelSha256 = 'fake-model-sha';
  modelName = 'fake';
  calls = 0;
  embeddedTexts: string[] = [];
  constructor(public dims = 64, public maxTokens = 128) {}

  countTokens(text: string): number {
    return text.split(/\s+/).filter(Boolean).length + 2;
  }

  async embed(texts: string[], _kind: EmbedKind): Promise<Float32Array[]> {
    this.calls++;
    this.embeddedTexts.push(...texts);
    return texts.map((t) => this.vector(t));
  }

  vector(text: string): Float32Array {
    const v = new Float32Array(this.dims);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const h = createHash('md5').update(word).digest();
      v[h.readUInt16LE(0) % this.dims]! += 1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }

  async close(): Promise<void> {}
}
