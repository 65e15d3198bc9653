// ExtractPool: runs extractFile in reusable child processes so hostile input (hangs, bombs, crashes) only costs one file.
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FileError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { ExtractedDoc } from '../contracts/stages.js';
import type { ExtractOptions } from './index.js';
import type { ChildReply, ChildRequest } from './child-protocol.js';
import { childErrorToFileError } from './child-protocol.js';
import { alive, crashError, exited, fmtSeconds, readRssMB, round } from './pool-process.js';

export { readRssMB };

export interface ExtractPoolOptions {
  /** Concurrent children; default min(2, cores). */
  size?: number;
  /** Wall-clock limit per file; default 120 000 ms. */
  timeoutMs?: number;
  /** RSS ceiling per child (also its V8 heap cap); default 1024 MB. */
  maxMemoryMB?: number;
  extractOptions: ExtractOptions;
  /** Path of the child entry module; tests pass a stub. Default: child.js next to this module. */
  childModule?: string;
  log?: Logger;
  /** RSS poll interval; default 100 ms. */
  pollMs?: number;
  /**
   * After a stop (extractOptions.signal, a per-file signal, or stop()), how long files in flight may finish before
   * their children are killed and they end `skipped: interrupted`; default 10 000 ms. Bounded so a stop never waits
   * out fileTimeoutMs (minutes) per file, well inside systemd's default 90 s stop timeout.
   */
  stopGraceMs?: number;
}

export interface ExtractCallOptions {
  /** Stops this file: not yet started, it ends interrupted at once; in flight, it gets stopGraceMs to finish. */
  signal?: AbortSignal;
}

/** Per-file measurements: peak RSS is sampled from /proc every pollMs, so very short spikes can be missed. */
export interface ExtractStats {
  ms: number;
  /** Highest VmRSS seen for the child while it worked on this file (0 where /proc is unavailable). */
  peakRssMB: number;
}

export type ExtractOutcome =
  | ({ ok: true; doc: ExtractedDoc } & ExtractStats)
  | ({ ok: false; error: Error } & ExtractStats);

interface Task {
  absPath: string;
  resolve: (o: ExtractOutcome) => void;
  reject: (e: unknown) => void;
}

/** A dispatched task: the same object as the queued one, so a per-file signal can find it in its slot. */
type Running = Task & { id: number; started: number; peakRssMB: number; settled: boolean };

interface Slot {
  child: ChildProcess | null;
  task: Running | null;
  timer?: NodeJS.Timeout;
  poller?: NodeJS.Timeout;
  /** Armed by a stop: kills the child if its file is still in flight when the grace period ends. */
  graceTimer?: NodeJS.Timeout;
  /** Why we killed the child, so its exit is reported as timeout/memory rather than a crash. */
  killReason?: FileError;
  stderrTail: string;
}

const DEFAULT_CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
/** After a file, a child whose RSS is above this share of the ceiling is replaced, so leaks don't accumulate. */
const RECYCLE_SHARE = 0.5;

export class ExtractPool {
  readonly size: number;
  readonly timeoutMs: number;
  readonly maxMemoryMB: number;
  readonly stopGraceMs: number;
  /** Highest child RSS seen over the pool's life. */
  peakChildRssMB = 0;
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private readonly childModule: string;
  private readonly opts: Omit<ExtractOptions, 'signal'>;
  private readonly log: Logger;
  private readonly pollMs: number;
  private nextId = 1;
  private closed = false;
  private stopping = false;

  constructor(o: ExtractPoolOptions) {
    this.size = Math.max(1, o.size ?? Math.min(2, availableParallelism()));
    this.timeoutMs = o.timeoutMs ?? 120_000;
    this.maxMemoryMB = o.maxMemoryMB ?? 1024;
    this.childModule = o.childModule ?? DEFAULT_CHILD;
    this.log = o.log ?? silentLogger;
    this.pollMs = o.pollMs ?? 100;
    this.stopGraceMs = Math.max(0, o.stopGraceMs ?? 10_000);
    // An AbortSignal cannot cross IPC; the pool honours it here instead.
    const { signal, ...rest } = o.extractOptions;
    this.opts = rest;
    this.slots = Array.from({ length: this.size }, () => ({ child: null, task: null, stderrTail: '' }));
    if (signal?.aborted) this.stopping = true;
    else signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** The size cap files are checked against, so a caller can skip an oversized file without reading it. */
  get maxFileBytes(): number | undefined {
    return this.opts.maxFileBytes;
  }

  /** Pids of the live children (for diagnostics and tests). */
  get childPids(): number[] {
    return this.slots.flatMap((s) => (s.child?.pid !== undefined && alive(s.child) ? [s.child.pid] : []));
  }

  /** Extract one file; rejects with the FileError (or Error) the file ended in. */
  async extract(absPath: string, o: ExtractCallOptions = {}): Promise<ExtractedDoc> {
    const out = await this.extractWithStats(absPath, o);
    if (!out.ok) throw out.error;
    return out.doc;
  }

  /** Like extract, but never rejects for per-file outcomes and reports time and peak child RSS. */
  extractWithStats(absPath: string, o: ExtractCallOptions = {}): Promise<ExtractOutcome> {
    if (this.closed) return Promise.reject(new Error('ExtractPool is closed'));
    const signal = o.signal;
    if (this.stopping || signal?.aborted) return Promise.resolve(notStarted());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.interrupt(task);
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      const task: Task = {
        absPath,
        resolve: (out) => { done(); resolve(out); },
        reject: (err) => { done(); reject(err); },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.pump();
    });
  }

  /**
   * Stop taking files (Ctrl-C, SIGTERM): queued files end `skipped: interrupted` now, without starting; files in
   * flight get stopGraceMs to finish, then their children are killed and they end `skipped: interrupted` too.
   */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.queue.splice(0)) t.resolve(notStarted());
    for (const slot of this.slots) this.armGrace(slot);
  }

  /**
   * Starts up to `n` children now, before any file is sent: a child takes ~150 ms to boot and load the extractors,
   * which then overlaps with the caller's own start-up (the model load) instead of delaying the first file.
   */
  warm(n = this.slots.length): void {
    for (const slot of this.slots.slice(0, n)) {
      if (this.closed || (slot.child && alive(slot.child))) continue;
      this.hold(this.spawn(slot), false);
    }
  }

  /** Kill every child and wait for each to be reaped; queued files are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const live = this.slots.flatMap((s) => (s.child && alive(s.child) ? [s.child] : []));
    for (const c of live) this.hold(c, true); // idle children are unref'd: without this we'd exit before seeing them die
    const exits = live.map(exited);
    this.abortAll(new Error('ExtractPool closed'));
    await Promise.all(exits);
  }

  /** One file's signal fired: drop it if queued, else give it the grace period. */
  private interrupt(task: Task): void {
    const i = this.queue.indexOf(task);
    if (i >= 0) {
      this.queue.splice(i, 1);
      task.resolve(notStarted());
      return;
    }
    const slot = this.slots.find((s) => s.task === task);
    if (slot) this.armGrace(slot);
  }

  private armGrace(slot: Slot): void {
    const t = slot.task;
    if (!t || t.settled || slot.graceTimer) return;
    const reason = new FileError('skipped', 'interrupted', `stopped after the ${fmtSeconds(this.stopGraceMs)} grace period; retried on the next run`);
    slot.graceTimer = setTimeout(() => {
      slot.graceTimer = undefined;
      if (slot.task === t) this.killFor(slot, reason);
    }, this.stopGraceMs);
  }

  private abortAll(reason: unknown): void {
    for (const t of this.queue.splice(0)) t.reject(reason);
    for (const slot of this.slots) {
      const task = slot.task;
      this.finish(slot);
      if (task) task.reject(reason);
      this.kill(slot);
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.closed || this.stopping || this.queue.length === 0) return;
      if (slot.task) continue;
      const task = this.queue.shift()!;
      this.dispatch(slot, task);
    }
  }

  private spawn(slot: Slot): ChildProcess {
    const child = fork(this.childModule, [], {
      execArgv: [`--max-old-space-size=${this.maxMemoryMB}`],
      // stdout is results-only in the CLI, so the child gets none; stderr is kept for crash diagnostics.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    slot.child = child;
    slot.stderrTail = '';
    slot.killReason = undefined;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      slot.stderrTail = (slot.stderrTail + s).slice(-4096);
      this.log.debug({ pid: child.pid, stderr: s.trimEnd().slice(0, 2000) }, 'extract child stderr');
    });
    child.on('message', (m: ChildReply) => this.onReply(slot, child, m));
    child.on('error', (err) => this.onGone(slot, child, null, null, err));
    // 'close', not 'exit': it waits for stderr to drain, which crashError reads.
    child.on('close', (code, sig) => this.onGone(slot, child, code, sig));
    this.log.debug({ pid: child.pid }, 'extract child started');
    return child;
  }

  /** Busy children keep the parent's event loop alive; idle ones don't, so a forgotten close() can't hang a CLI. */
  private hold(child: ChildProcess, busy: boolean): void {
    type Handle = { ref?(): void; unref?(): void } | null | undefined;
    for (const h of [child, child.channel, child.stderr as Handle] as Handle[]) {
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  }

  private dispatch(slot: Slot, task: Task): void {
    const child = slot.child && alive(slot.child) ? slot.child : this.spawn(slot);
    this.hold(child, true);
    const id = this.nextId++;
    slot.task = Object.assign(task, { id, started: Date.now(), peakRssMB: 0, settled: false });
    slot.timer = setTimeout(() => {
      this.killFor(slot, new FileError('quarantined', 'timeout', `extraction exceeded ${fmtSeconds(this.timeoutMs)}`));
    }, this.timeoutMs);
    // The first sample after one interval: the child's size before this file is known from its last reply.
    const t = slot.task;
    slot.poller = setTimeout(() => this.poll(slot, child, t), this.pollMs);
    const req: ChildRequest = { id, absPath: task.absPath, opts: this.opts };
    child.send(req, (err) => {
      if (err) this.log.debug({ err: err.message }, 'send to extract child failed'); // its exit handler reports it
    });
  }

  /** A timeout chain, not setInterval: samples never overlap, and near the ceiling they come faster to limit overshoot. */
  private poll(slot: Slot, child: ChildProcess, task: Slot['task']): void {
    void this.sample(slot, child).then((rss) => {
      if (slot.task !== task || !task || task.settled || slot.child !== child) return;
      const delay = rss > this.maxMemoryMB * 0.5 ? Math.min(this.pollMs, 20) : this.pollMs;
      slot.poller = setTimeout(() => this.poll(slot, child, task), delay);
    });
  }

  private async sample(slot: Slot, child: ChildProcess): Promise<number> {
    if (child.pid === undefined) return 0;
    const rss = await readRssMB(child.pid);
    const t = slot.task;
    if (!t || t.settled || slot.child !== child) return rss;
    if (rss > t.peakRssMB) t.peakRssMB = rss;
    if (rss > this.peakChildRssMB) this.peakChildRssMB = rss;
    if (rss > this.maxMemoryMB) {
      this.killFor(slot, new FileError('quarantined', 'memory', `extraction exceeded ${this.maxMemoryMB} MB`));
    }
    return rss;
  }

  private killFor(slot: Slot, reason: FileError): void {
    if (!slot.task || slot.task.settled || slot.killReason) return;
    slot.killReason = reason;
    this.log.warn({ file: slot.task.absPath, reason: reason.reason, pid: slot.child?.pid }, 'killing extract child');
    slot.child?.kill('SIGKILL'); // the exit handler settles the task
  }

  private kill(slot: Slot): void {
    const child = slot.child;
    slot.child = null;
    if (child && alive(child)) child.kill('SIGKILL');
  }

  private onReply(slot: Slot, child: ChildProcess, m: ChildReply): void {
    const t = slot.task;
    if (slot.child !== child || !t || t.settled || m.id !== t.id || slot.killReason) return; // late reply: already settled
    t.settled = true; // from here neither the timer, the poller nor a stop may kill this child for this file
    clearTimers(slot);
    void (m.rssMB !== undefined ? Promise.resolve(m.rssMB) : readRssMB(child.pid ?? 0)).then((rss) => {
      if (rss > this.peakChildRssMB) this.peakChildRssMB = rss;
      const stats = { ms: Date.now() - t.started, peakRssMB: round(Math.max(t.peakRssMB, rss)) };
      if (slot.task === t) slot.task = null;
      this.hold(child, false);
      if (rss > this.maxMemoryMB * RECYCLE_SHARE && slot.child === child) {
        this.log.debug({ pid: child.pid, rss }, 'recycling extract child');
        this.kill(slot);
      }
      if (m.ok) t.resolve({ ok: true, doc: m.doc, ...stats });
      else t.resolve({ ok: false, error: childErrorToFileError(m), ...stats });
      this.pump();
    });
  }

  private onGone(slot: Slot, child: ChildProcess, code: number | null, sig: NodeJS.Signals | null, err?: Error): void {
    if (slot.child !== child) return;
    slot.child = null;
    const t = slot.task;
    if (t && !t.settled) {
      t.settled = true;
      const error = slot.killReason ?? crashError(code, sig, slot.stderrTail, err);
      this.finish(slot);
      this.log.warn({ file: t.absPath, reason: error instanceof FileError ? error.reason : error.message }, 'extract child died');
      t.resolve({ ok: false, error, ms: Date.now() - t.started, peakRssMB: round(t.peakRssMB) });
    }
    this.pump();
  }

  private finish(slot: Slot): void {
    clearTimers(slot);
    slot.task = null;
  }
}

function clearTimers(slot: Slot): void {
  clearTimeout(slot.timer);
  clearTimeout(slot.poller);
  clearTimeout(slot.graceTimer);
  slot.graceTimer = undefined;
}

/** A file the stop reached before it started: nothing ran, so nothing is measured. */
function notStarted(): ExtractOutcome {
  return { ok: false, error: new FileError('skipped', 'interrupted', 'not started; retried on the next run'), ms: 0, peakRssMB: 0 };
}
