// `ingest --metrics-file`: the metrics in node_exporter's textfile-collector format, replaced atomically so
// the collector never reads half a file.
import { writeFileAtomic } from '../fs-atomic.js';
import type { DocprocMetrics } from './metrics.js';

export async function writeMetricsFile(file: string, m: DocprocMetrics): Promise<void> {
  writeFileAtomic(file, await m.registry.metrics());
}
