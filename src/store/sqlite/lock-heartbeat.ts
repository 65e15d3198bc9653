// The lock holder's heartbeat: a fresh heartbeatAt (and mtime) tells takers on other hosts or namespaces it still runs.
import fs from 'node:fs';
import { readLock, withGuard, writeTemp, type LockInfo } from './lock-file.js';

export interface Heartbeat {
  stop(): void;
}

export function startHeartbeat(file: string, info: LockInfo, intervalMs: number): Heartbeat {
  const beat = (): void => {
    let tmp: string | undefined;
    try {
      tmp = writeTemp(file, { ...info, heartbeatAt: new Date().toISOString() });
      const still = withGuard(file, () => {
        const cur = readLock(file);
        // Taken over (we were silent too long) or removed: never write a lock that is no longer ours.
        if (cur.state !== 'ok' || cur.info.token !== info.token) return false;
        fs.renameSync(tmp!, file); // whole content at once, and a new mtime
        return true;
      });
      if (still === false) clearInterval(timer);
    } catch {
      // A failed beat (disk full, a share gone for a moment) is retried at the next tick: the lock turns stale
      // only after several missed beats, and throwing here would crash the holder from a timer.
    } finally {
      if (tmp) fs.rmSync(tmp, { force: true });
    }
  };
  const timer = setInterval(beat, intervalMs);
  // The heartbeat never keeps the process alive: the holder's own work does, and release stops it.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
