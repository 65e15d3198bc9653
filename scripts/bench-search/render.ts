// The search benchmark's report: one JSON object, or tables on stdout.
import Table from 'cli-table3';
import type { BuildResult } from './build.js';
import type { ModeLatency } from './latency.js';
import type { VectorRecall } from './recall.js';
import type { CliLatency } from './cli.js';
import type { Latency } from './stats.js';
import type { KeywordCompare } from './keyword.js';

export interface Report {
  chunks: number;
  documents: number;
  build: BuildResult;
  queries: { source: string; count: number };
  queryEmbedding: { standIn: Latency; model?: { name: string } & Latency };
  modes?: ModeLatency[];
  keyword?: KeywordCompare;
  recall: VectorRecall[];
  cli?: { nodeStart: Latency; modes: CliLatency[] };
  loadavg: number[];
}

const table = (head: string[]): Table.Table => new Table({ head, style: { head: [], border: [] } });
const ms = (x: number): string => x.toFixed(1);

export function renderReport(r: Report, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  const out: string[] = [];
  const b = r.build;
  out.push(`index: ${r.chunks} chunks in ${r.documents} documents, ${(b.bytes / 2 ** 20).toFixed(0)} MiB` +
    (b.reused ? ' (reused)' : `, built in ${b.seconds.toFixed(1)} s (chunk ${b.chunkSeconds.toFixed(1)}, embed ${b.embedSeconds.toFixed(1)}, write ${b.writeSeconds.toFixed(1)})`));
  out.push(`queries: ${r.queries.count} from ${r.queries.source}; load average ${r.loadavg.slice(0, 3).join(' ')} before, ${r.loadavg.slice(3).join(' ')} after`);
  const q = r.queryEmbedding;
  out.push(`query embedding (apart from the latencies below): stand-in p50 ${ms(q.standIn.p50Ms)} ms` +
    (q.model ? `, ${q.model.name} p50 ${ms(q.model.p50Ms)} ms p95 ${ms(q.model.p95Ms)} ms` : ''));
  if (r.modes) {
    const t = table(['searchIndex, top 10 documents', 'vector search', 'p50 ms', 'p95 ms', 'mean ms', 'queries']);
    for (const m of r.modes) t.push([m.mode, m.mode === 'keyword' ? '' : m.variant, ms(m.p50Ms), ms(m.p95Ms), ms(m.meanMs), m.n]);
    out.push(t.toString());
  }
  const k = r.keyword;
  if (k) {
    const kt = table([`keyword candidates (k=${k.limit}), same queries`, 'p50 ms', 'p95 ms']);
    for (const v of k.variants) kt.push([v.name, ms(v.latency.p50Ms), ms(v.latency.p95Ms)]);
    out.push(kt.toString());
    out.push(`rows matched per query: p50 ${k.matchedRows.p50}, p95 ${k.matchedRows.p95}, max ${k.matchedRows.max}; identical candidates (ids, order, scores) FTS5 bm25() / postings: ${k.identical}/${k.queries}`);
  }
  for (const rec of r.recall) {
    const v = table(['vector candidates k', 'recall vs exact', 'ties within 1e-6 counted', 'approx p50 ms', 'approx p95 ms', 'exact p50 ms', 'exact p95 ms']);
    for (const c of rec.candidates) v.push([c.k, c.recall.toFixed(4), c.recallTies.toFixed(4), ms(c.approximate.p50Ms), ms(c.approximate.p95Ms), ms(c.exact.p50Ms), ms(c.exact.p95Ms)]);
    out.push(`vector search: ${rec.method}`);
    out.push(v.toString());
    out.push(`final top-10 documents vs exact: ${rec.results.map((x) => `${x.mode} ${x.recallAt10.toFixed(4)}` +
      (x.recallAt10Ties !== undefined ? ` (ties within 1e-6 counted: ${x.recallAt10Ties.toFixed(4)})` : '')).join(', ')}`);
  }
  if (r.cli) {
    const c = table(['docproc search (shell, warm cache)', 'build', 'p50 ms', 'p95 ms', 'runs']);
    c.push(['node -e 0 (process start floor)', '', ms(r.cli.nodeStart.p50Ms), ms(r.cli.nodeStart.p95Ms), r.cli.nodeStart.n]);
    for (const m of r.cli.modes) c.push([m.mode, m.variant, ms(m.p50Ms), ms(m.p95Ms), m.n]);
    out.push(c.toString());
  }
  process.stdout.write(out.join('\n') + '\n');
}
