// bench:ingest's report: one JSON object, or tables on stdout.
import Table from 'cli-table3';
import type { IngestSummary } from '../../src/pipeline/events.js';
import type { StageShare } from './collector.js';
import type { PeakRss } from './rss.js';
import type { ModelOnly } from './compare-embed.js';

export interface RunReport {
  label: string;
  wallMs: number;
  summary: IngestSummary;
  memory: PeakRss;
  /** Files read this run (indexed, updated, empty, failed, quarantined, skipped). */
  files: number;
  filesPerSec: number;
  chunksPerSec: number;
  tokensPerSec: number;
  embeddedTokensPerSec: number;
  tokens: { chunked: number; embedded: number };
  /** Model calls, the time they ran, and that time over the run's wall time. */
  model: { calls: number; busyMs: number; busy: number };
  stages: StageShare[];
}

export interface IngestReport {
  source: string;
  model: string;
  /** Where the model ran: cpu, cuda, or stand-in (no model). */
  device: string;
  ocr: boolean;
  workers: number;
  embedSessions: number;
  batchSize: number;
  modelLoadMs: number;
  runs: RunReport[];
  modelOnly?: ModelOnly;
  /** 1/5/15-minute load averages before and after. */
  loadavg: number[][];
  cores: number;
}

const f1 = (x: number): string => x.toFixed(1);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function renderIngest(r: IngestReport, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  const out: string[] = [];
  out.push(`${r.source}`);
  out.push(`model ${r.model} on ${r.device} (loaded in ${f1(r.modelLoadMs)} ms, before the runs), ${r.embedSessions} embedding sessions, batch ${r.batchSize}, ` +
    `${r.workers} extraction workers, OCR ${r.ocr ? 'on' : 'off'}; ${r.cores} cores, load average ${r.loadavg[0]!.join(' ')} before, ${r.loadavg[1]?.join(' ') ?? '?'} after`);
  const t = new Table({ head: ['', ...r.runs.map((x) => x.label)], style: { head: [], border: [] } });
  const row = (name: string, f: (x: RunReport) => string): void => void t.push([name, ...r.runs.map(f)]);
  row('wall s', (x) => (x.wallMs / 1000).toFixed(2));
  row('files read / unchanged', (x) => `${x.files} / ${x.summary.unchanged}`);
  row('chunks (embedded, reused)', (x) => `${x.summary.chunks} (${x.summary.embedded}, ${x.summary.reused})`);
  row('files/s', (x) => f1(x.filesPerSec));
  row('chunks/s', (x) => f1(x.chunksPerSec));
  row('tokens/s (all chunks / embedded)', (x) => `${Math.round(x.tokensPerSec)} / ${Math.round(x.embeddedTokensPerSec)}`);
  row('model calls', (x) => String(x.model.calls));
  row('model busy (model time / wall)', (x) => pct(x.model.busy));
  for (const stage of r.runs[0]!.stages.map((s) => s.stage)) {
    row(`${stage}: share of wall (summed s)`, (x) => {
      const s = x.stages.find((y) => y.stage === stage)!;
      return s.intervals ? `${pct(s.share)} (${(s.summedMs / 1000).toFixed(2)})` : '-';
    });
  }
  row('peak RSS parent / largest worker MB', (x) => `${x.memory.parentMB} / ${x.memory.largestChildMB} (${x.memory.children} workers)`);
  out.push(t.toString());
  if (r.modelOnly) {
    const m = r.modelOnly;
    out.push(`model alone on the same ${m.texts} distinct chunks: ${f1(m.chunksPerSec)} chunks/s in ${f1(m.seconds)} s; ` +
      `the ingest embedded at ${pct(m.ingestShare)} of that rate`);
  }
  out.push('shares: wall time during which at least one file was in the stage (files overlap, so they add up to more than 100%); ' +
    'ocr = extraction of files that needed OCR; embed = files waiting for their vectors');
  process.stdout.write(out.join('\n') + '\n');
}
