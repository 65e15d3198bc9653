// The Postgres search view: tsquery keyword candidates, HNSW vector candidates and hit rows, in one snapshot.
import type { PoolClient } from 'pg';
import type { Candidate, ChunkRow, FilterableDocument, IndexView } from '../../contracts/index-store.js';
import type { EmbeddingIdentity } from '../../contracts/identity.js';
import { queryTerms } from '../../text/query-terms.js';
import { hasVectorColumn } from './documents.js';
import { readIdentity } from './identity.js';
import { vectorParam } from './values.js';

/** Iterative index scans have no hard cap like sqlite-vec's k; this bounds what one query may ask. */
export const MAX_VECTOR_CANDIDATES = 10_000;

export interface SearchSettings {
  /** hnsw.ef_search: candidates the HNSW graph walk keeps (pgvector's default is 40). */
  efSearch: number;
  /** hnsw.max_scan_tuples: how far an iterative scan may go looking for rows that pass a filter. */
  maxScanTuples: number;
}

/**
 * Settings for the whole snapshot transaction. Iterative scans (pgvector 0.8) keep walking the graph until
 * LIMIT rows pass the WHERE clause, so a filter never starves the list; relaxed_order may return rows
 * slightly out of order, which the outer ORDER BY in vectorCandidates puts right.
 */
export function searchSettingsSql(s: SearchSettings): string {
  return `SET LOCAL hnsw.ef_search = ${Math.trunc(s.efSearch)}; SET LOCAL hnsw.iterative_scan = relaxed_order; ` +
    `SET LOCAL hnsw.max_scan_tuples = ${Math.trunc(s.maxScanTuples)}`;
}

/**
 * A tsquery OR-ing every term: `plainto_tsquery('english', $1) || plainto_tsquery('english', $2) ...`. Each
 * term is a bound parameter and plainto_tsquery reads no operators, so user text is never tsquery syntax.
 * websearch_to_tsquery would AND the terms; OR with ranking matches SQLite's FTS5 query.
 */
export function tsqueryOf(text: string): { sql: string; params: string[] } | null {
  const terms = queryTerms(text);
  if (!terms.length) return null;
  return { sql: terms.map((_, i) => `plainto_tsquery('english', $${i + 1})`).join(' || '), params: terms };
}

/**
 * The number of chunks, N in idf: the planner's estimate (rows per page at the last ANALYZE times the pages
 * now), which costs nothing; an exact count only before the table was ever analysed (reltuples -1).
 */
const CHUNK_ROWS_SQL = `(SELECT CASE WHEN c.reltuples > 0 AND c.relpages > 0
    THEN greatest(c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::float8), 1)
    ELSE (SELECT greatest(count(*), 1) FROM chunks)::float8 END
  FROM pg_class c WHERE c.oid = 'chunks'::regclass)`;

export class PgView implements IndexView {
  readonly maxVectorCandidates = MAX_VECTOR_CANDIDATES;

  constructor(private readonly c: PoolClient) {}

  async identity(): Promise<EmbeddingIdentity | undefined> {
    return readIdentity(this.c);
  }

  async hasChunks(): Promise<boolean> {
    return (await this.c.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM chunks) AS any')).rows[0]!.any;
  }

  async hasVectors(): Promise<boolean> {
    return hasVectorColumn(this.c);
  }

  async filterableDocuments(): Promise<FilterableDocument[]> {
    const r = await this.c.query<FilterableDocument>('SELECT id, path, rel_path AS "relPath", type, mtime_ms AS "mtimeMs" FROM documents WHERE chunk_count > 0');
    return r.rows;
  }

  /**
   * Σ over the query's lexemes of idf × ts_rank(tsv, lexeme, 0). ts_rank alone has no idf, so a common word
   * weighs as much as a rare one (SciFact keyword nDCG@10 0.597 against FTS5 bm25's 0.694); one lexeme's
   * ts_rank grows with its count in the chunk and saturates, as BM25's tf does, and the idf is BM25's
   * (ln((N - df + 0.5) / (df + 0.5)), floored at 1e-6 like FTS5). Measured on SciFact train: keyword 0.689,
   * hybrid 0.735 (SQLite 0.694 / 0.732), about as fast as plain ts_rank; full BM25 over the tsvector's
   * positions ranked no better and took 3.5x as long (scripts/bench-stores/pg-keyword-variants.ts).
   * df comes from the GIN index; N is the planner's own row estimate (reltuples scaled to the table's current
   * size), counted exactly only while the table has never been analysed: idf barely moves with N.
   */
  async keywordCandidates(text: string, allowed: number[] | null, limit: number): Promise<Candidate[]> {
    const q = tsqueryOf(text);
    if (!q) return [];
    const n = q.params.length;
    const p = (i: number): string => `$${n + i}`;
    const filter = allowed === null ? '' : `AND document_id = ANY(${p(3)}::bigint[])`;
    const r = await this.c.query<Candidate>(
      `WITH query AS MATERIALIZED (SELECT ${q.sql} AS query),
            total AS MATERIALIZED (SELECT ${CHUNK_ROWS_SQL} AS n),
            terms AS MATERIALIZED (
              SELECT quote_literal(l.lexeme)::tsquery AS tq, greatest(ln((total.n - d.df + 0.5) / (d.df + 0.5)), 1e-6) AS idf
                FROM unnest(tsvector_to_array(to_tsvector('english', array_to_string(${p(2)}::text[], ' ')))) AS l(lexeme)
                CROSS JOIN total
                CROSS JOIN LATERAL (SELECT count(*)::float8 AS df FROM chunks WHERE tsv @@ quote_literal(l.lexeme)::tsquery) d)
       SELECT id AS "chunkId", document_id AS "documentId",
              (SELECT sum(terms.idf * ts_rank(chunks.tsv, terms.tq, 0)) FROM terms)::float8 AS score
         FROM chunks, query WHERE tsv @@ query.query ${filter}
        ORDER BY score DESC, id LIMIT ${p(1)}`,
      [...q.params, limit, q.params, ...(allowed === null ? [] : [allowed])],
    );
    return r.rows;
  }

  /**
   * Nearest chunks by cosine distance from the HNSW index, score = 1 - distance. With a filter, the planner
   * either walks the index iteratively (the filter checked on each row it meets) or, for a selective filter,
   * reads the filtered rows exactly. If the index ever comes back short, an exact scan answers instead.
   */
  async vectorCandidates(query: Float32Array, allowed: number[] | null, limit: number): Promise<Candidate[]> {
    if (!(await hasVectorColumn(this.c))) return [];
    const k = Math.min(limit, MAX_VECTOR_CANDIDATES);
    const found = await this.nearest(query, allowed, k, false);
    if (found.length >= k) return found;
    return this.nearest(query, allowed, k, true);
  }

  private async nearest(query: Float32Array, allowed: number[] | null, k: number, exact: boolean): Promise<Candidate[]> {
    const filter = allowed === null ? '' : 'WHERE document_id = ANY($3::bigint[])';
    // `+ 0` hides the ORDER BY from the HNSW index: an exact scan of the rows the filter allows.
    const order = exact ? '(embedding <=> $1) + 0' : 'embedding <=> $1';
    const r = await this.c.query<Candidate>(
      `WITH knn AS MATERIALIZED (
         SELECT id, document_id, embedding <=> $1 AS distance FROM chunks ${filter} ORDER BY ${order} LIMIT $2)
       SELECT id AS "chunkId", document_id AS "documentId", 1 - distance AS score FROM knn WHERE distance IS NOT NULL ORDER BY distance, id`,
      [vectorParam(query), k, ...(allowed === null ? [] : [allowed])],
    );
    return r.rows;
  }

  async chunkRows(chunkIds: number[]): Promise<Map<number, ChunkRow>> {
    const r = await this.c.query<ChunkRow>(
      `SELECT c.id AS "chunkId", c.document_id AS "documentId", c.seq, c.text, c.loc,
              d.path, d.rel_path AS "relPath", d.root, d.type
         FROM chunks c JOIN documents d ON d.id = c.document_id
        WHERE c.id = ANY($1::bigint[])`,
      [chunkIds],
    );
    return new Map(r.rows.map((row) => [row.chunkId, row]));
  }

  async chunkSimilarity(chunkId: number, query: Float32Array): Promise<number | undefined> {
    if (!(await hasVectorColumn(this.c))) return undefined;
    const r = await this.c.query<{ s: number | null }>('SELECT 1 - (embedding <=> $2) AS s FROM chunks WHERE id = $1', [chunkId, vectorParam(query)]);
    const s = r.rows[0]?.s;
    return s === null || s === undefined ? undefined : s;
  }
}
