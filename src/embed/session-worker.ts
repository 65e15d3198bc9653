// A worker thread owning one single-threaded ONNX session: several of them embed different texts at once,
// which is what a CPU gives when one short sequence cannot keep two cores busy.
import { parentPort, workerData } from 'node:worker_threads';
import './ort-env.js'; // before onnxruntime-node: it reads the telemetry switch when it loads
import * as ort from 'onnxruntime-node';
import { runPooledBatch, sessionShape } from './run-batch.js';
import type { Pooling } from './registry.js';

export interface SessionWorkerData {
  modelFile: string;
  pooling: Pooling;
  intraOpThreads: number;
}

export type SessionRequest = { id: number; batch: number[][] };
export type SessionReply = { id: number; vectors?: Float32Array[]; error?: string } | { ready: true; declaredDims: number } | { failed: string };

export type SessionInit = { init: SessionWorkerData };

const port = parentPort!;

/** The model comes with the thread, or (a thread started early, while the caller still resolves it) as a message. */
function sessionData(): Promise<SessionWorkerData> {
  if (workerData) return Promise.resolve(workerData as SessionWorkerData);
  return new Promise((resolve) => port.once('message', (m: SessionInit) => resolve(m.init)));
}

async function main(): Promise<void> {
  const data = await sessionData();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(data.modelFile, {
      intraOpNumThreads: data.intraOpThreads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionProviders: ['cpu'],
    });
  } catch (err) {
    port.postMessage({ failed: (err as Error).message } satisfies SessionReply);
    return;
  }
  const shape = sessionShape(session);
  const meta = session.outputMetadata.find((m) => m.name === shape.outputName);
  const declared = meta && meta.isTensor ? meta.shape[meta.shape.length - 1] : undefined;
  port.postMessage({ ready: true, declaredDims: typeof declared === 'number' ? declared : 0 } satisfies SessionReply);
  port.on('message', (m: SessionRequest | 'close') => {
    if (m === 'close') {
      void session.release().finally(() => port.close());
      return;
    }
    runPooledBatch(ort, session, shape, data.pooling, m.batch).then(
      (vectors) => port.postMessage({ id: m.id, vectors } satisfies SessionReply, vectors.map((v) => v.buffer as ArrayBuffer)),
      (err: unknown) => port.postMessage({ id: m.id, error: (err as Error).message } satisfies SessionReply),
    );
  });
}

void main();
