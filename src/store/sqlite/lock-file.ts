// The index lock file on disk: what it records, whole-content writes, and the guard that serialises changes to it.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

// Every field but pid/command/startedAt is optional: files written by older versions lack them.
const lockInfoSchema = z.object({
  /** Random per acquisition: release and heartbeat touch the file only while it still holds this token. */
  token: z.string().optional(),
  pid: z.number().int().positive(),
  /** The holder's start time in clock ticks since boot (Linux): tells a live holder from a reused pid. */
  procStart: z.string().optional(),
  host: z.string().optional(),
  /** /proc/sys/kernel/random/boot_id: a pid means nothing across a reboot or another machine of the same name. */
  bootId: z.string().optional(),
  /** readlink /proc/self/ns/pid, e.g. 'pid:[4026531836]': a pid means nothing in another container. */
  pidNs: z.string().optional(),
  command: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string().optional(),
});

export type LockInfo = z.infer<typeof lockInfoSchema>;

export type LockRead =
  | { state: 'missing' }
  | { state: 'unreadable'; mtimeMs: number }
  | { state: 'ok'; info: LockInfo; mtimeMs: number };

/** A taker that died inside the guard leaves it behind; the guarded steps take milliseconds. */
const GUARD_EXPIRY_MS = 10_000;

/** Helper files are dotfiles: discovery and watch ignore them when the index lives inside a watched root. */
export function helperPath(file: string, suffix: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${suffix}`);
}

export function readLock(file: string): LockRead {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw err;
  }
  try {
    // One descriptor for both: a rename between a stat and a read would pair one file's mtime with another's content.
    const mtimeMs = fs.fstatSync(fd).mtimeMs;
    try {
      const parsed = lockInfoSchema.safeParse(JSON.parse(fs.readFileSync(fd, 'utf8')));
      return parsed.success ? { state: 'ok', info: parsed.data, mtimeMs } : { state: 'unreadable', mtimeMs };
    } catch {
      return { state: 'unreadable', mtimeMs };
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes info to a fresh private file, to be linked or renamed into place: the lock file only ever appears
 * with its whole content. The name is random, not the pid: two holders in different pid namespaces may
 * share a pid, and a shared temp name would let one publish the other's content.
 */
export function writeTemp(file: string, info: LockInfo): string {
  const tmp = helperPath(file, `tmp-${randomUUID()}`);
  fs.writeFileSync(tmp, JSON.stringify(info));
  return tmp;
}

/** link(2) fails with EEXIST like O_EXCL, and also on NFS: true when tmp is now the lock. */
export function linkNew(tmp: string, file: string): boolean {
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs fn while holding <lock>.takeover, or returns 'busy' when another process holds it for longer than
 * waitMs. Takeover, heartbeat and release all change an existing lock under it, so a holder's heartbeat
 * cannot land on top of a takeover, nor two takers both replace the same stale lock.
 */
export function withGuard<T>(file: string, fn: () => T, waitMs = 0): T | 'busy' {
  const guard = helperPath(file, 'takeover');
  const deadline = Date.now() + waitMs;
  const mine = helperPath(file, `guard-${randomUUID()}`);
  fs.writeFileSync(mine, String(process.pid));
  try {
    while (!linkNew(mine, guard)) {
      dropAbandonedGuard(guard);
      if (Date.now() >= deadline) return 'busy';
      sleepSync(20);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  try {
    return fn();
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/**
 * Removes a guard older than GUARD_EXPIRY_MS. It is moved aside and checked there rather than deleted by
 * name: two processes that both saw the abandoned guard would otherwise let the slower one delete the
 * guard the faster one had just taken.
 */
function dropAbandonedGuard(guard: string): void {
  let ino: number;
  try {
    const st = fs.statSync(guard);
    if (Date.now() - st.mtimeMs <= GUARD_EXPIRY_MS) return;
    ino = st.ino;
  } catch {
    return;
  }
  const aside = `${guard}-${randomUUID()}`;
  try {
    fs.renameSync(guard, aside);
  } catch {
    return; // someone else moved it first
  }
  // Not the abandoned one: a live guard that replaced it in between. Put it back (link: never over a newer one).
  if (fs.statSync(aside).ino !== ino) linkNew(aside, guard);
  fs.rmSync(aside, { force: true });
}
