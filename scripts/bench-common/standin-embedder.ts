// A fast, deterministic stand-in for the ONNX model behind the real Embedder interface, shared by the ingest,
// search and store benchmarks: hashed bag of words (sublinear tf, stop words dropped) projected to `dims` by a
// fixed random ±1 matrix, L2-normalised. Texts that share words get close vectors, so KNN and HNSW behave as on
// structured data rather than on uniform noise.
import { createHash } from 'node:crypto';
import type { Embedder, EmbedKind } from '../../src/contracts/stages.js';
import type { ModelIdentitySource } from '../../src/contracts/identity.js';
import { STOPWORDS } from '../../src/text/query-terms.js';

/** Seeded 32-bit PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class StandInEmbedder implements Embedder {
  readonly modelName = 'bench-hash-projection';
  readonly modelSha256 = createHash('sha256').update('bench-hash-projection-v1').digest('hex');
  readonly maxTokens = 512;
  private readonly basis = new Map<string, Float32Array>();

  /** `stopwords`: bench:stores passes the list its kept indexes were built with, so their vectors stay the same. */
  constructor(readonly dims = 384, private readonly stopwords: ReadonlySet<string> = STOPWORDS) {}

  /** About what a WordPiece tokenizer gives for English prose: 1.3 tokens a word, plus [CLS]/[SEP]. */
  countTokens(text: string): number {
    let words = 0;
    for (const _ of text.matchAll(/\S+/g)) words++;
    return Math.ceil(words * 1.3) + 2;
  }

  async embed(texts: string[], _kind: EmbedKind): Promise<Float32Array[]> {
    return texts.map((t) => this.vector(t));
  }

  vector(text: string): Float32Array {
    const tf = new Map<string, number>();
    for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
      const w = m[0];
      if (w.length < 2 || this.stopwords.has(w)) continue;
      tf.set(w, (tf.get(w) ?? 0) + 1);
    }
    const v = new Float32Array(this.dims);
    for (const [w, n] of tf) {
      const weight = 1 + Math.log(n);
      const r = this.row(w);
      for (let i = 0; i < this.dims; i++) v[i]! += weight * r[i]!;
    }
    let norm = 0;
    for (let i = 0; i < this.dims; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < this.dims; i++) v[i]! /= norm;
    return v;
  }

  private row(word: string): Float32Array {
    let r = this.basis.get(word);
    if (!r) {
      const next = seededRandom(fnv1a(word));
      r = new Float32Array(this.dims);
      for (let i = 0; i < this.dims; i++) r[i] = next() < 0.5 ? -1 : 1;
      this.basis.set(word, r);
    }
    return r;
  }

  async close(): Promise<void> {}
}

/**
 * Serves vectors computed beforehand, under a given model identity: search latency then excludes the query
 * embedding, and an index bound to the real model's identity (for `docproc search` end to end) accepts it.
 */
export class PrecomputedEmbedder implements Embedder {
  constructor(private readonly vectors: Map<string, Float32Array>, readonly info: ModelIdentitySource) {}
  get modelName(): string { return this.info.name; }
  get modelSha256(): string { return this.info.sha256; }
  get dims(): number { return this.info.dims; }
  get maxTokens(): number { return this.info.maxTokens; }
  countTokens(t: string): number {
    return t.split(/\s+/).length + 2;
  }
  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => {
      const v = this.vectors.get(t);
      if (!v) throw new Error(`no precomputed vector for query "${t}"`);
      return v;
    });
  }
  async close(): Promise<void> {}
}

/** The stand-in's identity, as a model's: what an index built with it records. */
export function standInIdentitySource(e: StandInEmbedder): ModelIdentitySource {
  return { name: e.modelName, sha256: e.modelSha256, dims: e.dims, pooling: 'mean', maxTokens: e.maxTokens };
}
