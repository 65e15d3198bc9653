// A pool of session worker threads behind the BatchRunner interface: batches go to whichever session is free.
// Every session is the same model with the same settings, so a text's vector does not depend on which ran it.
import { Worker } from 'node:worker_threads';
import { ModelError } from '../errors.js';
import type { BatchRunner } from './embedder.js';
import type { SessionInit, SessionReply, SessionWorkerData } from './session-worker.js';

interface Job {
  batch: number[][];
  resolve: (v: Float32Array[]) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Jobs sent and not yet answered, by message id; the thread runs them in order. */
  sent: Map<number, Job>;
  id: number;
}

/**
 * Jobs a session thread holds at once. With one, a thread that finished waited for the main thread to read its reply
 * and send the next job: the main thread also extracts, chunks and writes, so at 1,000 small files each session sat
 * idle ~20% of the run. A second job queued in the thread starts the moment the first ends.
 */
const DEPTH = 2;

const WORKER_URL = new URL('./session-worker.js', import.meta.url);
let spare: { worker: Worker; drop: () => void } | undefined;

/**
 * Starts a session thread before the model is known: a thread boots and loads onnxruntime in ~80 ms, which then
 * overlaps with the caller's own start-up (config, index, tokenizer) instead of following it. The next pool takes
 * it; unused, it keeps nothing alive.
 */
export function prestartSessionWorker(): void {
  if (spare) return;
  const worker = new Worker(WORKER_URL, { workerData: null });
  worker.unref();
  const drop = (): void => {
    if (spare?.worker === worker) spare = undefined;
  };
  worker.on('error', drop);
  worker.on('exit', drop);
  spare = { worker, drop };
}

function takeSpare(data: SessionWorkerData): Worker | undefined {
  const s = spare;
  spare = undefined;
  if (!s) return undefined;
  s.worker.off('error', s.drop);
  s.worker.off('exit', s.drop);
  s.worker.ref();
  s.worker.postMessage({ init: data } satisfies SessionInit);
  return s.worker;
}

export class SessionPool implements BatchRunner {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private broken: Error | null = null;
  declaredDims = 0;

  private constructor() {}

  /** Starts `size` sessions and waits until each has loaded the model. */
  static async start(size: number, data: SessionWorkerData): Promise<SessionPool> {
    const pool = new SessionPool();
    try {
      await Promise.all(Array.from({ length: size }, () => pool.startOne(data)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  private startOne(data: SessionWorkerData): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = takeSpare(data) ?? new Worker(WORKER_URL, { workerData: data });
      const slot: Slot = { worker, sent: new Map(), id: 0 };
      let ready = false;
      worker.on('message', (m: SessionReply) => {
        if ('failed' in m) return reject(new ModelError(`cannot load ONNX model ${data.modelFile}: ${m.failed}`, 'The file may be damaged: run docproc models pull again.'));
        if ('ready' in m) {
          ready = true;
          this.declaredDims = m.declaredDims;
          this.slots.push(slot);
          this.pump();
          return resolve();
        }
        const job = slot.sent.get(m.id);
        slot.sent.delete(m.id);
        if (job) {
          if (m.error !== undefined) job.reject(new ModelError(`embedding failed: ${m.error}`));
          else job.resolve(m.vectors!);
        }
        this.pump();
      });
      worker.on('error', (err) => this.fail(slot, err, ready ? undefined : reject));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(slot, new Error(`session worker exited with code ${code}`), ready ? undefined : reject);
      });
    });
  }

  /** A session thread that dies takes the model with it: fatal for the run, like a crash of the in-process one. */
  private fail(slot: Slot, err: Error, rejectStart?: (e: unknown) => void): void {
    this.broken ??= new ModelError(`embedding session failed: ${err.message}`);
    rejectStart?.(this.broken);
    for (const job of slot.sent.values()) job.reject(this.broken);
    slot.sent.clear();
    for (const job of this.queue.splice(0)) job.reject(this.broken);
  }

  run(batch: number[][]): Promise<Float32Array[]> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    // Level by level, so two jobs go to two idle sessions, not both to the first.
    for (let depth = 1; depth <= DEPTH; depth++) {
      for (const slot of this.slots) {
        if (slot.sent.size >= depth || !this.queue.length) continue;
        const job = this.queue.shift()!;
        slot.id++;
        slot.sent.set(slot.id, job);
        slot.worker.postMessage({ id: slot.id, batch: job.batch });
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(async (s) => {
      const exited = new Promise<void>((resolve) => s.worker.once('exit', () => resolve()));
      s.worker.postMessage('close');
      // A worker stuck in a run, or already gone, must not hold the close up.
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      await s.worker.terminate();
    }));
    this.slots.length = 0;
  }
}
