// Reads a local sentence-transformers ONNX export (--model-dir): finds the files, infers pooling/dims/maxTokens.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ModelError } from '../errors.js';
import { sha256File } from './cache.js';
import type { ModelInfo, ModelOptions } from './options.js';
import type { Pooling } from './registry.js';

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function findOnnx(dir: string): string | undefined {
  for (const c of ['model.onnx', 'onnx/model.onnx', 'model_quantized.onnx', 'onnx/model_quantized.onnx']) {
    if (existsSync(join(dir, c))) return join(dir, c);
  }
  for (const sub of [dir, join(dir, 'onnx')]) {
    if (!existsSync(sub)) continue;
    const onnx = readdirSync(sub).filter((f) => f.endsWith('.onnx'));
    if (onnx.length === 1 && onnx[0]) return join(sub, onnx[0]);
  }
  return undefined;
}

/**
 * Settings come from, in rising priority: config.json (hidden_size, max_position_embeddings),
 * sentence-transformers' sentence_bert_config.json and 1_Pooling/config.json, docproc-model.json,
 * then the explicit pooling/maxTokens options. dims 0 means "unknown: probe the model".
 */
export async function loadModelDir(opts: ModelOptions): Promise<ModelInfo> {
  const dir = resolve(opts.modelDir ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelError(`--model-dir ${dir} is not a folder`, 'Point it at a sentence-transformers ONNX export (model .onnx + tokenizer.json).');
  }
  const modelFile = findOnnx(dir);
  const tokenizerFile = join(dir, 'tokenizer.json');
  if (!modelFile || !existsSync(tokenizerFile)) {
    throw new ModelError(
      `${dir} lacks ${modelFile ? '' : 'a model .onnx file (model.onnx or onnx/model.onnx) '}${existsSync(tokenizerFile) ? '' : 'tokenizer.json'}`.trim(),
      'A sentence-transformers ONNX export has model.onnx (or onnx/model.onnx) and tokenizer.json.',
    );
  }
  const cfg = readJson(join(dir, 'config.json')) ?? {};
  const st = readJson(join(dir, 'sentence_bert_config.json')) ?? {};
  const pool = readJson(join(dir, '1_Pooling', 'config.json')) ?? {};
  const own = readJson(join(dir, 'docproc-model.json')) ?? {};

  let pooling: Pooling = 'mean';
  if (pool['pooling_mode_cls_token'] === true) pooling = 'cls';
  else if (pool['pooling_mode_mean_tokens'] === true) pooling = 'mean';
  if (own['pooling'] === 'cls' || own['pooling'] === 'mean') pooling = own['pooling'];
  if (opts.pooling) pooling = opts.pooling;

  const maxTokens =
    opts.maxTokens ?? num(own['maxTokens']) ?? num(st['max_seq_length']) ?? num(cfg['max_position_embeddings']) ?? 512;
  const dims = num(own['dims']) ?? num(pool['word_embedding_dimension']) ?? num(cfg['hidden_size']) ?? 0;
  if (!opts.maxTokens && !own['maxTokens'] && !st['max_seq_length']) {
    opts.log.warn({ dir, maxTokens }, 'model folder gives no max_seq_length; using the position-embedding limit');
  }
  return {
    name: str(own['name']) ?? basename(dir),
    sha256: await sha256File(modelFile),
    tokenizerSha256: await sha256File(tokenizerFile),
    sizeBytes: statSync(modelFile).size,
    dims,
    pooling,
    maxTokens,
    source: `model-dir:${dir}`,
    path: dir,
    queryPrefix: str(own['queryPrefix']),
    passagePrefix: str(own['passagePrefix']),
    modelFile,
    tokenizerFile,
  };
}
