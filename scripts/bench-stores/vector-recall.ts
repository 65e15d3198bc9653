// Part 2, vector retrieval alone: raw KNN latency and recall for sqlite-vec (vec0, exact), Postgres exact
// (ORDER BY (embedding <=> q) + 0: no index can serve it) and Postgres HNSW at several ef_search, the same
// query vectors, k = 10, 100 and 400 (what a 10-result search by document asks for: 100 candidates x 4 chunks),
// every probe run per query in a rotating order.
import type { PoolClient } from 'pg';
import type { IndexStore } from '../../src/contracts/index-store.js';
import { vecBlob } from '../../src/store/sqlite/vector-index.js';
import { vectorParam } from '../../src/store/postgres/values.js';
import type { Built } from './build.js';
import { latency, progress, recall, round, timed, type Latency } from './stats.js';

export interface ProbeResult {
  probe: string;
  k: number;
  latencyMs: Latency;
  /** recall@k against the brute-force top k over the same vectors in JS. */
  recallVsBruteForce: number;
  /** HNSW only: recall@k against Postgres' exact scan. */
  recallVsPgExact?: number;
  /** The first 10 of this list against the true top 10: what a 10-result search sees (search asks k = 400 by document). */
  recall10VsBruteForce: number;
}

export interface RecallResult {
  queries: number;
  probes: ProbeResult[];
  /** EXPLAIN's scan of chunks per Postgres probe (exact is index-free, HNSW uses the index); SQLite's search method. */
  plans: Record<string, string>;
}

/** The store's own KNN statement shape (see PgView.nearest). */
const pgSql = (exact: boolean): string =>
  `WITH knn AS MATERIALIZED (SELECT id, embedding <=> $1 AS distance FROM chunks ORDER BY ${exact ? '(embedding <=> $1) + 0' : 'embedding <=> $1'} LIMIT $2)
   SELECT id FROM knn ORDER BY distance, id`;

const pgSettings = (ef: number): string =>
  `BEGIN READ ONLY; SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.max_scan_tuples = 100000`;

/** Ordinals of the k nearest by dot product (vectors are unit length), best first. */
function bruteForce(vectors: Float32Array, dims: number, q: Float32Array, k: number): number[] {
  const n = vectors.length / dims;
  const best: { o: number; s: number }[] = [];
  let floor = -Infinity;
  for (let o = 0; o < n; o++) {
    let s = 0;
    const base = o * dims;
    for (let i = 0; i < dims; i++) s += vectors[base + i]! * q[i]!;
    if (best.length < k || s > floor) {
      best.push({ o, s });
      if (best.length > k) {
        best.sort((a, b) => b.s - a.s);
        best.length = k;
      }
      floor = best.length === k ? Math.min(...best.map((b) => b.s)) : -Infinity;
    }
  }
  return best.sort((a, b) => b.s - a.s).map((b) => b.o);
}

async function storeKnn(store: IndexStore, q: Float32Array, k: number): Promise<[number[], number]> {
  const [r, ms] = await timed(() => store.snapshot((v) => v.vectorCandidates(q, null, k)));
  return [r.map((x) => Number(x.chunkId)), ms];
}

async function pgKnn(c: PoolClient, q: Buffer, k: number, exact: boolean, ef: number): Promise<[number[], number]> {
  await c.query(pgSettings(ef));
  try {
    const [r, ms] = await timed(() => c.query<{ id: string | number }>(pgSql(exact), [q, k]));
    return [r.rows.map((x) => Number(x.id)), ms];
  } finally {
    await c.query('COMMIT');
  }
}

/** The scan that reads chunks in the plan chosen for these values (a small table may get a Seq Scan for HNSW too). */
async function plan(c: PoolClient, q: Buffer, k: number, exact: boolean, ef: number): Promise<string> {
  await c.query(pgSettings(ef));
  try {
    const r = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${pgSql(exact)}`, [q, k]);
    return r.rows.map((x) => x['QUERY PLAN']).filter((l) => /Scan.* on chunks/.test(l)).map((l) => l.trim().replace(/^->\s*/, '').replace(/\s+\(cost.*$/, '')).join(' / ');
  } finally {
    await c.query('COMMIT');
  }
}

export async function vectorRecall(b: Built, queryVectors: Float32Array[], efs: number[], ks = [10, 100, 400]): Promise<RecallResult> {
  const kMax = Math.max(...ks);
  progress(`brute-force ground truth for ${queryVectors.length} queries over ${b.vectors.length / b.dims} vectors`);
  const truth = queryVectors.map((q) => bruteForce(b.vectors, b.dims, q, kMax));
  const knn = b.sqlite.db.prepare('SELECT rowid AS id FROM vec_chunks WHERE embedding MATCH ? AND k = ? ORDER BY distance');
  const c = await b.pg.pool.connect();
  try {
    type Probe = { name: string; run: (q: Float32Array, k: number) => Promise<[number[], number]>; ordinal: Map<number, number> };
    const probes: Probe[] = [
      { name: 'sqlite vec0 (exact)', ordinal: b.sqliteOrdinal, run: async (q, k) => timed(() => (knn.all(vecBlob(q), k) as { id: number }[]).map((r) => Number(r.id))) },
      { name: 'postgres exact', ordinal: b.pgOrdinal, run: (q, k) => pgKnn(c, vectorParam(q), k, true, 100) },
      ...efs.map((ef): Probe => ({ name: `postgres hnsw ef_search=${ef}`, ordinal: b.pgOrdinal, run: (q, k) => pgKnn(c, vectorParam(q), k, false, ef) })),
      // What search itself calls, in its snapshot: SQLite's store may answer from its own first pass, not vec0.
      { name: 'sqlite store vectorCandidates', ordinal: b.sqliteOrdinal, run: (q, k) => storeKnn(b.sqlite, q, k) },
      { name: 'postgres store vectorCandidates', ordinal: b.pgOrdinal, run: (q, k) => storeKnn(b.pg, q, k) },
    ];
    const plans: Record<string, string> = {};
    const method = await b.sqlite.snapshot(async (v) => (v as { vectorMethod?: () => string }).vectorMethod?.() ?? 'exact vec0 KNN');
    for (const k of ks) {
      plans[`sqlite vec0 (exact)@${k}`] = 'vec0 KNN';
      plans[`sqlite store vectorCandidates@${k}`] = method;
      plans[`postgres store vectorCandidates@${k}`] = 'as hnsw ef_search=100, in the store snapshot';
    }
    for (const k of ks) {
      plans[`postgres exact@${k}`] = await plan(c, vectorParam(queryVectors[0]!), k, true, 100);
      for (const ef of efs) plans[`postgres hnsw ef_search=${ef}@${k}`] = await plan(c, vectorParam(queryVectors[0]!), k, false, ef);
    }
    // Warm both stores' pages before measuring.
    for (const q of queryVectors.slice(0, 5)) for (const p of probes) await p.run(q, kMax);
    const ms = new Map<string, number[]>();
    const rec = new Map<string, number[]>();
    const recExact = new Map<string, number[]>();
    const rec10 = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, key: string, v: number): void => void (m.get(key) ?? m.set(key, []).get(key)!).push(v);
    for (const [i, q] of queryVectors.entries()) {
      for (const k of ks) {
        const rotated = [...probes.slice(i % probes.length), ...probes.slice(0, i % probes.length)];
        const found = new Map<string, number[]>();
        for (const p of rotated) {
          const [ids, t] = await p.run(q, k);
          const ords = ids.map((id) => p.ordinal.get(id) ?? -1);
          found.set(p.name, ords);
          push(ms, `${p.name}@${k}`, t);
          push(rec, `${p.name}@${k}`, recall(ords, truth[i]!, k));
          push(rec10, `${p.name}@${k}`, recall(ords, truth[i]!, 10));
        }
        for (const p of probes.filter((x) => x.name.includes('hnsw'))) push(recExact, `${p.name}@${k}`, recall(found.get(p.name)!, found.get('postgres exact')!, k));
      }
      if ((i + 1) % 50 === 0) progress(`vector probes: ${i + 1}/${queryVectors.length} queries`);
    }
    const mean = (xs: number[]): number => round(xs.reduce((a, b) => a + b, 0) / xs.length, 4);
    const out: ProbeResult[] = [];
    for (const k of ks) {
      for (const p of probes) {
        const key = `${p.name}@${k}`;
        out.push({
          probe: p.name, k, latencyMs: latency(ms.get(key)!), recallVsBruteForce: mean(rec.get(key)!), recall10VsBruteForce: mean(rec10.get(key)!),
          ...(recExact.has(key) ? { recallVsPgExact: mean(recExact.get(key)!) } : {}),
        });
      }
    }
    return { queries: queryVectors.length, probes: out, plans };
  } finally {
    c.release();
  }
}
