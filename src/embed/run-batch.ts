// One padded batch of token ids through an ONNX session, pooled and L2-normalised: shared by the in-process
// embedder and the session worker threads, so both give the same vectors.
import type * as ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import { clsPool, l2Normalize, meanPool } from './pooling.js';
import type { Pooling } from './registry.js';

export interface SessionShape {
  hasTokenTypes: boolean;
  outputName: string;
}

export function sessionShape(session: ort.InferenceSession): SessionShape {
  const names = session.outputNames;
  return {
    hasTokenTypes: session.inputNames.includes('token_type_ids'),
    outputName: names.includes('last_hidden_state') ? 'last_hidden_state' : (names[0] ?? 'last_hidden_state'),
  };
}

export async function runPooledBatch(
  ortLib: typeof ort, session: ort.InferenceSession, shape: SessionShape, pooling: Pooling, batch: number[][],
): Promise<Float32Array[]> {
  const rows = batch.length;
  const seq = Math.max(...batch.map((b) => b.length));
  const ids = new BigInt64Array(rows * seq);
  const mask = new BigInt64Array(rows * seq);
  batch.forEach((b, r) => {
    for (let t = 0; t < b.length; t++) {
      ids[r * seq + t] = BigInt(b[t]!);
      mask[r * seq + t] = 1n;
    }
  });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ortLib.Tensor('int64', ids, [rows, seq]),
    attention_mask: new ortLib.Tensor('int64', mask, [rows, seq]),
  };
  if (shape.hasTokenTypes) feeds['token_type_ids'] = new ortLib.Tensor('int64', new BigInt64Array(rows * seq), [rows, seq]);
  const result = await session.run(feeds);
  const out = result[shape.outputName];
  if (!out) throw new ModelError(`model has no output ${shape.outputName}`);
  const data = out.data as Float32Array;
  const vecs: Float32Array[] = [];
  if (out.dims.length === 2) {
    // Already pooled by the graph (e.g. a sentence_embedding output).
    const d = Number(out.dims[1]);
    for (let r = 0; r < rows; r++) vecs.push(l2Normalize(data.slice(r * d, (r + 1) * d)));
  } else {
    const d = Number(out.dims[2]);
    const s = Number(out.dims[1]);
    for (let r = 0; r < rows; r++) vecs.push(l2Normalize(pooling === 'cls' ? clsPool(data, r, s, d) : meanPool(data, r, s, d, mask)));
  }
  return vecs;
}
