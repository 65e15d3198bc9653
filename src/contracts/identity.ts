// The embedding identity: everything that changes a stored vector, and the one check that refuses to mix them.
import { IndexMismatchError } from '../errors.js';
import type { Embedder } from './stages.js';

export interface EmbeddingIdentity {
  modelName: string;
  modelSha256: string;
  /** Absent only in indexes written before docproc recorded it (filled in on their next write). */
  tokenizerSha256?: string;
  /** 0 while unknown (a --model-dir export that declares no size): the first embedding fills it in. */
  dims: number;
  pooling?: 'mean' | 'cls';
  normalize?: boolean;
  queryPrefix?: string;
  passagePrefix?: string;
  maxTokens?: number;
  chunkTokens: number;
  chunkOverlap: number;
}

/** What a model contributes to the identity; ModelInfo and a loaded embedder's info both fit. */
export interface ModelIdentitySource {
  name: string;
  sha256: string;
  tokenizerSha256?: string;
  dims: number;
  pooling: 'mean' | 'cls';
  maxTokens: number;
  queryPrefix?: string;
  passagePrefix?: string;
}

export function identityOf(model: ModelIdentitySource, chunk: { chunkTokens: number; chunkOverlap: number }): EmbeddingIdentity {
  return {
    modelName: model.name,
    modelSha256: model.sha256,
    ...(model.tokenizerSha256 ? { tokenizerSha256: model.tokenizerSha256 } : {}),
    dims: model.dims,
    pooling: model.pooling,
    // Every vector docproc writes is L2-normalised (cosine = dot product); recorded so a change shows.
    normalize: true,
    queryPrefix: model.queryPrefix ?? '',
    passagePrefix: model.passagePrefix ?? '',
    maxTokens: model.maxTokens,
    chunkTokens: chunk.chunkTokens,
    chunkOverlap: chunk.chunkOverlap,
  };
}

/** A loaded ONNX embedder carries its model info; an injected one (tests, benchmarks) has the basics. */
export function embedderIdentity(e: Embedder, chunk: { chunkTokens: number; chunkOverlap: number }): EmbeddingIdentity {
  const info = (e as Embedder & { info?: ModelIdentitySource }).info;
  if (info) return identityOf({ ...info, dims: e.dims }, chunk);
  return { modelName: e.modelName, modelSha256: e.modelSha256, dims: e.dims, maxTokens: e.maxTokens, chunkTokens: chunk.chunkTokens, chunkOverlap: chunk.chunkOverlap };
}

type Field = { key: keyof EmbeddingIdentity; label: string; show?: (v: unknown) => string };
const short = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 12) : String(v));
const quoted = (v: unknown): string => JSON.stringify(v ?? '');
const FIELDS: Field[] = [
  { key: 'modelSha256', label: 'model sha256', show: short },
  { key: 'tokenizerSha256', label: 'tokenizer sha256', show: short },
  { key: 'dims', label: 'dimensions' },
  { key: 'pooling', label: 'pooling' },
  { key: 'normalize', label: 'normalisation' },
  { key: 'queryPrefix', label: 'query prefix', show: quoted },
  { key: 'passagePrefix', label: 'passage prefix', show: quoted },
  { key: 'maxTokens', label: 'max tokens' },
  { key: 'chunkTokens', label: 'chunk tokens' },
  { key: 'chunkOverlap', label: 'chunk overlap' },
];

/**
 * The differences that would mix vectors, as "field X, not Y" phrases. A field the index does not record
 * (older indexes) or the run cannot know yet (dims before the model is loaded) is not a difference.
 */
export function identityDiff(have: EmbeddingIdentity, want: EmbeddingIdentity): string[] {
  const out: string[] = [];
  for (const f of FIELDS) {
    const a = have[f.key];
    const b = want[f.key];
    if (a === undefined || b === undefined) continue;
    if (f.key === 'dims' && (a === 0 || b === 0)) continue;
    if (a !== b) {
      const show = f.show ?? String;
      out.push(`${f.label} ${show(a)}, not ${show(b)}`);
    }
  }
  return out;
}

/** The single check every command uses: refuse a run whose vectors would not match the index's. */
export function assertSameIdentity(where: string, have: EmbeddingIdentity | undefined, want: EmbeddingIdentity, hint?: string): void {
  if (!have) return;
  const diffs = identityDiff(have, want);
  if (!diffs.length) return;
  throw new IndexMismatchError(
    `index ${where} was built with model ${have.modelName}; this run differs: ${diffs.join('; ')}. Refusing to mix vectors`,
    hint,
  );
}

/** The stored identity with what an older index did not record filled in from a matching run. */
export function completeIdentity(have: EmbeddingIdentity, want: EmbeddingIdentity): EmbeddingIdentity {
  const out: EmbeddingIdentity = { ...have };
  for (const f of FIELDS) {
    const key = f.key;
    if ((out[key] === undefined || (key === 'dims' && out.dims === 0)) && want[key] !== undefined) {
      (out as unknown as Record<string, unknown>)[key] = want[key];
    }
  }
  return out;
}
