// Peak memory of this process (its embedding worker threads included) and of its child processes (the
// extraction workers), from /proc: VmHWM is the kernel's own high-water mark, so short spikes are not missed.
import fs from 'node:fs';

function statusKb(pid: number | 'self', field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : 0;
  } catch {
    return 0; // gone, or no /proc
  }
}

/**
 * The children of `ppid`: from /proc/<pid>/task/<tid>/children, a few small reads; where the kernel lacks that
 * file, by reading every process's stat (hundreds of reads every 100 ms: about a second of CPU in a 28 s
 * ingest, taken from the run being measured).
 */
function childrenOf(ppid: number): number[] {
  try {
    const tasks = fs.readdirSync(`/proc/${ppid}/task`);
    return tasks.flatMap((t) => fs.readFileSync(`/proc/${ppid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return scanChildren(ppid);
  }
}

function scanChildren(ppid: number): number[] {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  return pids.flatMap((d) => {
    try {
      // Field 4 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[1]) === ppid ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

export interface PeakRss {
  parentMB: number;
  /** The largest high-water mark of any one child. */
  largestChildMB: number;
  children: number;
}

/** Polls the children every `everyMs` until stopped; a child's VmHWM is read while it lives. */
export function watchRss(everyMs = 100): { stop(): PeakRss } {
  const peak = new Map<number, number>();
  const poll = (): void => {
    for (const pid of childrenOf(process.pid)) peak.set(pid, Math.max(peak.get(pid) ?? 0, statusKb(pid, 'VmHWM')));
  };
  poll();
  const timer = setInterval(poll, everyMs);
  timer.unref();
  return {
    stop(): PeakRss {
      poll();
      clearInterval(timer);
      return {
        parentMB: Math.round(statusKb('self', 'VmHWM') / 1024),
        largestChildMB: Math.round(Math.max(0, ...peak.values()) / 1024),
        children: peak.size,
      };
    },
  };
}
