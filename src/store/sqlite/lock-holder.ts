// Who holds the index lock and whether it may be taken over: only from a provably dead holder, or a silent one.
import fs from 'node:fs';
import os from 'node:os';
import type { LockInfo, LockRead } from './lock-file.js';

/** What places a pid: the same number means the same process only on the same boot of the same host and pid namespace. */
export interface ProcessIdentity {
  pid: number;
  procStart?: string;
  host: string;
  bootId?: string;
  pidNs?: string;
}

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read().trim() || undefined;
  } catch {
    return undefined;
  }
}

export function procStartOf(pid: number): string | undefined {
  const stat = readOrUndefined(() => fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so count from its end.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

export function selfIdentity(): ProcessIdentity {
  return {
    pid: process.pid,
    procStart: procStartOf(process.pid),
    host: os.hostname(),
    bootId: readOrUndefined(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    pidNs: readOrUndefined(() => fs.readlinkSync('/proc/self/ns/pid')),
  };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Our pid lookups mean something for this holder: same host, same boot, same pid namespace. */
function samePidSpace(h: LockInfo, me: ProcessIdentity): boolean {
  if (h.host !== me.host || h.bootId !== me.bootId || h.pidNs !== me.pidNs) return false;
  // On Linux, unknown boot id or namespace (no /proc) on both sides proves nothing: they may still differ.
  return process.platform !== 'linux' || (me.bootId !== undefined && me.pidNs !== undefined);
}

/** For a holder in our pid space: its pid is gone, or now belongs to a process started at another time. */
function provablyDead(h: LockInfo): boolean {
  if (!pidExists(h.pid)) return true;
  const now = h.procStart === undefined ? undefined : procStartOf(h.pid);
  return now !== undefined && now !== h.procStart;
}

/**
 * Time since the holder last showed life. The younger of heartbeatAt (holder's clock) and mtime (the file
 * system's clock): a clock skewed either way between hosts can only delay a takeover, never hasten one.
 */
function silentForMs(h: LockInfo | undefined, mtimeMs: number, nowMs: number): number {
  const beat = h?.heartbeatAt === undefined ? NaN : Date.parse(h.heartbeatAt);
  return Math.min(nowMs - mtimeMs, Number.isNaN(beat) ? Infinity : nowMs - beat);
}

export type Verdict = { takeOver: true } | { takeOver: false; message: string };

export interface JudgeContext {
  dbFile: string;
  me: ProcessIdentity;
  staleMs: number;
  /** Tokens this process holds right now: such a lock is live, whatever its pid says. */
  ownTokens: ReadonlySet<string>;
  nowMs: number;
}

/** Whether an existing lock may be taken over, or the LockedError message naming its holder. */
export function judgeLock(seen: Exclude<LockRead, { state: 'missing' }>, c: JudgeContext): Verdict {
  const silentMs = silentForMs(seen.state === 'ok' ? seen.info : undefined, seen.mtimeMs, c.nowMs);
  const stale = silentMs > c.staleMs;
  if (seen.state === 'unreadable') {
    // Nothing names a holder (a crash of an older version between create and write, or damage): only age decides.
    if (stale) return { takeOver: true };
    return { takeOver: false, message: `index ${c.dbFile} is locked: its lock file is unreadable (written ${new Date(seen.mtimeMs).toISOString()}); it is taken over once ${seconds(c.staleMs)} old` };
  }
  const h = seen.info;
  const held = (): Verdict => ({ takeOver: false, message: describeHolder(h, silentMs, c) });
  if (h.token !== undefined && c.ownTokens.has(h.token)) return held();
  // Where its pid is visible to us, the pid alone decides: a live holder whose heartbeat lags (a long
  // synchronous step, a stopped process) is still alive, and a dead one need not be waited for.
  if (samePidSpace(h, c.me)) return provablyDead(h) ? { takeOver: true } : held();
  // An older version's lock records no host, boot or namespace, and keeps no heartbeat: its pid may live in
  // another namespace, so it is taken over only once that pid is gone here too and the file is old.
  if (h.token === undefined) return !pidExists(h.pid) && stale ? { takeOver: true } : held();
  return stale ? { takeOver: true } : held();
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

function describeHolder(h: LockInfo, silentMs: number, c: JudgeContext): string {
  let where = '';
  if (h.host !== undefined && h.host !== c.me.host) where = ` on host ${h.host}`;
  else if (h.bootId !== undefined && h.bootId !== c.me.bootId) where = ` on host ${h.host} (another boot)`;
  else if (h.pidNs !== undefined && h.pidNs !== c.me.pidNs) where = ` in pid namespace ${h.pidNs}`;
  const base = `index ${c.dbFile} is locked by pid ${h.pid} (${h.command}) since ${h.startedAt}${where}`;
  if (h.token === undefined || samePidSpace(h, c.me)) return base;
  const beat = Number.isFinite(silentMs) ? `last heartbeat ${seconds(Math.max(0, silentMs))} ago` : 'no heartbeat';
  return `${base}; ${beat}, taken over after ${seconds(c.staleMs)} without one`;
}
