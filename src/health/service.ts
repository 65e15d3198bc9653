// serve-health as a service: readiness checks and metrics behind the HTTP server, for `serve-health` alone
// or inside `watch --serve-health` (which shares its metrics, so they show live ingestion).
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { createReadiness, type ReadinessOptions } from './readiness.js';
import { createMetrics, type DocprocMetrics } from './metrics.js';
import { refreshIndexGauges } from './metrics-index.js';
import { startHealthServer, type HealthServer } from './server.js';
import { settleModelChecks } from './check-model.js';
import type { ListenAddress } from './listen.js';

/** How long closing waits for a model self-test still loading (a load takes seconds; past this, exit anyway). */
const SELF_TEST_SETTLE_MS = 30_000;

export interface HealthServiceOptions {
  config: Config;
  explicit: Set<string>;
  log: Logger;
  listen: ListenAddress;
  maxRunAgeMs?: number;
  /** The process's metrics when it also ingests (watch); a fresh registry otherwise. */
  metrics?: DocprocMetrics;
  maxConnections?: number;
  statDisk?: ReadinessOptions['statDisk'];
}

export interface HealthService extends HealthServer {
  metrics: DocprocMetrics;
  /**
   * Starts no more model self-tests and starts the wait for one still loading, while the server keeps answering:
   * watch calls it at the stop signal, so that a load in flight settles during the wind-down of its files rather
   * than after it. close() does it too.
   */
  beginClose(): void;
}

export async function startHealthService(o: HealthServiceOptions): Promise<HealthService> {
  const { config } = o;
  const readiness = await createReadiness({
    config, explicit: o.explicit, log: o.log, checkTimeoutMs: config.healthCheckTimeoutMs, maxRunAgeMs: o.maxRunAgeMs,
    disk: { healthyPercent: config.diskHealthyPercent, degradedPercent: config.diskDegradedPercent }, statDisk: o.statDisk,
  });
  const metrics = o.metrics ?? createMetrics({ processMetrics: true });
  const at = { db: config.db, pgSchema: config.pgSchema };
  const server = await startHealthServer({
    host: o.listen.host, port: o.listen.port, log: o.log, maxConnections: o.maxConnections,
    handlers: {
      readiness: () => readiness.check(),
      metrics: async () => {
        await refreshIndexGauges(metrics, at, { timeoutMs: config.healthCheckTimeoutMs, model: config.model });
        return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
      },
    },
  });
  readiness.warmUp();
  let selfTests: Promise<void> | undefined;
  const beginClose = (): Promise<void> => {
    if (selfTests) return selfTests;
    const s = settleModelChecks(SELF_TEST_SETTLE_MS);
    if (s.pending) o.log.info({ pending: s.pending }, 'waiting for the model self-test to finish before exiting');
    return (selfTests = s.settled);
  };
  const close = async (graceMs?: number) => {
    const settled = beginClose();
    await server.close(graceMs);
    await settled;
  };
  return { ...server, close, beginClose: () => void beginClose(), metrics };
}
