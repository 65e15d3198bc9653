// The last successful run: what a cron user alerts on. Too old (with --max-run-age) is unhealthy; a failed or
// interrupted run after the last success is degraded.
import type { RunRecord } from '../contracts/index-store.js';
import type { ReadinessCheck } from './types.js';

/** How many recent runs are searched for the last success. */
const RECENT_RUNS = 200;

export interface RunsSource {
  /** The most recent runs, newest first; undefined when there is no index. */
  recentRuns(limit: number): Promise<RunRecord[] | undefined>;
}

export function isSuccess(r: RunRecord): boolean {
  return r.outcome === 'completed';
}

export function lastRunCheck(src: RunsSource, maxRunAgeMs: number | undefined, now: () => number = Date.now): ReadinessCheck {
  return {
    name: 'lastRun',
    run: async () => {
      const runs = await src.recentRuns(RECENT_RUNS);
      const limit = maxRunAgeMs === undefined ? {} : { maxRunAgeSeconds: maxRunAgeMs / 1000 };
      if (!runs) return { status: maxRunAgeMs === undefined ? 'healthy' : 'unhealthy', message: 'no index, so no run yet', details: limit };
      const success = runs.find(isSuccess);
      const latest = runs[0];
      const details = {
        ...limit,
        lastSuccessAt: success?.endedAt ?? null,
        lastRun: latest ? { id: latest.id, command: latest.command, outcome: latest.outcome, startedAt: latest.startedAt } : null,
      };
      if (!success) {
        return { status: maxRunAgeMs === undefined ? 'degraded' : 'unhealthy', message: `no successful run among the last ${runs.length}`, details };
      }
      const ageMs = now() - Date.parse(success.endedAt ?? success.startedAt);
      const age = `${Math.round(ageMs / 1000)} s ago`;
      if (maxRunAgeMs !== undefined && ageMs > maxRunAgeMs) {
        return { status: 'unhealthy', message: `last successful run ended ${age}, longer than the allowed ${Math.round(maxRunAgeMs / 1000)} s`, details: { ...details, ageSeconds: Math.round(ageMs / 1000) } };
      }
      // A run still going (outcome null) is not a failure; one that ended otherwise than completed is.
      if (latest && latest !== success && latest.outcome !== null) {
        return { status: 'degraded', message: `the last run (${latest.command}, ${latest.id}) ended ${latest.outcome}; last success ${age}`, details: { ...details, ageSeconds: Math.round(ageMs / 1000) } };
      }
      return { status: 'healthy', message: `last successful run ended ${age}`, details: { ...details, ageSeconds: Math.round(ageMs / 1000) } };
    },
  };
}
