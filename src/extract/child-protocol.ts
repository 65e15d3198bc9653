// The IPC messages between ExtractPool and its child processes, and how a child's error becomes a FileError again.
import { Worker } from 'node:worker_threads';
import { FileError } from '../errors.js';
import type { ExtractedDoc } from '../contracts/stages.js';
import type { ExtractOptions } from './index.js';

export interface ChildRequest {
  id: number;
  absPath: string;
  opts: Omit<ExtractOptions, 'signal'>;
}

export type ChildReply = (
  | { id: number; ok: true; doc: ExtractedDoc }
  | { id: number; ok: false; status?: FileError['status']; reason?: string; message: string }
) & {
  /** The child's RSS as it replied: the pool then need not read /proc for every file. */
  rssMB?: number;
};

const STATUSES = new Set<string>(['failed', 'skipped', 'empty', 'quarantined']);

/** Serialise whatever extractFile threw: FileErrors keep status and reason, anything else is only a message. */
export function errorToReply(id: number, err: unknown): ChildReply {
  const e = err as { status?: unknown; reason?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // Duck-typed rather than instanceof so a FileError from a second copy of errors.js still counts.
  if (e && typeof e.status === 'string' && STATUSES.has(e.status) && typeof e.reason === 'string') {
    return { id, ok: false, status: e.status as FileError['status'], reason: e.reason, message };
  }
  return { id, ok: false, message };
}

/** Rebuild the error in the parent: a FileError with its status and reason, else failed with the message. */
export function childErrorToFileError(m: Extract<ChildReply, { ok: false }>): FileError {
  if (m.status && m.reason) {
    // FileError formats its message as "reason: detail"; recover the detail so it is not doubled.
    const prefix = `${m.reason}: `;
    const detail = m.message === m.reason ? undefined : m.message.startsWith(prefix) ? m.message.slice(prefix.length) : m.message;
    return new FileError(m.status, m.reason, detail);
  }
  return new FileError('failed', 'error', m.message);
}

/** Parent gone while a hostile file spins the event loop: 'disconnect' can't fire then, so a thread checks ppid. */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(workerData.pid, 'SIGKILL');
}, 500);
`;

export function startParentWatchdog(): void {
  const w = new Worker(WATCHDOG, { eval: true, workerData: { ppid: process.ppid, pid: process.pid } });
  w.unref(); // never keeps the child alive by itself
}
