// Readiness of a SQLite index: the file opens read-only and passes quick_check (in a worker), its schema is
// current, and its lock file says free, held by a live writer, or stale.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readLock } from '../store/sqlite/lock-file.js';
import { judgeLock, selfIdentity } from '../store/sqlite/lock-holder.js';
import { LOCK_STALE_MS, staleMsFromEnv } from '../store/sqlite/lock.js';
import type { StoreProbe } from './store-probe.js';
import type { CheckOutcome } from './types.js';
import type { ProbeReply } from './sqlite-probe-worker.js';

export function sqliteProbe(file: string): StoreProbe {
  const abs = path.resolve(file);
  return {
    index: (signal) => indexOutcome(abs, signal),
    lock: async () => lockOutcome(abs),
    diskPath: () => path.dirname(abs),
  };
}

function runWorker(file: string, signal: AbortSignal): Promise<ProbeReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./sqlite-probe-worker.js', import.meta.url), { workerData: { file } });
    // A check that timed out must not leave quick_check running on a large file.
    const stop = (): void => void worker.terminate();
    signal.addEventListener('abort', stop, { once: true });
    worker.once('message', (m: ProbeReply) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      signal.removeEventListener('abort', stop);
      reject(new Error(`the probe worker exited with code ${code}`));
    });
  });
}

async function indexOutcome(file: string, signal: AbortSignal): Promise<CheckOutcome> {
  if (!fs.existsSync(file)) return { status: 'unhealthy', message: `no index at ${file}`, details: { path: file } };
  const r = await runWorker(file, signal);
  if (!r.ok) return { status: 'unhealthy', message: r.message, details: { path: file, code: r.code } };
  const details = { path: file, schemaVersion: r.schemaVersion, latestSchemaVersion: r.latest };
  if (r.quickCheck.join() !== 'ok') {
    return { status: 'unhealthy', message: `quick_check failed: ${r.quickCheck.slice(0, 3).join('; ')}`, details: { ...details, quickCheck: r.quickCheck.slice(0, 20) } };
  }
  if (r.schemaVersion < r.latest) {
    return { status: 'degraded', message: `schema version ${r.schemaVersion}, current is ${r.latest}: the next ingest migrates it`, details };
  }
  return { status: 'healthy', message: `opens read-only, quick_check ok, schema version ${r.schemaVersion}`, details };
}

function lockOutcome(dbFile: string): CheckOutcome {
  const lockFile = `${dbFile}.lock`;
  let seen: ReturnType<typeof readLock>;
  try {
    // Something other than a file there (a folder, a socket) can never be replaced by a writer's lock.
    const st = fs.lstatSync(lockFile, { throwIfNoEntry: false });
    if (st && !st.isFile()) {
      return { status: 'unhealthy', message: `${lockFile} is not a file: no writer can lock the index until it is removed`, details: { path: lockFile, state: 'blocked' } };
    }
    seen = readLock(lockFile);
  } catch (err) {
    return { status: 'unhealthy', message: `cannot read the lock file ${lockFile}: ${(err as Error).message}`, details: { path: lockFile } };
  }
  if (seen.state === 'missing') return { status: 'healthy', message: 'free: no writer holds the index', details: { state: 'free' } };
  const staleMs = staleMsFromEnv() ?? LOCK_STALE_MS;
  // Judged exactly as the next writer would judge it: what it may take over is stale.
  const verdict = judgeLock(seen, { dbFile, me: selfIdentity(), staleMs, ownTokens: new Set(), nowMs: Date.now() });
  const holder = seen.state === 'ok'
    ? { pid: seen.info.pid, command: seen.info.command, startedAt: seen.info.startedAt, host: seen.info.host ?? null, heartbeatAt: seen.info.heartbeatAt ?? null }
    : null;
  if (verdict.takeOver) {
    return {
      status: 'degraded',
      message: holder ? `stale: left by pid ${holder.pid} (${holder.command}) since ${holder.startedAt}; the next writer takes it over` : 'stale: an unreadable lock file; the next writer takes it over',
      details: { state: 'stale', holder },
    };
  }
  if (!holder) return { status: 'degraded', message: verdict.message, details: { state: 'unreadable' } };
  return { status: 'healthy', message: `held by a live writer: pid ${holder.pid} (${holder.command}) since ${holder.startedAt}`, details: { state: 'held', holder } };
}
