// Part 1: the ingest pipeline (discover, extract, chunk, embed, store) into SQLite and into Postgres over
// the same files, runs interleaved (S,P then P,S...), each into a fresh file or schema.
import path from 'node:path';
import type { Config } from '../../src/config/schema.js';
import type { Embedder } from '../../src/pipeline/types.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { createLogger } from '../../src/log.js';
import { dropSchema, removeSqlite } from './stores.js';
import { median, progress, round, timed } from './stats.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface IngestRun {
  store: StoreKind;
  rep: number;
  files: number;
  indexed: number;
  failed: number;
  chunks: number;
  seconds: number;
  chunksPerSec: number;
}

export interface IngestResult {
  embedder: string;
  files: number;
  runs: IngestRun[];
  /** Median chunks/s per store, and Postgres over SQLite. */
  sqliteChunksPerSec: number;
  postgresChunksPerSec: number;
  ratioPgOverSqlite: number;
}

export interface IngestBench {
  dir: string;
  files: number;
  reps: number;
  embedder: Embedder;
  label: string;
  /** Short, lower-case: part of file and schema names (Postgres schemas take at most 40 characters here). */
  key: string;
  config: Config;
  pgUrl: string;
  tmp: string;
}

export async function ingestThroughput(b: IngestBench): Promise<IngestResult> {
  const runs: IngestRun[] = [];
  const log = createLogger({ level: 'error' });
  for (let rep = 0; rep < b.reps; rep++) {
    const order: StoreKind[] = rep % 2 === 0 ? ['sqlite', 'postgres'] : ['postgres', 'sqlite'];
    for (const store of order) {
      const db = store === 'sqlite' ? path.join(b.tmp, `ingest-${b.key}-${rep}.db`) : b.pgUrl;
      const pgSchema = `bench_ingest_${process.pid}_${b.key}_${rep}`;
      if (store === 'sqlite') removeSqlite(db);
      else await dropSchema(b.pgUrl, pgSchema);
      const [s, ms] = await timed(() => ingest({ paths: [b.dir], config: { ...b.config, db, pgSchema }, embedder: b.embedder, log }));
      const run: IngestRun = {
        store, rep, files: b.files, indexed: s.indexed, failed: s.failed, chunks: s.chunks,
        seconds: round(ms / 1000, 2), chunksPerSec: round(s.chunks / (ms / 1000)),
      };
      runs.push(run);
      progress(`ingest ${b.label} ${store} rep ${rep}: ${run.chunks} chunks in ${run.seconds} s = ${run.chunksPerSec} chunks/s`);
      if (store === 'sqlite') removeSqlite(db);
      else await dropSchema(b.pgUrl, pgSchema);
    }
  }
  const med = (k: StoreKind): number => median(runs.filter((r) => r.store === k).map((r) => r.chunksPerSec));
  const sqliteChunksPerSec = med('sqlite');
  const postgresChunksPerSec = med('postgres');
  return { embedder: b.label, files: b.files, runs, sqliteChunksPerSec, postgresChunksPerSec, ratioPgOverSqlite: round(postgresChunksPerSec / sqliteChunksPerSec, 2) };
}
