// Watch mode: a catch-up sync, then debounced syncs through the same ingest path as file changes arrive.
import path from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { compileGlobs } from './glob.js';
import { DEFAULT_IGNORES } from './discover.js';
import { ingest, followIndex } from './ingest.js';
import { openEmbedder, ingestSessions } from './resources.js';
import { openConfiguredStore } from '../store/open-store.js';
import type { IngestEvent, IngestSummary } from './events.js';
import type { Embedder } from './types.js';

export interface WatchOptions {
  /** Config keys the user set: see IngestOptions.explicitKeys. */
  explicitKeys?: Set<string>;
  paths: string[];
  config: Config;
  log: Logger;
  debounceMs: number;
  signal: AbortSignal;
  embedder?: Embedder;
  onEvent?: (e: IngestEvent | SyncEvent) => void;
  /** Told each embedding model call's size and duration (metrics). */
  onEmbedBatch?: (texts: number, durationMs: number) => void;
  /** Told how many changes wait for the next sync, whenever that changes (metrics). */
  onQueueDepth?: (pending: number) => void;
}

export interface SyncEvent {
  event: 'sync';
  trigger: 'startup' | 'changes';
  changes: number;
  /** From the first change of the batch to the moment it is searchable. */
  lagMs: number | null;
  summary: IngestSummary;
}

export async function watch(o: WatchOptions): Promise<void> {
  // One store and one writer role for the watcher's lifetime; every sync goes through them.
  const store = await openConfiguredStore(o.config, { onWarning: (m) => o.log.warn(m) });
  const writer = await store.acquireWriter('watch').catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const roots = o.paths.map((p) => path.resolve(p));
  let embedder: Embedder | undefined;
  let watcher: FSWatcher | undefined;
  try {
    if (o.explicitKeys) o = { ...o, config: await followIndex(store, o.config, o.explicitKeys) };
    embedder = o.embedder ?? (await openEmbedder(o.config, o.log, undefined, { sessions: ingestSessions(o.config) }));
    const sync = async (trigger: SyncEvent['trigger'], changes: number, firstChangeAt: number | null): Promise<void> => {
      if (o.signal.aborted) return;
      const summary = await ingest({ paths: roots, config: o.config, log: o.log, embedder, store, writer, command: 'watch', signal: o.signal, onEmbedBatch: o.onEmbedBatch, onEvent: (e) => {
        if (e.event === 'file' && e.status !== 'unchanged') o.onEvent?.(e);
        else if (e.event === 'root') o.log.warn({ root: e.path, reason: e.reason }, 'deletions held back');
      } });
      const lagMs = firstChangeAt === null ? null : Date.now() - firstChangeAt;
      o.log.info({ trigger, changes, lagMs, indexed: summary.indexed, updated: summary.updated, removed: summary.removed, moved: summary.moved, failed: summary.failed }, 'watch sync');
      o.onEvent?.({ event: 'sync', trigger, changes, lagMs, summary });
    };
    // Watch first, then catch up: a change made during the catch-up sync, or right after its `sync` event,
    // is seen (it triggers a sync once the catch-up ends) instead of falling between the two.
    watcher = startWatcher(roots, o.config);
    await new Promise<void>((resolve) => watcher!.once('ready', () => resolve()));
    await runLoop(watcher, o, sync);
  } finally {
    await watcher?.close();
    if (!o.embedder) await embedder?.close();
    await writer.release();
    await store.close();
  }
}

const WRITE_FINISH_MS = 200;

function startWatcher(roots: string[], config: Config): FSWatcher {
  const ignoredGlob = compileGlobs([...DEFAULT_IGNORES, ...config.ignore]);
  const dbFiles = new Set(['', '-wal', '-shm', '.lock'].map((ext) => path.resolve(config.db) + ext));
  return chokidarWatch(roots, {
    ignoreInitial: true,
    followSymlinks: false,
    atomic: true,
    // Write-finish detection: a file still being written is not read half-way.
    awaitWriteFinish: { stabilityThreshold: WRITE_FINISH_MS, pollInterval: 50 },
    ignored: (p: string) => {
      if (dbFiles.has(p) || p.includes(`${path.resolve(config.db)}.reembed-`)) return true;
      const root = roots.find((r) => p === r || p.startsWith(r + path.sep));
      if (!root || p === root) return false;
      return ignoredGlob(path.relative(root, p).split(path.sep).join('/'));
    },
  });
}

/** Changes are batched: a burst of 1,000 files is one sync, not 1,000. Errors are logged and retried. */
function runLoop(watcher: FSWatcher, o: WatchOptions, sync: (t: SyncEvent['trigger'], n: number, first: number | null) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = 0;
    let firstAt: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    // The catch-up sync runs first; changes arriving meanwhile wait for it. If it fails, watch fails.
    let running: Promise<void> | null = sync('startup', 0, null).then(
      () => {
        running = null;
      },
      (err: unknown) => {
        stopped = true;
        clearTimeout(timer);
        reject(err as Error);
      },
    );
    const fire = (): void => {
      if (stopped || o.signal.aborted) return;
      if (running) {
        schedule();
        return;
      }
      const n = pending;
      const first = firstAt;
      pending = 0;
      firstAt = null;
      o.onQueueDepth?.(0);
      running = sync('changes', n, first)
        .catch((err: unknown) => {
          o.log.error({ err: (err as Error).message }, 'watch sync failed; will retry');
          pending += n;
          firstAt ??= first;
          o.onQueueDepth?.(pending);
          schedule(Math.max(o.debounceMs, 2000));
        })
        .finally(() => {
          running = null;
        });
    };
    // A rename is unlink + add, but the add is held back by write-finish detection: a sync right after the
    // unlink would remove the document, and the add would then embed it again instead of moving it.
    let holdUntil = 0;
    // A steady stream of changes must not postpone syncs for ever: at most 10 debounces after the first change.
    const maxWaitMs = Math.max(o.debounceMs * 10, 5000);
    const schedule = (ms = o.debounceMs): void => {
      clearTimeout(timer);
      const overdue = firstAt !== null ? firstAt + maxWaitMs - Date.now() : Infinity;
      timer = setTimeout(fire, Math.max(0, Math.min(Math.max(ms, holdUntil - Date.now()), overdue)));
    };
    watcher.on('all', (event, file) => {
      o.log.debug({ event, file }, 'change');
      if (event === 'unlink' || event === 'unlinkDir') holdUntil = Date.now() + WRITE_FINISH_MS + 250;
      pending++;
      o.onQueueDepth?.(pending);
      firstAt ??= Date.now();
      schedule();
    });
    watcher.on('error', (err) => o.log.error({ err: (err as Error).message }, 'watcher error'));
    const stop = (): void => {
      stopped = true;
      clearTimeout(timer);
      void (running ?? Promise.resolve()).then(() => resolve());
    };
    // A signal may already have arrived (during model load or the catch-up): an abort listener added now never fires.
    if (o.signal.aborted) stop();
    else o.signal.addEventListener('abort', stop, { once: true });
  });
}
