// Free disk where the index lives: healthy above one share free, degraded above a lower one, else unhealthy.
import fs from 'node:fs';
import path from 'node:path';
import { grade, type ReadinessCheck } from './types.js';

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/** Injectable so that tests can put the disk at any fill level. */
export type StatDisk = (dir: string) => Promise<DiskSpace>;

export const statDisk: StatDisk = async (dir) => {
  const s = await fs.promises.statfs(dir);
  // bavail, not bfree: blocks reserved for root are not ours to fill.
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
};

export interface DiskThresholds {
  healthyPercent: number;
  degradedPercent: number;
}

/** The folder may not exist yet (no index so far): its nearest existing ancestor is on the same disk. */
function existingAncestor(dir: string): string {
  let d = path.resolve(dir);
  while (!fs.existsSync(d) && d !== path.dirname(d)) d = path.dirname(d);
  return d;
}

export function diskCheck(dir: string | undefined, t: DiskThresholds, stat: StatDisk = statDisk): ReadinessCheck {
  return {
    name: 'disk',
    run: async () => {
      if (!dir) return { status: 'healthy', message: 'not applicable: the index is not on a local disk', details: { applicable: false } };
      const at = existingAncestor(dir);
      const s = await stat(at);
      const freePercent = s.totalBytes > 0 ? (s.freeBytes / s.totalBytes) * 100 : 0;
      const status = grade(freePercent, t.healthyPercent, t.degradedPercent);
      const shown = `${freePercent.toFixed(1)}% free (${(s.freeBytes / 2 ** 30).toFixed(1)} of ${(s.totalBytes / 2 ** 30).toFixed(1)} GiB)`;
      const rule = status === 'healthy' ? `above ${t.healthyPercent}%` : status === 'degraded' ? `at or below ${t.healthyPercent}%` : `at or below ${t.degradedPercent}%`;
      return {
        status,
        message: `${shown} on ${at}: ${rule}`,
        details: { path: at, freeBytes: s.freeBytes, totalBytes: s.totalBytes, freePercent: Math.round(freePercent * 100) / 100, ...t },
      };
    },
  };
}
