// The ONNX Runtime embedder: session/device setup, length-sorted padded batches, pooling, window averaging.
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EmbedKind, Embedder } from '../contracts/stages.js';
import type { ModelInfo, ModelOptions } from './options.js';
import { averageNormalized, clsPool, l2Normalize, meanPool } from './pooling.js';
import { TextTokenizer } from './tokenizer.js';

export type Device = 'cpu' | 'cuda';
export type LoadedEmbedder = Embedder & { info: ModelInfo; device: Device };

const CUDA_HINT =
  'The CUDA execution provider needs onnxruntime-node installed with its CUDA binaries ' +
  '(ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci), an NVIDIA driver, CUDA 12 and cuDNN 9. Use --device cpu otherwise.';

/** Whether onnxruntime-node's CUDA provider library is installed (the npm package lists cuda even when it is not). */
function cudaProviderInstalled(): boolean {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    const bin = join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(bin, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * Whether the graph quantises activations at run time (DynamicQuantizeLinear, as in both int8 models).
 * That op takes ONE scale per tensor, i.e. over every row of a batch, so a text's vector depends on
 * which other texts share its batch (measured: up to 2.7e-2 per dim vs running it alone). The op
 * type is stored as plain text in the ONNX protobuf, so a byte scan finds it without parsing.
 */
export async function usesDynamicQuantization(modelFile: string): Promise<boolean> {
  const needle = Buffer.from('DynamicQuantizeLinear');
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(modelFile, { highWaterMark: 1 << 20 })) {
    const buf = Buffer.concat([tail, chunk as Buffer]);
    if (buf.includes(needle)) return true;
    tail = buf.subarray(Math.max(0, buf.length - needle.length + 1));
  }
  return false;
}

export async function createSession(
  modelFile: string,
  opts: Pick<ModelOptions, 'device' | 'threads' | 'log'>,
): Promise<{ session: ort.InferenceSession; device: Device }> {
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  const cpu = async (): Promise<{ session: ort.InferenceSession; device: Device }> => {
    try {
      return { session: await ort.InferenceSession.create(modelFile, { ...base, executionProviders: ['cpu'] }), device: 'cpu' };
    } catch (err) {
      throw new ModelError(`cannot load ONNX model ${modelFile}: ${(err as Error).message}`, 'The file may be damaged: run docproc models pull again.', err);
    }
  };
  if (opts.device === 'cpu') return cpu();
  if (opts.device === 'cuda') {
    try {
      // logSeverityLevel 4 quiets session-level logs; ORT's global logger may still print the provider-load error.
      return { session: await ort.InferenceSession.create(modelFile, { ...base, executionProviders: ['cuda'], logSeverityLevel: 4 }), device: 'cuda' };
    } catch (err) {
      throw new ModelError(`--device cuda: cannot create a CUDA session: ${(err as Error).message.split('\n')[0]}`, CUDA_HINT, err);
    }
  }
  const reported = ort.listSupportedBackends?.().some((b) => b.name === 'cuda') ?? false;
  if (reported && cudaProviderInstalled()) {
    try {
      // logSeverityLevel 4: a failed CUDA probe must not print ORT's native error lines to stderr.
      const s = await ort.InferenceSession.create(modelFile, { ...base, executionProviders: ['cuda'], logSeverityLevel: 4 });
      return { session: s, device: 'cuda' };
    } catch (err) {
      opts.log.info({ reason: (err as Error).message.split('\n')[0] }, 'CUDA unavailable, using CPU');
      return cpu();
    }
  }
  opts.log.info({ reason: reported ? 'CUDA provider library not installed' : 'no CUDA backend in onnxruntime-node' }, 'CUDA unavailable, using CPU');
  return cpu();
}

export class OnnxEmbedder implements LoadedEmbedder {
  readonly modelSha256: string;
  readonly modelName: string;
  readonly maxTokens: number;
  dims: number;
  private readonly hasTokenTypes: boolean;
  private readonly outputName: string;
  /** Runs are serialised: concurrent session.run calls would only fight over the same intra-op threads. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly info: ModelInfo,
    readonly device: Device,
    private readonly session: ort.InferenceSession,
    readonly tokenizer: TextTokenizer,
    private readonly batchSize: number,
    private readonly log: Logger,
  ) {
    this.modelSha256 = info.sha256;
    this.modelName = info.name;
    this.maxTokens = info.maxTokens;
    this.hasTokenTypes = session.inputNames.includes('token_type_ids');
    const names = session.outputNames;
    this.outputName = names.includes('last_hidden_state') ? 'last_hidden_state' : (names[0] ?? 'last_hidden_state');
    const meta = session.outputMetadata.find((m) => m.name === this.outputName);
    const declared = meta && meta.isTensor ? meta.shape[meta.shape.length - 1] : undefined;
    this.dims = info.dims || (typeof declared === 'number' ? declared : 0);
  }

  countTokens(text: string): number {
    return this.tokenizer.countTokens(text);
  }

  embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.embedNow(texts, kind));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async embedNow(texts: string[], kind: EmbedKind): Promise<Float32Array[]> {
    const prefix = (kind === 'query' ? this.info.queryPrefix : this.info.passagePrefix) ?? '';
    const segs: Array<{ owner: number; ids: number[] }> = [];
    texts.forEach((t, owner) => {
      for (const ids of this.tokenizer.segments(t, this.maxTokens, prefix)) segs.push({ owner, ids });
    });
    // Sorting by length keeps batches of similar lengths, so little compute is spent on padding.
    const order = segs.map((_, i) => i).sort((a, b) => segs[a]!.ids.length - segs[b]!.ids.length);
    const vecs: Float32Array[] = new Array<Float32Array>(segs.length);
    for (let i = 0; i < order.length; i += this.batchSize) {
      const idx = order.slice(i, i + this.batchSize);
      const out = await this.runBatch(idx.map((j) => segs[j]!.ids));
      idx.forEach((j, row) => (vecs[j] = out[row]!));
    }
    const perText: Float32Array[][] = texts.map(() => []);
    segs.forEach((s, i) => perText[s.owner]!.push(vecs[i]!));
    if (segs.length > texts.length) this.log.debug({ texts: texts.length, windows: segs.length }, 'long texts embedded as averaged windows');
    return perText.map((vs) => averageNormalized(vs));
  }

  /** One padded batch through the model; returns L2-normalised pooled vectors in input order. */
  async runBatch(batch: number[][]): Promise<Float32Array[]> {
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
      input_ids: new ort.Tensor('int64', ids, [rows, seq]),
      attention_mask: new ort.Tensor('int64', mask, [rows, seq]),
    };
    if (this.hasTokenTypes) feeds['token_type_ids'] = new ort.Tensor('int64', new BigInt64Array(rows * seq), [rows, seq]);
    const result = await this.session.run(feeds);
    const out = result[this.outputName];
    if (!out) throw new ModelError(`model has no output ${this.outputName}`);
    const data = out.data as Float32Array;
    const vecs: Float32Array[] = [];
    if (out.dims.length === 2) {
      // Already pooled by the graph (e.g. a sentence_embedding output).
      const d = Number(out.dims[1]);
      for (let r = 0; r < rows; r++) vecs.push(l2Normalize(data.slice(r * d, (r + 1) * d)));
    } else {
      const d = Number(out.dims[2]);
      const s = Number(out.dims[1]);
      for (let r = 0; r < rows; r++) {
        vecs.push(l2Normalize(this.info.pooling === 'cls' ? clsPool(data, r, s, d) : meanPool(data, r, s, d, mask)));
      }
    }
    if (!this.dims) this.dims = vecs[0]?.length ?? 0;
    return vecs;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.session.release();
  }
}
