// The /readyz checks for one index, built from resolved config: index, model, disk, lock, last run.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { UsageError } from '../errors.js';
import { diskCheck, type DiskThresholds, type StatDisk } from './check-disk.js';
import { modelCheck, type ModelCheckDeps } from './check-model.js';
import { lastRunCheck } from './check-runs.js';
import { withIndex } from './index-reader.js';
import { runChecks } from './run-checks.js';
import { probeFor } from './store-probe.js';
import type { ReadinessCheck, ReadinessReport } from './types.js';

export interface ReadinessOptions {
  config: Config;
  explicit: Set<string>;
  log: Logger;
  checkTimeoutMs: number;
  /** Unset: the last-run check reports, but never fails the index for its age. */
  maxRunAgeMs?: number;
  disk: DiskThresholds;
  statDisk?: StatDisk;
  loadEmbedder?: ModelCheckDeps['loadEmbedder'];
  now?: () => number;
}

export interface Readiness {
  checks: ReadinessCheck[];
  /** Runs every check; concurrent callers share one run instead of stacking them up. */
  check(): Promise<ReadinessReport>;
  /** Starts the slow parts (model hash and self-test) now, so that the first probe finds them done. */
  warmUp(): void;
}

export async function createReadiness(o: ReadinessOptions): Promise<Readiness> {
  if (o.disk.degradedPercent > o.disk.healthyPercent) {
    throw new UsageError(`diskDegradedPercent (${o.disk.degradedPercent}) must not be above diskHealthyPercent (${o.disk.healthyPercent})`);
  }
  const at = { db: o.config.db, pgSchema: o.config.pgSchema };
  const probe = await probeFor(at.db, at);
  const model = modelCheck({
    config: o.config, explicit: o.explicit, log: o.log, loadEmbedder: o.loadEmbedder,
    // The index check reports an index that cannot be read; here it only means "no identity to compare".
    indexIdentity: () => withIndex(at, (s) => s.identity()).catch(() => undefined),
  });
  const checks: ReadinessCheck[] = [
    { name: 'index', run: (signal) => probe.index(signal) },
    model,
    diskCheck(probe.diskPath(), o.disk, o.statDisk),
    { name: 'lock', run: () => probe.lock() },
    lastRunCheck({ recentRuns: (n) => withIndex(at, (s) => s.runs.last(n)) }, o.maxRunAgeMs, o.now),
  ];
  let inflight: Promise<ReadinessReport> | null = null;
  return {
    checks,
    check: () => {
      inflight ??= runChecks(checks, o.checkTimeoutMs).finally(() => {
        inflight = null;
      });
      return inflight;
    },
    warmUp: () => {
      void model.run(new AbortController().signal).catch((err: unknown) => o.log.debug({ err: (err as Error).message }, 'model warm-up failed'));
    },
  };
}
