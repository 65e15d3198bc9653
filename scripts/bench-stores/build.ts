// Part 2's indexes: N synthetic chunks written to SQLite and Postgres through store.replaceDocument, one
// document per call as the pipeline writes, batches interleaved between the stores (the order alternating)
// so both see the same machine noise. Kept indexes are reused when their build run completed at this N.
import type { IndexStore } from '../../src/contracts/index-store.js';
import { embedderIdentity } from '../../src/contracts/identity.js';
import { SYNTHETIC_VERSION, syntheticDocs, type SyntheticDoc } from './corpus.js';
import type { Abstract } from '../bench-common/scifact.js';
import type { StandInEmbedder } from '../bench-common/standin-embedder.js';
import { openPg, openSqlite, dropSchema, removeSqlite, type PostgresStore, type SqliteStore } from './stores.js';
import { progress, round, timed } from './stats.js';

const BUILD_COMMAND = 'bench-stores-build';
const BATCH_DOCS = 100;

export interface BuildResult {
  chunks: number;
  documents: number;
  reused: boolean;
  sqliteSeconds: number;
  postgresSeconds: number;
  sqliteChunksPerSec: number;
  postgresChunksPerSec: number;
  ratioPgOverSqlite: number;
  /** VACUUM ANALYZE of the chunks table after the build (what autovacuum would do), not in the figures above. */
  postgresVacuumSeconds: number;
  sqliteBytes: number;
  postgresBytes: number;
}

export interface Built {
  sqlite: SqliteStore;
  pg: PostgresStore;
  /** Stand-in vectors by ordinal (insertion order), dims each: the brute-force ground truth. */
  vectors: Float32Array;
  dims: number;
  /** Store chunk id -> ordinal. */
  sqliteOrdinal: Map<number, number>;
  pgOrdinal: Map<number, number>;
  result: BuildResult;
}

export interface BuildOptions {
  abstracts: Abstract[];
  n: number;
  embedder: StandInEmbedder;
  sqliteFile: string;
  pgUrl: string;
  pgSchema: string;
  hnswM?: number;
  hnswEfConstruction?: number;
}

async function complete(store: IndexStore, n: number): Promise<boolean> {
  const last = (await store.runs.last(1))[0];
  return last?.command === BUILD_COMMAND && last.outcome === 'completed' && last.counts.chunks === n && last.counts.version === SYNTHETIC_VERSION;
}

/** Maps each store's chunk ids to the ordinal of the chunk in generation order (document path + seq). */
async function ordinals(built: Omit<Built, 'sqliteOrdinal' | 'pgOrdinal' | 'result'>, keys: Map<string, number>): Promise<[Map<number, number>, Map<number, number>]> {
  const rows = built.sqlite.db.prepare('SELECT c.id, d.path, c.seq FROM chunks c JOIN documents d ON d.id = c.document_id').all() as { id: number; path: string; seq: number }[];
  const pgRows = (await built.pg.pool.query<{ id: string; path: string; seq: number }>('SELECT c.id, d.path, c.seq FROM chunks c JOIN documents d ON d.id = c.document_id')).rows;
  const map = (rs: { id: number | string; path: string; seq: number }[]): Map<number, number> =>
    new Map(rs.map((r) => [Number(r.id), keys.get(`${r.path}#${r.seq}`)!]));
  return [map(rows), map(pgRows)];
}

export async function buildIndexes(o: BuildOptions): Promise<Built> {
  const dims = o.embedder.dims;
  const hnsw = { hnswM: o.hnswM, hnswEfConstruction: o.hnswEfConstruction };
  let sqlite = openSqlite(o.sqliteFile);
  let pg = await openPg(o.pgUrl, o.pgSchema, hnsw);
  const reused = (await complete(sqlite, o.n)) && (await complete(pg, o.n));
  if (!reused) {
    await sqlite.close();
    await pg.close();
    removeSqlite(o.sqliteFile);
    await dropSchema(o.pgUrl, o.pgSchema);
    sqlite = openSqlite(o.sqliteFile);
    pg = await openPg(o.pgUrl, o.pgSchema, hnsw);
  }
  const vectors = new Float32Array(o.n * dims);
  const keys = new Map<string, number>();
  const stores: [SqliteStore, PostgresStore] = [sqlite, pg];
  const spent = [0, 0];
  let ordinal = 0;
  let documents = 0;
  const runIds: number[] = [];
  const writers = reused ? [] : await Promise.all(stores.map((s) => s.acquireWriter(BUILD_COMMAND)));
  if (!reused) {
    const identity = embedderIdentity(o.embedder, { chunkTokens: 256, chunkOverlap: 38 });
    for (const s of stores) {
      await s.bindIdentity(identity);
      runIds.push(await s.runs.start(BUILD_COMMAND, ['/bench-stores']));
    }
  }
  let batch: { d: SyntheticDoc; v: Float32Array[] }[] = [];
  let batches = 0;
  let nextReport = o.n / 20;
  const flush = async (): Promise<void> => {
    const order = batches++ % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const [, ms] = await timed(async () => {
        for (const { d, v } of batch) await stores[i]!.replaceDocument(d.doc, d.chunks, v);
      });
      spent[i]! += ms;
    }
    batch = [];
    if (ordinal >= nextReport) {
      progress(`built ${ordinal}/${o.n} chunks: sqlite ${round(spent[0]! / 1000)} s, postgres ${round(spent[1]! / 1000)} s`);
      nextReport += o.n / 20;
    }
  };
  for (const d of syntheticDocs(o.abstracts, o.n, (t) => o.embedder.countTokens(t))) {
    const v = d.chunks.map((c) => {
      const vec = o.embedder.vector(c.text);
      keys.set(`${d.doc.path}#${c.seq}`, ordinal);
      vectors.set(vec, ordinal++ * dims);
      return vec;
    });
    documents++;
    if (reused) continue;
    batch.push({ d, v });
    if (batch.length >= BATCH_DOCS) await flush();
  }
  if (batch.length) await flush();
  let vacuumMs = 0;
  if (!reused) {
    for (const [i, s] of stores.entries()) await s.runs.finish(runIds[i]!, 'completed', { chunks: ordinal, documents, version: SYNTHETIC_VERSION }, [], Math.round(spent[i]!));
    for (const w of writers) await w.release();
    [, vacuumMs] = await timed(() => pg.pool.query('VACUUM ANALYZE chunks'));
  }
  const [sqliteOrdinal, pgOrdinal] = await ordinals({ sqlite, pg, vectors, dims }, keys);
  const runs = reused ? await Promise.all(stores.map(async (s) => (await s.runs.last(1))[0]!.durationMs ?? 0)) : spent;
  const result: BuildResult = {
    chunks: ordinal, documents, reused,
    sqliteSeconds: round(runs[0]! / 1000, 1), postgresSeconds: round(runs[1]! / 1000, 1),
    sqliteChunksPerSec: round(ordinal / (runs[0]! / 1000)), postgresChunksPerSec: round(ordinal / (runs[1]! / 1000)),
    ratioPgOverSqlite: round(runs[0]! / runs[1]!, 2),
    postgresVacuumSeconds: round(vacuumMs / 1000, 1),
    sqliteBytes: await sqlite.sizeBytes(), postgresBytes: await pg.sizeBytes(),
  };
  return { sqlite, pg, vectors, dims, sqliteOrdinal, pgOrdinal, result };
}
