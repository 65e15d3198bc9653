// The store benchmark's tables (the --json output carries the same figures and every run).
import Table from 'cli-table3';
import type { BuildResult } from './build.js';
import type { IngestResult } from './ingest-throughput.js';
import type { ModeLatency } from './search-latency.js';
import type { RecallResult } from './vector-recall.js';
import type { WorkerRun } from './workers.js';

export interface Report {
  settings: Record<string, unknown>;
  ingest: IngestResult[];
  build?: BuildResult;
  search?: ModeLatency[];
  vector?: RecallResult;
  workers?: WorkerRun[];
}

const table = (head: string[]): Table.Table => new Table({ style: { head: [], border: [] }, head });
const f = (x: number, d = 1): string => x.toFixed(d);
const mb = (b: number): string => (b / 1024 / 1024).toFixed(0);

export function renderText(r: Report): string {
  const out: string[] = [];
  if (r.ingest.length) {
    const t = table(['ingest pipeline', 'files', 'runs', 'SQLite chunks/s', 'Postgres chunks/s', 'Postgres / SQLite']);
    for (const x of r.ingest) t.push([x.embedder, x.files, x.runs.length, f(x.sqliteChunksPerSec), f(x.postgresChunksPerSec), f(x.ratioPgOverSqlite, 2)]);
    out.push('1. Ingest throughput (median of interleaved runs, each into a fresh index)', t.toString());
  }
  if (r.build) {
    const b = r.build;
    const t = table(['store', 'chunks', 'documents', 'write s', 'chunks/s', 'size MB']);
    t.push(['SQLite', b.chunks, b.documents, f(b.sqliteSeconds), f(b.sqliteChunksPerSec), mb(b.sqliteBytes)]);
    t.push(['Postgres', b.chunks, b.documents, f(b.postgresSeconds), f(b.postgresChunksPerSec), mb(b.postgresBytes)]);
    out.push(`2a. Index build through replaceDocument, batches interleaved${b.reused ? ' (kept index reused: times of its build)' : ''}; Postgres/SQLite throughput ${f(b.ratioPgOverSqlite, 2)}; VACUUM ANALYZE after: ${f(b.postgresVacuumSeconds)} s`, t.toString());
  }
  if (r.search) {
    const t = table(['mode', 'SQLite p50 ms', 'SQLite p95 ms', 'Postgres p50 ms', 'Postgres p95 ms', 'PG/SQLite p50', 'PG/SQLite p95', 'same top-10 docs']);
    for (const m of r.search) t.push([m.mode, f(m.sqlite.p50), f(m.sqlite.p95), f(m.postgres.p50), f(m.postgres.p95), f(m.ratioP50, 2), f(m.ratioP95, 2), f(m.sameTop10, 3)]);
    out.push(`2b. searchIndex latency at ${r.build?.chunks ?? '?'} chunks (limit 10, by document, 100 candidates; query embedding excluded; Postgres ef_search 100)`, t.toString());
    const calls = [...new Set(r.search.flatMap((m) => [...Object.keys(m.inViewCalls.sqlite), ...Object.keys(m.inViewCalls.postgres)]))];
    const c = table(['mean ms per search in', ...r.search.flatMap((m) => [`SQLite ${m.mode}`, `PG ${m.mode}`])]);
    for (const call of calls) c.push([call, ...r.search.flatMap((m) => [m.inViewCalls.sqlite[call] ?? 0, m.inViewCalls.postgres[call] ?? 0].map((x) => f(x, 2)))]);
    out.push('2b\'. Time inside IndexView calls, mean ms per search (the rest: snapshot BEGIN/COMMIT, fusion, snippets)', c.toString());
  }
  if (r.vector) {
    const t = table(['vector KNN', 'k', 'p50 ms', 'p95 ms', 'recall@k vs brute force', 'recall@k vs PG exact', 'top-10 of list: recall@10', 'plan (scan of chunks)']);
    for (const p of r.vector.probes) {
      const recallPg = p.recallVsPgExact === undefined ? '' : f(p.recallVsPgExact, 4);
      t.push([p.probe, p.k, f(p.latencyMs.p50), f(p.latencyMs.p95), f(p.recallVsBruteForce, 4), recallPg, f(p.recall10VsBruteForce, 4), r.vector.plans[`${p.probe}@${p.k}`] ?? '']);
    }
    out.push(`2c. Vector KNN alone, ${r.vector.queries} queries; the store's statement shape, timed alone`, t.toString());
  }
  if (r.workers) {
    const t = table(['processes', 'round', 'wall s', 'files/s', 'indexed / files', 'documents', 'count ok', 'indexed per process']);
    for (const w of r.workers) t.push([w.processes, w.round, f(w.wallSeconds, 2), f(w.filesPerSec, 2), `${w.indexed}/${w.files}`, w.documents, w.countOk ? 'yes' : 'NO', w.indexedByProcess.join(' + ')]);
    out.push('3. Concurrent `docproc ingest` processes into one fresh Postgres schema per run (real model)', t.toString());
  }
  out.push(`settings: ${JSON.stringify(r.settings)}`);
  return out.join('\n') + '\n';
}
