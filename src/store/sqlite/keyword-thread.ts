// The main side of the keyword thread (keyword-thread-worker.ts): a hybrid search sends its keyword half there and
// runs its vector half meanwhile. Measured with bench:search (see the README), the two halves then cost about the
// longer of the two instead of their sum.
import { Worker } from 'node:worker_threads';
import type { Candidate } from '../../contracts/index-store.js';
import { ThreadState, type KeywordReply, type KeywordRequest, type KeywordThreadData } from './keyword-thread-protocol.js';

const WORKER_URL = new URL('./keyword-thread-worker.js', import.meta.url);

export interface ThreadCandidates {
  candidates: Candidate[];
  /** The chunk write counter of the thread's snapshot (keyword-index.ts chunkChanges). */
  changes: number | undefined;
}

/**
 * One thread per open index, started by its second hybrid search (a store opened for one search, as the library's
 * search() does, never pays for it) and used once it is up: a thread and its connection take ~30 ms to start, which
 * a one-off search would only wait for. It keeps nothing alive (unref'd) and goes with the store's close(). A
 * thread that fails to start or answer is not tried again; callers then run the keyword half themselves.
 */
export class KeywordThread {
  private worker?: Worker;
  private state?: Int32Array;
  private failed = false;
  private asked = 0;
  private nextId = 0;
  /** Queries the thread answered, and answers set aside because its snapshot held other chunks (for tests, benchmarks). */
  answered = 0;
  stale = 0;
  private readonly waiting = new Map<number, { resolve: (r: ThreadCandidates) => void; reject: (e: Error) => void }>();

  constructor(private readonly file: string) {}

  /** Whether queries go to the thread now; the second call starts it, and calls answer false until it is up. */
  available(): boolean {
    if (this.failed) return false;
    if (!this.worker) {
      if (++this.asked < 2) return false;
      this.start();
    }
    const state = Atomics.load(this.state!, 0);
    if (state === ThreadState.Failed) void this.stop(new Error('keyword thread could not open the index'));
    return state === ThreadState.Ready && !this.failed;
  }

  query(text: string, allowed: number[] | null, limit: number): Promise<ThreadCandidates> {
    const worker = this.worker;
    if (!worker || this.failed) return Promise.reject(new Error('keyword thread not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref(); // a query in flight keeps the process alive until it is answered
      worker.postMessage({ id, text, allowed, limit } satisfies KeywordRequest);
    });
  }

  async close(): Promise<void> {
    await this.stop(new Error('keyword thread closed'));
  }

  private start(): void {
    const shared = new SharedArrayBuffer(4);
    this.state = new Int32Array(shared);
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file, state: shared } satisfies KeywordThreadData });
    worker.unref();
    this.worker = worker;
    worker.on('message', (m: KeywordReply) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (!this.waiting.size) worker.unref();
      if (m.error !== undefined || !m.candidates) w?.reject(new Error(m.error ?? 'no candidates'));
      else {
        this.answered++;
        w?.resolve({ candidates: m.candidates, changes: m.changes });
      }
    });
    worker.on('error', (err) => void this.stop(err));
    worker.on('exit', () => void this.stop(new Error('keyword thread exited')));
  }

  /** Rejects the queries in flight and ends the thread, once; close() awaits the end. */
  private stop(err: Error): Promise<number> | undefined {
    if (this.failed) return undefined;
    this.failed = true;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    const ended = this.worker?.terminate();
    this.worker = undefined;
    return ended;
  }
}
