// Why Postgres' keyword ranking differs from SQLite's: nDCG@10 (keyword, hybrid) on a built BEIR index for
// variants of PgView.keywordCandidates, swapped in at run time (src is not changed). Optionally the same
// index copied to SQLite (`docproc copy`: identical chunks and vectors) for the FTS5 bm25 reference.
//   node dist/scripts/bench-stores/pg-keyword-variants.js --db postgres://… --pg-schema scifact_pg
//     --queries queries.jsonl --qrels qrels/train.tsv [--sqlite copy.db] [--variant name ...] [--limit-queries N] [--json]
import { parseArgs } from 'node:util';
import type { PoolClient } from 'pg';
import Table from 'cli-table3';
import type { Candidate } from '../../src/contracts/index-store.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { openEmbedder } from '../../src/pipeline/resources.js';
import { openStore } from '../../src/store/open-store.js';
import { PgView, tsqueryOf } from '../../src/store/postgres/view.js';
import { readQrels, readQueries } from '../retrieval/beir.js';
import { evaluateMode, MemoEmbedder, type ModeResult } from '../retrieval/evaluate.js';

const { values: a } = parseArgs({
  options: {
    db: { type: 'string' }, 'pg-schema': { type: 'string' }, queries: { type: 'string' }, qrels: { type: 'string' },
    sqlite: { type: 'string' }, variant: { type: 'string', multiple: true }, json: { type: 'boolean' }, 'limit-queries': { type: 'string' },
  },
});

type Keyword = (c: PoolClient, text: string, allowed: number[] | null, limit: number) => Promise<Candidate[]>;

/** A ts_rank-family ranking over the stored tsv (english) or an on-the-fly 'simple' tsvector. */
function rankVariant(rank: string, config: 'english' | 'simple' = 'english'): Keyword {
  return async (c, text, allowed, limit) => {
    const q = tsqueryOf(text);
    if (!q) return [];
    const n = q.params.length;
    const sql = config === 'english' ? q.sql : q.sql.replaceAll(`'english'`, `'simple'`);
    const tsv = config === 'english' ? 'tsv' : `to_tsvector('simple', text)`;
    const filter = allowed === null ? '' : `AND document_id = ANY($${n + 2}::bigint[])`;
    const r = await c.query<Candidate>(
      `SELECT id AS "chunkId", document_id AS "documentId", ${rank.replaceAll('TSV', tsv)} AS score
         FROM chunks, (SELECT ${sql} AS query) q WHERE ${tsv} @@ query ${filter}
        ORDER BY score DESC, id LIMIT $${n + 1}`,
      [...q.params, limit, ...(allowed === null ? [] : [allowed])],
    );
    return r.rows;
  };
}

/** N and the mean chunk length (positions, or distinct lexemes: length(tsv)), read once: the index does not change here. */
const corpusStats = new Map<string, Promise<{ n: number; avgdl: number }>>();
function statsOf(c: PoolClient, dl: 'positions' | 'length'): Promise<{ n: number; avgdl: number }> {
  const expr = dl === 'length' ? 'length(tsv)' : '(SELECT sum(coalesce(array_length(positions, 1), 1)) FROM unnest(tsv))';
  let s = corpusStats.get(dl);
  if (!s) corpusStats.set(dl, (s = c.query<{ n: number; avgdl: number }>(`SELECT count(*)::float8 AS n, avg(${expr})::float8 AS avgdl FROM chunks`).then((r) => r.rows[0]!)));
  return s;
}

/**
 * Okapi BM25 as FTS5 computes it (k1 1.2, b 0.75, idf ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6), over the
 * stored english tsvector: tf = positions of the lexeme in the chunk, length = positions in the chunk, n
 * counted through the GIN index. Candidates are the same `tsv @@ query` rows as today; only the score changes.
 */
const bm25 = (dl: 'positions' | 'length' = 'positions', b = 0.75): Keyword => async (c, text, allowed, limit) => {
  const q = tsqueryOf(text);
  if (!q) return [];
  const { n: total, avgdl } = await statsOf(c, dl);
  const n = q.params.length;
  const p = (i: number): string => `$${n + i}`;
  const filter = allowed === null ? '' : `AND document_id = ANY(${p(5)}::bigint[])`;
  const r = await c.query<Candidate>(
    `WITH query AS (SELECT ${q.sql} AS query),
          terms AS MATERIALIZED (SELECT l.lexeme, (SELECT count(*) FROM chunks WHERE tsv @@ quote_literal(l.lexeme)::tsquery)::float8 AS df
                      FROM unnest(tsvector_to_array(to_tsvector('english', array_to_string(${p(2)}::text[], ' ')))) AS l(lexeme)),
          cand AS MATERIALIZED (SELECT id, document_id, tsv FROM chunks, query WHERE tsv @@ query.query ${filter})
     SELECT cand.id AS "chunkId", cand.document_id AS "documentId",
            sum(greatest(ln((${p(3)}::float8 - terms.df + 0.5) / (terms.df + 0.5)), 1e-6)
                * (u.tf * 2.2) / (u.tf + 1.2 * (${1 - b} + ${b} * d.dl / ${p(4)}::float8))) AS score
       FROM cand
       CROSS JOIN LATERAL (SELECT ${dl === 'length' ? 'length(cand.tsv)::float8 AS dl' : 'sum(coalesce(array_length(positions, 1), 1))::float8 AS dl FROM unnest(cand.tsv)'}) d
       CROSS JOIN LATERAL (SELECT lexeme, coalesce(array_length(positions, 1), 1)::float8 AS tf FROM unnest(cand.tsv)) u
       JOIN terms ON terms.lexeme = u.lexeme
      GROUP BY cand.id, cand.document_id
      ORDER BY score DESC, cand.id LIMIT ${p(1)}`,
    [...q.params, limit, q.params, total, avgdl, ...(allowed === null ? [] : [allowed])],
  );
  return r.rows;
};

/**
 * A cheaper BM25 stand-in: Σ over query lexemes of idf × ts_rank(tsv, lexeme, norm). ts_rank of one lexeme
 * grows with its count and saturates (Σ 1/i², as BM25's tf saturates); idf is what ts_rank lacks.
 */
const idfTsRank = (norm: number): Keyword => async (c, text, allowed, limit) => {
  const q = tsqueryOf(text);
  if (!q) return [];
  const { n: total } = await statsOf(c, 'length');
  const n = q.params.length;
  const p = (i: number): string => `$${n + i}`;
  const filter = allowed === null ? '' : `AND document_id = ANY(${p(4)}::bigint[])`;
  const r = await c.query<Candidate>(
    `WITH query AS MATERIALIZED (SELECT ${q.sql} AS query),
          terms AS MATERIALIZED (SELECT quote_literal(l.lexeme)::tsquery AS tq,
                   greatest(ln((${p(3)}::float8 - df + 0.5) / (df + 0.5)), 1e-6) AS idf
              FROM unnest(tsvector_to_array(to_tsvector('english', array_to_string(${p(2)}::text[], ' ')))) AS l(lexeme),
              LATERAL (SELECT count(*)::float8 AS df FROM chunks WHERE tsv @@ quote_literal(l.lexeme)::tsquery) d)
     SELECT id AS "chunkId", document_id AS "documentId",
            (SELECT sum(terms.idf * ts_rank(chunks.tsv, terms.tq, ${norm})) FROM terms) AS score
       FROM chunks, query WHERE tsv @@ query.query ${filter}
      ORDER BY score DESC, id LIMIT ${p(1)}`,
    [...q.params, limit, q.params, total, ...(allowed === null ? [] : [allowed])],
  );
  return r.rows;
};

const VARIANTS: Record<string, Keyword> = {
  'ts_rank(tsv, q, 1) [until 2026-11-29]': rankVariant('ts_rank(TSV, query, 1)'),
  'ts_rank(tsv, q, 0)': rankVariant('ts_rank(TSV, query, 0)'),
  'ts_rank(tsv, q, 2)': rankVariant('ts_rank(TSV, query, 2)'),
  'ts_rank(tsv, q, 8)': rankVariant('ts_rank(TSV, query, 8)'),
  'ts_rank_cd(tsv, q, 0)': rankVariant('ts_rank_cd(TSV, query, 0)'),
  'ts_rank_cd(tsv, q, 1)': rankVariant('ts_rank_cd(TSV, query, 1)'),
  'ts_rank_cd(tsv, q, 2)': rankVariant('ts_rank_cd(TSV, query, 2)'),
  'ts_rank_cd(tsv, q, 32)': rankVariant('ts_rank_cd(TSV, query, 32)'),
  "ts_rank(simple, q, 1)": rankVariant('ts_rank(TSV, query, 1)', 'simple'),
  'bm25 (k1 1.2, b 0.75) over tsv': bm25(),
  'bm25, length = length(tsv)': bm25('length'),
  'bm25, b 0 (no length normalisation)': bm25('positions', 0),
  'idf x ts_rank(tsv, lexeme, 0) [PgView now]': idfTsRank(0),
  'idf x ts_rank(tsv, lexeme, 1)': idfTsRank(1),
};

interface Row {
  variant: string;
  keyword?: ModeResult;
  hybrid?: ModeResult;
  vector?: ModeResult;
}

async function main(): Promise<void> {
  if (!a.db || !a['pg-schema'] || !a.queries || !a.qrels) throw new Error('--db, --pg-schema, --queries and --qrels are required');
  const qrels = readQrels(a.qrels);
  const queries = readQueries(a.queries).filter((q) => qrels.has(q.id)).slice(0, a['limit-queries'] ? Number(a['limit-queries']) : undefined);
  const config = loadConfig({ flags: { quiet: true } });
  const embedder = new MemoEmbedder(await openEmbedder(config, createLogger({ level: 'warn' })));
  const rows: Row[] = [];
  const original = PgView.prototype.keywordCandidates;
  try {
    const names = a.variant?.length ? a.variant : Object.keys(VARIANTS);
    // The 'simple' variant reads to_tsvector('simple', text): an expression index in this benchmark schema
    // makes it a fair comparison (the store itself would store a 'simple' tsv column).
    if (names.some((v) => v.includes('simple'))) {
      const { default: pgm } = await import('pg');
      const c = new pgm.Client({ connectionString: a.db });
      await c.connect();
      await c.query(`CREATE INDEX IF NOT EXISTS bench_chunks_tsv_simple ON "${a['pg-schema']}".chunks USING gin (to_tsvector('simple', text))`);
      await c.end();
    }
    const pg = await openStore(a.db, { pgSchema: a['pg-schema'], readonly: true });
    rows.push({ variant: 'postgres vector (unchanged by the variants)', vector: await evaluateMode(pg, embedder, queries, qrels, 'vector') });
    for (const name of names) {
      const kw = VARIANTS[name];
      if (!kw) throw new Error(`no variant "${name}": ${Object.keys(VARIANTS).join(', ')}`);
      PgView.prototype.keywordCandidates = function (this: PgView, text, allowed, limit) {
        return kw((this as unknown as { c: PoolClient }).c, text, allowed, limit);
      };
      const row: Row = { variant: `postgres ${name}` };
      row.keyword = await evaluateMode(pg, null, queries, qrels, 'keyword');
      row.hybrid = await evaluateMode(pg, embedder, queries, qrels, 'hybrid');
      rows.push(row);
      process.stderr.write(`${row.variant}: keyword ${row.keyword.ndcg10.toFixed(4)}, hybrid ${row.hybrid.ndcg10.toFixed(4)}\n`);
    }
    PgView.prototype.keywordCandidates = original;
    await pg.close();
    if (a.sqlite) {
      const s = await openStore(a.sqlite, { readonly: true });
      const row: Row = { variant: 'sqlite fts5 bm25 (same chunks and vectors)' };
      for (const mode of ['keyword', 'vector', 'hybrid'] as const) row[mode] = await evaluateMode(s, mode === 'keyword' ? null : embedder, queries, qrels, mode);
      rows.push(row);
      await s.close();
    }
  } finally {
    PgView.prototype.keywordCandidates = original;
    await embedder.close();
  }
  if (a.json) {
    process.stdout.write(JSON.stringify({ queries: queries.length, rows }, null, 2) + '\n');
    return;
  }
  const t = new Table({ style: { head: [], border: [] }, head: ['ranking', 'keyword nDCG@10', 'vector nDCG@10', 'hybrid nDCG@10', 'keyword mean ms', 'hybrid mean ms'] });
  const f = (m?: ModeResult, k: 'ndcg10' | 'meanMs' = 'ndcg10'): string => (m ? m[k].toFixed(k === 'ndcg10' ? 4 : 1) : '');
  for (const r of rows) t.push([r.variant, f(r.keyword), f(r.vector), f(r.hybrid), f(r.keyword, 'meanMs'), f(r.hybrid, 'meanMs')]);
  process.stdout.write(`${queries.length} queries\n${t.toString()}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`pg-keyword-variants: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
