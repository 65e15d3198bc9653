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

export class PgView implements IndexView {
  readonly maxVectorCandidates = MAX_VECTOR_CANDIDATES;

  constructor(private readonly c: PoolClient) {}

  async identity(): Promise<EmbeddingIdentity | undefined> {
    return readIdentity(this.c);
  }

  async countChunks(): Promise<number> {
    return (await this.c.query<{ n: number }>('SELECT COUNT(*) AS n FROM chunks')).rows[0]!.n;
  }

  async hasVectors(): Promise<boolean> {
    return hasVectorColumn(this.c);
  }

  async filterableDocuments(): Promise<FilterableDocument[]> {
    const r = await this.c.query<FilterableDocument>('SELECT id, path, rel_path AS "relPath", type, mtime_ms AS "mtimeMs" FROM documents WHERE chunk_count > 0');
    return r.rows;
  }

  /**
   * ts_rank with normalisation 1 (divided by 1 + log(length)): more matched terms and denser matches score
   * higher, long chunks are not favoured for length alone; the nearest to FTS5's bm25 that Postgres ships.
   */
  async keywordCandidates(text: string, allowed: number[] | null, limit: number): Promise<Candidate[]> {
    const q = tsqueryOf(text);
    if (!q) return [];
    const n = q.params.length;
    const filter = allowed === null ? '' : `AND document_id = ANY($${n + 2}::bigint[])`;
    const r = await this.c.query<Candidate>(
      `SELECT id AS "chunkId", document_id AS "documentId", ts_rank(tsv, query, 1) AS score
         FROM chunks, (SELECT ${q.sql} AS query) q
        WHERE tsv @@ query ${filter}
        ORDER BY score DESC, id LIMIT $${n + 1}`,
      [...q.params, limit, ...(allowed === null ? [] : [allowed])],
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
