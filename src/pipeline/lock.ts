// The index lock: one writer (ingest or watch) per index; stale locks of dead processes are taken over.
import fs from 'node:fs';
import path from 'node:path';
import { LockedError } from '../errors.js';

interface LockInfo {
  pid: number;
  startedAt: string;
  command: string;
  /** The holder's start time in clock ticks since boot (Linux): tells a live holder from a reused pid. */
  procStart?: string;
}

export interface IndexLock {
  release(): void;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function procStartOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The holder still runs: its pid exists and, where known, was started when the lock was taken (not reused). */
function holderAlive(h: LockInfo): boolean {
  if (!pidExists(h.pid)) return false;
  const now = h.procStart ? procStartOf(h.pid) : undefined;
  return now === undefined || now === h.procStart;
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * One attempt: null when we now hold the lock, the live holder when someone else does, 'busy' when another
 * process is mid-takeover (retry shortly).
 */
function tryAcquire(file: string, command: string): LockInfo | 'busy' | null {
  const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), command, procStart: procStartOf(process.pid) };
  // The lock file appears with its whole content (write a private file, then link it into place: link fails
  // with EEXIST like O_EXCL). With openSync('wx') + write, a second process could read the still-empty file,
  // judge it stale and take it over: two writers.
  // Helper files are dotfiles: discovery and watch ignore them when the index lives inside a watched root.
  const hidden = (suffix: string): string => path.join(path.dirname(file), `.${path.basename(file)}.${suffix}`);
  const tmp = hidden(String(process.pid));
  fs.writeFileSync(tmp, JSON.stringify(info));
  try {
    fs.linkSync(tmp, file);
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const holder = readLock(file);
  if (holder && holder.pid !== process.pid && holderAlive(holder)) return holder;
  if (!holder && ageMs(file) < 2000) return 'busy'; // unreadable and fresh: not ours to judge yet
  // Stale (dead holder, or unreadable and old). Takers serialise on <lock>.takeover (link = O_EXCL), re-check
  // under it, then rename over the lock (atomic). Without this, two processes that both saw the dead pid would
  // both rename and both run.
  const guard = hidden('takeover');
  fs.writeFileSync(tmp, JSON.stringify(info));
  try {
    try {
      fs.linkSync(tmp, guard);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (ageMs(guard) > 10_000) fs.rmSync(guard, { force: true }); // a taker died mid-takeover
      return 'busy';
    }
    try {
      const recheck = readLock(file);
      if (recheck && recheck.pid !== process.pid && holderAlive(recheck)) return recheck;
      if (!recheck && fs.existsSync(file) && ageMs(file) < 2000) return 'busy';
      fs.renameSync(tmp, file);
      return null;
    } finally {
      fs.rmSync(guard, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** Takes the lock, or throws LockedError; with waitSeconds, polls until then. */
export async function acquireLock(dbFile: string, command: string, waitSeconds = 0, signal?: AbortSignal): Promise<IndexLock> {
  fs.mkdirSync(path.dirname(path.resolve(dbFile)), { recursive: true });
  const file = `${dbFile}.lock`;
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const holder = tryAcquire(file, command);
    if (!holder) break;
    if (holder === 'busy') {
      // Someone is mid-takeover of a stale lock: settle before judging (bounded by the guard's 10 s expiry).
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (Date.now() >= deadline || signal?.aborted) {
      throw new LockedError(`index ${dbFile} is locked by pid ${holder.pid} (${holder.command}) since ${holder.startedAt}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    const holder = readLock(file);
    if (holder?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  process.once('exit', release);
  return { release };
}
