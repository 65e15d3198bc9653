// The index lock: one writer (ingest or watch) per index, across processes, pid namespaces and hosts sharing the folder.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LockedError, UsageError } from '../../errors.js';
import { linkNew, readLock, withGuard, writeTemp, type LockInfo } from './lock-file.js';
import { judgeLock, selfIdentity, type ProcessIdentity } from './lock-holder.js';
import { startHeartbeat } from './lock-heartbeat.js';

/** A holder we cannot prove dead (another host, boot or pid namespace) keeps the lock while its heartbeat is younger. */
export const LOCK_STALE_MS = 60_000;
const MIN_STALE_MS = 200;

export interface LockOptions {
  /** Default: DOCPROC_LOCK_STALE_MS, else LOCK_STALE_MS. */
  staleMs?: number;
  /** Default: a quarter of staleMs, so that three missed beats in a row still leave the lock ours. */
  heartbeatMs?: number;
}

export interface IndexLock {
  /** Deletes the lock file only while it still holds this lock's token; idempotent. */
  release(): void;
  readonly token: string;
}

/** Locks this process holds now: a second acquire of the same index in-process is refused, not taken over. */
const ownTokens = new Set<string>();

/**
 * DOCPROC_LOCK_STALE_MS is read here, below cli/, because every caller of acquireLock (ingest, watch,
 * re-embed) would otherwise thread the same value through; the staleMs option still wins.
 */
export function staleMsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['DOCPROC_LOCK_STALE_MS'];
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < MIN_STALE_MS) {
    throw new UsageError(`DOCPROC_LOCK_STALE_MS must be a number of milliseconds, at least ${MIN_STALE_MS}: got ${raw}`);
  }
  return ms;
}

type Attempt = { won: LockInfo } | { heldBy: string } | 'busy';

interface AttemptContext {
  file: string;
  dbFile: string;
  command: string;
  me: ProcessIdentity;
  staleMs: number;
}

function newInfo(c: AttemptContext): LockInfo {
  const now = new Date().toISOString();
  const { pid, procStart, host, bootId, pidNs } = c.me;
  return { token: randomUUID(), pid, procStart, host, bootId, pidNs, command: c.command, startedAt: now, heartbeatAt: now };
}

/** One attempt: we hold the lock, someone else does (the message says who), or a lock is changing hands (retry). */
function tryAcquire(c: AttemptContext): Attempt {
  const info = newInfo(c);
  const tmp = writeTemp(c.file, info);
  try {
    if (linkNew(tmp, c.file)) return { won: info };
    const judge = (): Attempt | undefined => {
      const seen = readLock(c.file);
      if (seen.state === 'missing') return 'busy'; // released just now: link again
      const v = judgeLock(seen, { dbFile: c.dbFile, me: c.me, staleMs: c.staleMs, ownTokens, nowMs: Date.now() });
      return v.takeOver ? undefined : { heldBy: v.message };
    };
    const first = judge();
    if (first) return first;
    // Takeover: judge again under the guard, then rename over the lock (atomic). Two takers that both saw the
    // stale lock serialise here, and the second one sees the first one's fresh lock.
    const r = withGuard(c.file, (): Attempt => {
      const again = judge();
      if (again === 'busy') return linkNew(tmp, c.file) ? { won: info } : 'busy';
      if (again) return again;
      fs.renameSync(tmp, c.file);
      return { won: info };
    });
    return r;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Takes the lock, or throws LockedError; with waitSeconds, polls until then. */
export async function acquireLock(dbFile: string, command: string, waitSeconds = 0, signal?: AbortSignal, o: LockOptions = {}): Promise<IndexLock> {
  fs.mkdirSync(path.dirname(path.resolve(dbFile)), { recursive: true });
  const staleMs = o.staleMs ?? staleMsFromEnv() ?? LOCK_STALE_MS;
  const c: AttemptContext = { file: `${dbFile}.lock`, dbFile, command, me: selfIdentity(), staleMs };
  const deadline = Date.now() + waitSeconds * 1000;
  let info: LockInfo;
  for (;;) {
    const a = tryAcquire(c);
    if (a === 'busy') {
      // A lock is changing hands: settle before judging (bounded by the guard's expiry).
      await sleep(50);
      continue;
    }
    if ('won' in a) {
      info = a.won;
      break;
    }
    if (Date.now() >= deadline || signal?.aborted) throw new LockedError(a.heldBy);
    await sleep(250);
  }
  return holdLock(c.file, info, o.heartbeatMs ?? Math.max(50, Math.floor(staleMs / 4)));
}

/** How long release waits for a takeover in progress; the lock is left for its takers if that never ends. */
const RELEASE_GUARD_WAIT_MS = 2_000;

function holdLock(file: string, info: LockInfo, heartbeatMs: number): IndexLock {
  const token = info.token!;
  ownTokens.add(token);
  const heartbeat = startHeartbeat(file, info, heartbeatMs);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    heartbeat.stop();
    process.off('exit', release);
    try {
      // Compare the token, not the pid: a process in another pid namespace may have our pid and the lock.
      // Under the guard, nobody can replace the file between the check and the unlink. If the guard stays
      // busy, the file is left: it names our (exiting) pid, and takers judge it like any other.
      withGuard(file, () => {
        const cur = readLock(file);
        if (cur.state === 'ok' && cur.info.token === token) fs.rmSync(file, { force: true });
      }, RELEASE_GUARD_WAIT_MS);
    } catch {
      // The folder went away or turned read-only: nothing of ours is left to delete.
    } finally {
      ownTokens.delete(token);
    }
  };
  process.once('exit', release);
  return { release, token };
}
