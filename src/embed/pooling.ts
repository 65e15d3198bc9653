// Pure vector math for embeddings: mean/CLS pooling over a [batch, seq, dims] output, L2 normalisation, averaging.

/** Mean of the token vectors where the mask is 1 (sentence-transformers' mean pooling), for one batch row. */
export function meanPool(hidden: Float32Array, row: number, seq: number, dims: number, mask: ArrayLike<number | bigint>): Float32Array {
  const out = new Float32Array(dims);
  // Accumulate in float64: 512 tokens of float32 sums lose digits the 1e-4 reference tolerance can notice.
  const acc = new Float64Array(dims);
  let n = 0;
  for (let t = 0; t < seq; t++) {
    if (Number(mask[row * seq + t]) === 0) continue;
    n++;
    const base = (row * seq + t) * dims;
    for (let d = 0; d < dims; d++) acc[d]! += hidden[base + d]!;
  }
  const div = Math.max(n, 1e-9);
  for (let d = 0; d < dims; d++) out[d] = acc[d]! / div;
  return out;
}

/** The first token's vector ([CLS]) for one batch row. */
export function clsPool(hidden: Float32Array, row: number, seq: number, dims: number): Float32Array {
  const base = row * seq * dims;
  return hidden.slice(base, base + dims);
}

/** L2-normalises in place (a zero vector stays zero) and returns it. */
export function l2Normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 1e-12) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

/** Element-wise mean of equal-length vectors, then L2-normalised: how a text's token windows are combined. */
export function averageNormalized(vs: readonly Float32Array[]): Float32Array {
  const first = vs[0];
  if (!first) throw new Error('averageNormalized needs at least one vector');
  if (vs.length === 1) return first;
  const acc = new Float64Array(first.length);
  for (const v of vs) for (let i = 0; i < acc.length; i++) acc[i]! += v[i]!;
  const out = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = acc[i]! / vs.length;
  return l2Normalize(out);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}
