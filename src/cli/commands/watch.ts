// `docproc watch`: keep an index in sync with folders; NDJSON events with --json, log lines otherwise.
import { createContext, type Context, type GlobalFlags } from '../context.js';
import type { IngestEvent } from '../../pipeline/events.js';
import type { SyncEvent } from '../../pipeline/watch.js';
import { writeLine, writeNdjson, displayPath } from '../output.js';
import { ExitCode } from '../../errors.js';
import { installStopSignals } from '../signals.js';
import { configFlags } from './ingest.js';

interface WatchFlags extends GlobalFlags {
  ignore?: string[];
  debounce: number;
  ocr?: boolean;
  ocrPictures?: boolean;
  model?: string;
  modelDir?: string;
  device?: 'auto' | 'cpu' | 'cuda';
  threads?: number;
  batchSize?: number;
  serveHealth?: string;
  allowRemote?: boolean;
  maxRunAge?: string;
}

export async function run(paths: string[], flags: WatchFlags): Promise<void> {
  const { config, log, explicit } = createContext(flags, { ...configFlags({ ...flags, failOn: 'failed' }), maxRunAge: flags.maxRunAge });
  const health = flags.serveHealth ? await startHealth(flags.serveHealth, !!flags.allowRemote, { config, log, explicit }) : undefined;
  const stop = installStopSignals(log);
  // A model self-test still loading is waited for at exit (exiting mid-load aborts the process): its wait starts
  // now, beside the files in flight, so that the two do not add up past a supervisor's stop timeout.
  if (health) stop.signal.addEventListener('abort', () => health.beginClose(), { once: true });
  const { watch } = await import('../../pipeline/watch.js');
  try {
    await watch({
      paths, config, log, explicitKeys: explicit, debounceMs: flags.debounce, signal: stop.signal,
      onEmbedBatch: health?.observeEmbedBatch, onQueueDepth: health?.observeQueueDepth,
      onEvent: (e) => {
        health?.observe(e);
        if (config.json) return writeNdjson(e.event === 'file' ? { ...e, path: displayPath(e.path) } : e);
        if (e.event === 'file') writeLine(`${e.status.padEnd(11)} ${displayPath(e.path)}${e.reason ? `: ${e.reason}` : ''}`);
        else if (e.event === 'sync' && !config.quiet) {
          const s = e.summary;
          process.stderr.write(`${e.trigger === 'startup' ? 'caught up' : 'synced'}: ${s.indexed + s.updated} indexed, ${s.removed} removed, ${s.moved} moved, ${s.failed + s.quarantined} failed${e.lagMs !== null ? `, lag ${e.lagMs} ms` : ''}; watching...\n`);
        }
      },
    });
  } finally {
    stop.dispose();
    await health?.close();
  }
  const sig = stop.received();
  process.exitCode = sig === 'SIGTERM' ? ExitCode.sigterm : sig === 'SIGINT' ? ExitCode.sigint : ExitCode.ok;
}

/**
 * --serve-health: the endpoints in this process, sharing its metrics, so /metrics shows the watcher's own
 * ingestion (files, model calls, queue depth, lag) live. Started before the catch-up sync: probes answer
 * (degraded or not) while it runs.
 */
async function startHealth(spec: string, allowRemote: boolean, ctx: Pick<Context, 'config' | 'log' | 'explicit'>) {
  const { parseListen, assertListenAllowed } = await import('../../health/listen.js');
  const { parseDurationMs } = await import('../../health/duration.js');
  const { createMetrics } = await import('../../health/metrics.js');
  const { observeFile, observeEmbedBatch, observeSync } = await import('../../health/metrics-observe.js');
  const { startHealthService } = await import('../../health/service.js');
  const listen = parseListen(spec, ctx.config.healthHost);
  assertListenAllowed(listen, allowRemote);
  const maxRunAgeMs = ctx.config.maxRunAge ? parseDurationMs(ctx.config.maxRunAge, '--max-run-age') : undefined;
  const m = createMetrics({ processMetrics: true });
  const service = await startHealthService({ ...ctx, listen, maxRunAgeMs, metrics: m });
  if (ctx.config.json) writeNdjson({ event: 'health', url: service.url });
  else if (!ctx.config.quiet) process.stderr.write(`serving ${service.url}/livez, /readyz and /metrics\n`);
  return {
    observe: (e: IngestEvent | SyncEvent): void => {
      if (e.event === 'file') observeFile(m, e);
      else if (e.event === 'sync') observeSync(m, e.lagMs);
    },
    observeEmbedBatch: (texts: number, durationMs: number): void => observeEmbedBatch(m, texts, durationMs),
    observeQueueDepth: (n: number): void => void m.watchQueueDepth.set(n),
    beginClose: () => service.beginClose(),
    close: () => service.close(),
  };
}
