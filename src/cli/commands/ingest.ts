// `docproc ingest`: flags -> config -> ingest pipeline -> NDJSON events or a human report, and the exit code.
import { createContext, type GlobalFlags } from '../context.js';
import { writeLine, writeNdjson, displayPath } from '../output.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { FileEvent, IngestEvent, IngestSummary } from '../../pipeline/events.js';
import { startSpinner } from '../spinner.js';
import { installStopSignals } from '../signals.js';
import { downloadProgress } from '../download-progress.js';

interface IngestFlags extends GlobalFlags {
  ignore?: string[];
  followSymlinks?: boolean;
  chunkTokens?: number;
  chunkOverlap?: number;
  ocr?: boolean;
  ocrLang?: string;
  ocrDataDir?: string;
  ocrModel?: 'fast' | 'best';
  ocrPictures?: boolean;
  maxFileMb?: number;
  workers?: number;
  model?: string;
  modelDir?: string;
  pooling?: 'mean' | 'cls';
  device?: 'auto' | 'cpu' | 'cuda';
  threads?: number;
  embedSessions?: number;
  batchSize?: number;
  reembed?: boolean;
  dryRun?: boolean;
  prune?: boolean;
  retryFailed?: boolean;
  allowEmptyRoot?: boolean;
  maxPruneRatio?: number;
  failOn: 'failed' | 'empty' | 'never';
  wait?: boolean | string;
  metricsFile?: string;
}

export function configFlags(f: IngestFlags): Record<string, unknown> {
  return {
    ignore: f.ignore, followSymlinks: f.followSymlinks, chunkTokens: f.chunkTokens, chunkOverlap: f.chunkOverlap,
    ocr: f.ocr === false ? false : undefined, ocrLang: f.ocrLang, ocrDataDir: f.ocrDataDir, ocrModel: f.ocrModel, ocrPictures: f.ocrPictures || undefined, maxFileMB: f.maxFileMb, workers: f.workers,
    maxPruneRatio: f.maxPruneRatio, model: f.model, modelDir: f.modelDir, pooling: f.pooling, device: f.device, threads: f.threads, embedSessions: f.embedSessions, batchSize: f.batchSize,
  };
}

function waitSeconds(wait: IngestFlags['wait']): number {
  if (wait === undefined || wait === false) return 0;
  if (wait === true) return 24 * 3600;
  const n = Number(wait);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--wait: not a number of seconds: ${wait}`);
  return n;
}

export async function run(paths: string[], flags: IngestFlags): Promise<void> {
  const { config, log, explicit } = createContext(flags, configFlags(flags));
  if (!paths.length && !flags.reembed) throw new UsageError('ingest needs at least one path', 'usage: docproc ingest <paths...>');
  if (flags.reembed && flags.dryRun) throw new UsageError('--dry-run and --reembed do not combine: a re-embed rebuilds every document', 'preview with: docproc ingest --dry-run <paths...>');
  const stop = installStopSignals(log);
  const spinner = config.json || config.quiet ? null : startSpinner('ingesting');
  const metrics = flags.metricsFile ? await runMetrics() : undefined;
  const onEvent = (e: IngestEvent): void => {
    if (metrics && e.event === 'file') metrics.observeFile(e);
    if (config.json) return writeNdjson(e.event === 'file' || e.event === 'plan' || e.event === 'root' ? { ...e, path: displayPath(e.path) } : e);
    if (e.event === 'progress') spinner?.update(`${e.done}/${e.total} files, ${e.chunksPerSec} chunks/s${e.etaSec !== null ? `, ETA ${e.etaSec}s` : ''}`);
    else if (e.event === 'plan') writeLine(`${e.action.padEnd(10)} ${displayPath(e.path)}`);
    else if (e.event === 'root') {
      spinner?.clear();
      writeLine(`${'failed'.padEnd(11)} ${displayPath(e.path)}: ${e.reason}`);
    }
    else if (e.event === 'file' && e.status !== 'unchanged') {
      spinner?.clear();
      const extra = e.reason ? `: ${e.reason}` : e.chunks !== undefined ? ` (${e.chunks} chunks)` : '';
      writeLine(`${e.status.padEnd(11)} ${displayPath(e.path)}${extra}`);
    }
  };
  let summary: IngestSummary;
  try {
    const download = config.json || config.quiet ? undefined : downloadProgress();
    const common = { config, log, explicitKeys: explicit, onEvent, onDownload: download?.onProgress, signal: stop.signal, waitSeconds: waitSeconds(flags.wait), retryFailed: flags.retryFailed, prune: flags.prune, allowEmptyRoot: flags.allowEmptyRoot, onEmbedBatch: metrics?.observeEmbedBatch };
    if (flags.reembed) {
      const { reembed } = await import('../../pipeline/reembed.js');
      summary = await reembed({ ...common, paths });
    } else {
      const { ingest } = await import('../../pipeline/ingest.js');
      summary = await ingest({ ...common, paths, dryRun: flags.dryRun });
    }
  } catch (err) {
    // A failed run is what a cron alert must see: the metrics (last success, runs by outcome) are still written.
    await metrics?.write(flags.metricsFile!, config).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'could not write --metrics-file'));
    throw err;
  } finally {
    spinner?.stop();
    stop.dispose();
  }
  if (metrics) await metrics.write(flags.metricsFile!, config);
  if (config.json) writeNdjson(summary);
  else writeLine(humanSummary(summary));
  process.exitCode = exitCodeFor(summary, flags.failOn, stop.received());
}

function humanSummary(s: IngestSummary): string {
  const parts = (['indexed', 'updated', 'unchanged', 'moved', 'removed', 'skipped', 'empty', 'failed', 'quarantined'] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k}`);
  const what = s.dryRun ? 'dry run: would change' : 'done';
  if (s.rootFailures) parts.push(`${s.rootFailures} root(s) held back`);
  return `${what}: ${parts.join(', ') || 'nothing to do'}; ${s.chunks} chunks (${s.embedded} embedded, ${s.reused} reused) in ${(s.durationMs / 1000).toFixed(1)}s${s.interrupted ? ' (interrupted)' : ''}`;
}

export function exitCodeFor(s: IngestSummary, failOn: IngestFlags['failOn'], signal: NodeJS.Signals | null): number {
  if (signal === 'SIGINT') return ExitCode.sigint;
  if (signal === 'SIGTERM') return ExitCode.sigterm;
  // A root whose deletions were held back is a failed run whatever --fail-on says: someone must look.
  if (s.rootFailures > 0) return ExitCode.someFailed;
  if (failOn === 'never') return ExitCode.ok;
  const bad = s.failed + s.quarantined + (failOn === 'empty' ? s.empty : 0);
  return bad > 0 ? ExitCode.someFailed : ExitCode.ok;
}

/** --metrics-file: this run's metrics, plus the index's, written once the run ends. Loaded only when asked for. */
async function runMetrics() {
  const { createMetrics } = await import('../../health/metrics.js');
  const { observeFile, observeEmbedBatch } = await import('../../health/metrics-observe.js');
  const { refreshIndexGauges } = await import('../../health/metrics-index.js');
  const { writeMetricsFile } = await import('../../health/textfile.js');
  const m = createMetrics({ processMetrics: false });
  return {
    observeFile: (e: FileEvent): void => observeFile(m, e),
    observeEmbedBatch: (texts: number, durationMs: number): void => observeEmbedBatch(m, texts, durationMs),
    write: async (file: string, config: { db: string; pgSchema: string; model: string }): Promise<void> => {
      await refreshIndexGauges(m, config, { timeoutMs: 30_000, model: config.model });
      await writeMetricsFile(file, m);
    },
  };
}
