// The ONNX Runtime embedder: session/device setup, length-sorted padded batches, pooling, window averaging.
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import './ort-env.js'; // before the first require('onnxruntime-node') below
import { ModelError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EmbedKind, Embedder } from '../contracts/stages.js';
import type { ModelInfo, ModelOptions } from './options.js';
import { averageNormalized } from './pooling.js';
import { runPooledBatch, sessionShape, type SessionShape } from './run-batch.js';
import { TextTokenizer } from './tokenizer.js';

export type Device = 'cpu' | 'cuda';

const require = createRequire(import.meta.url);
// Loaded on first use: a CPU search builds its session on a worker thread, so the main thread never needs it.
let ortLib: typeof Ort | undefined;
const ort = (): typeof Ort => (ortLib ??= require('onnxruntime-node') as typeof Ort);
export type LoadedEmbedder = Embedder & { info: ModelInfo; device: Device };

const CUDA_HINT =
  "The CUDA execution provider needs onnxruntime-node's CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci, or the " +
  'libonnxruntime_providers_cuda.so and _shared.so of the onnxruntime-gpu wheel of the same version copied beside its ' +
  'libonnxruntime.so.1), an NVIDIA driver, and the CUDA libraries that build links on LD_LIBRARY_PATH (for 1.30: CUDA 13 ' +
  'cuBLAS, cudart and cuRAND; see the README). Use --device cpu otherwise.';

/** Whether --device auto would try CUDA: onnxruntime-node reports it and its provider library is installed. */
export function cudaLikely(): boolean {
  return cudaProviderInstalled() && (ort().listSupportedBackends?.().some((b) => b.name === 'cuda') ?? false);
}

/** Whether onnxruntime-node's CUDA provider library is installed (the npm package lists cuda even when it is not). */
function cudaProviderInstalled(): boolean {
  try {
    const main = require.resolve('onnxruntime-node');
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
): Promise<{ session: Ort.InferenceSession; device: Device }> {
  const base: Ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  const cpu = async (): Promise<{ session: Ort.InferenceSession; device: Device }> => {
    try {
      return { session: await ort().InferenceSession.create(modelFile, { ...base, executionProviders: ['cpu'] }), device: 'cpu' };
    } catch (err) {
      throw new ModelError(`cannot load ONNX model ${modelFile}: ${(err as Error).message}`, 'The file may be damaged: run docproc models pull again.', err);
    }
  };
  if (opts.device === 'cpu') return cpu();
  if (opts.device === 'cuda') {
    try {
      // logSeverityLevel 4 quiets session-level logs; ORT's global logger may still print the provider-load error.
      return { session: await ort().InferenceSession.create(modelFile, { ...base, executionProviders: ['cuda'], logSeverityLevel: 4 }), device: 'cuda' };
    } catch (err) {
      throw new ModelError(`--device cuda: cannot create a CUDA session: ${(err as Error).message.split('\n')[0]}`, CUDA_HINT, err);
    }
  }
  const reported = ort().listSupportedBackends?.().some((b) => b.name === 'cuda') ?? false;
  if (reported && cudaProviderInstalled()) {
    try {
      // logSeverityLevel 4: a failed CUDA probe must not print ORT's native error lines to stderr.
      const s = await ort().InferenceSession.create(modelFile, { ...base, executionProviders: ['cuda'], logSeverityLevel: 4 });
      return { session: s, device: 'cuda' };
    } catch (err) {
      opts.log.info({ reason: (err as Error).message.split('\n')[0] }, 'CUDA unavailable, using CPU');
      return cpu();
    }
  }
  opts.log.info({ reason: reported ? 'CUDA provider library not installed' : 'no CUDA backend in onnxruntime-node' }, 'CUDA unavailable, using CPU');
  return cpu();
}

/** Runs padded batches of token ids; the in-process session, or a pool of session worker threads. */
export interface BatchRunner {
  run(batch: number[][]): Promise<Float32Array[]>;
  /** Model dimension as declared by the graph, when it is (0 otherwise). */
  readonly declaredDims: number;
  close(): Promise<void>;
}

/** The session on this thread; runs are serialised, since concurrent runs only fight over its threads. */
export class InProcessRunner implements BatchRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly shape: SessionShape;
  readonly declaredDims: number;

  constructor(private readonly session: Ort.InferenceSession, private readonly pooling: ModelInfo['pooling']) {
    this.shape = sessionShape(session);
    const meta = session.outputMetadata.find((m) => m.name === this.shape.outputName);
    const declared = meta && meta.isTensor ? meta.shape[meta.shape.length - 1] : undefined;
    this.declaredDims = typeof declared === 'number' ? declared : 0;
  }

  run(batch: number[][]): Promise<Float32Array[]> {
    const r = this.queue.then(() => runPooledBatch(ort(), this.session, this.shape, this.pooling, batch));
    this.queue = r.catch(() => undefined);
    return r;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.session.release();
  }
}

export class OnnxEmbedder implements LoadedEmbedder {
  readonly modelSha256: string;
  readonly modelName: string;
  readonly maxTokens: number;
  dims: number;

  constructor(
    readonly info: ModelInfo,
    readonly device: Device,
    private readonly runner: BatchRunner,
    readonly tokenizer: TextTokenizer,
    private readonly batchSize: number,
    private readonly log: Logger,
  ) {
    this.modelSha256 = info.sha256;
    this.modelName = info.name;
    this.maxTokens = info.maxTokens;
    this.dims = info.dims || runner.declaredDims;
  }

  countTokens(text: string): number {
    return this.tokenizer.countTokens(text);
  }

  async embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]> {
    const prefix = (kind === 'query' ? this.info.queryPrefix : this.info.passagePrefix) ?? '';
    const segs: Array<{ owner: number; ids: number[] }> = [];
    texts.forEach((t, owner) => {
      for (const ids of this.tokenizer.segments(t, this.maxTokens, prefix)) segs.push({ owner, ids });
    });
    // Sorting by length keeps batches of similar lengths, so little compute is spent on padding.
    const order = segs.map((_, i) => i).sort((a, b) => segs[a]!.ids.length - segs[b]!.ids.length);
    const vecs: Float32Array[] = new Array<Float32Array>(segs.length);
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += this.batchSize) batches.push(order.slice(i, i + this.batchSize));
    // All batches at once: a pool of sessions runs them in parallel; a single session queues them.
    await Promise.all(batches.map(async (idx) => {
      const out = await this.runner.run(idx.map((j) => segs[j]!.ids));
      idx.forEach((j, row) => (vecs[j] = out[row]!));
    }));
    if (!this.dims) this.dims = vecs[0]?.length ?? 0;
    const perText: Float32Array[][] = texts.map(() => []);
    segs.forEach((sg, i) => perText[sg.owner]!.push(vecs[i]!));
    if (segs.length > texts.length) this.log.debug({ texts: texts.length, windows: segs.length }, 'long texts embedded as averaged windows');
    return perText.map((vs) => averageNormalized(vs));
  }

  async close(): Promise<void> {
    await this.runner.close();
  }
}
