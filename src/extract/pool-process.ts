// ExtractPool's view of its child processes: memory from /proc, liveness, and what an exit means for the file.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FileError } from '../errors.js';

export async function readRssMB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m?.[1] ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // process gone, or no /proc (non-Linux): no measurement rather than an error
  }
}

export function crashError(code: number | null, sig: NodeJS.Signals | null, stderr: string, err?: Error): Error {
  // V8's own heap cap aborts the process; that is the memory limit doing its job, not a random crash.
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) {
    return new FileError('quarantined', 'memory', 'extraction ran out of heap');
  }
  if (err) return new FileError('quarantined', 'crashed', `worker failed: ${err.message}`);
  return new FileError('quarantined', 'crashed', sig ? `worker exited with signal ${sig}` : `worker exited with code ${code}`);
}

export function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

export function exited(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!alive(c)) return resolve();
    c.once('exit', () => resolve());
  });
}

export function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

export function round(mb: number): number {
  return Math.round(mb * 10) / 10;
}
