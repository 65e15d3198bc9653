// The index lock: one writer (ingest or watch) per index; stale locks of dead processes are taken over.
import fs from 'node:fs';
import { LockedError } from '../errors.js';

interface LockInfo {
  pid: number;
  startedAt: string;
  command: string;
}

export interface IndexLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function tryAcquire(file: string, command: string): LockInfo | null {
  const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), command };
  try {
    // O_EXCL: exactly one process creates the file.
    const fd = fs.openSync(file, 'wx');
    fs.writeSync(fd, JSON.stringify(info));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = readLock(file);
  if (holder && holder.pid !== process.pid && alive(holder.pid)) return holder;
  // Stale (dead holder or unreadable half-written file): take it over via rename, which is atomic.
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(info));
  const recheck = readLock(file);
  if (recheck && recheck.pid !== holder?.pid && alive(recheck.pid)) {
    fs.rmSync(tmp, { force: true });
    return recheck;
  }
  fs.renameSync(tmp, file);
  return null;
}

/** Takes the lock, or throws LockedError; with waitSeconds, polls until then. */
export async function acquireLock(dbFile: string, command: string, waitSeconds = 0): Promise<IndexLock> {
  const file = `${dbFile}.lock`;
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const holder = tryAcquire(file, command);
    if (!holder) break;
    if (Date.now() >= deadline) {
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
