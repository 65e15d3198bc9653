// SQL for search: FTS5 keyword candidates, vec0 / brute-force vector candidates, and hit rows.
import type { Database } from 'better-sqlite3';

/** A ranked candidate from one retriever: higher score is better. */
export interface Candidate {
  chunkId: number;
  documentId: number;
  score: number;
}

export interface ChunkRow {
  chunkId: number;
  documentId: number;
  seq: number;
  text: string;
  loc: string;
  path: string;
  relPath: string;
  root: string;
  type: string | null;
}

/** Documents as the filters see them: filtering happens in JS (globs), the ids go back into SQL. */
export interface FilterableDocument {
  id: number;
  path: string;
  relPath: string;
  type: string | null;
  mtimeMs: number | null;
}

export function listFilterableDocuments(db: Database): FilterableDocument[] {
  return db
    .prepare('SELECT id, path, rel_path AS relPath, type, mtime_ms AS mtimeMs FROM documents WHERE chunk_count > 0')
    .all() as FilterableDocument[];
}

export function countChunks(db: Database): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
}

export function hasVectorTable(db: Database): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'vec_chunks'").get();
}

// `allowed` is a JSON array of document ids, or null for no filter. Passing it as one bound
// parameter through json_each keeps the statement text constant whatever the filter size.
const DOC_FILTER = '(@allowed IS NULL OR c.document_id IN (SELECT value FROM json_each(@allowed)))';

/**
 * FTS5 candidates ordered by bm25 (FTS5 returns it negated: smaller is better, so the score is -bm25).
 * `match` must already be a safe FTS5 expression (see search/fts-query.ts). FTS5 fixes bm25's k1/b at
 * 1.2/0.75; only per-column weights are tunable, and chunks_fts has one column, so bm25() takes none.
 */
export function keywordCandidates(db: Database, match: string, allowed: number[] | null, limit: number): Candidate[] {
  const rows = db
    .prepare(
      `SELECT c.id AS chunkId, c.document_id AS documentId, -bm25(chunks_fts) AS score
         FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
        WHERE chunks_fts MATCH @match AND ${DOC_FILTER}
        ORDER BY bm25(chunks_fts) LIMIT @limit`,
    )
    .all({ match, allowed: allowed && JSON.stringify(allowed), limit }) as Candidate[];
  return rows;
}

/** sqlite-vec's vec0 refuses a KNN `k` above 4096. */
export const MAX_VECTOR_CANDIDATES = 4096;

/** Cosine of one stored chunk to a query vector (both L2-normalised, so the dot product). */
export function chunkSimilarity(db: Database, chunkId: number, query: Float32Array): number | undefined {
  const row = db.prepare('SELECT embedding AS e FROM vec_chunks WHERE rowid = ?').get(BigInt(chunkId)) as { e: Buffer } | undefined;
  if (!row) return undefined;
  const v = new Float32Array(row.e.buffer.slice(row.e.byteOffset, row.e.byteOffset + row.e.byteLength));
  let dot = 0;
  for (let i = 0; i < v.length && i < query.length; i++) dot += v[i]! * query[i]!;
  return dot;
}

const vecBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * Vector candidates, score = 1 - cosine distance (vectors are L2-normalised), from the vec0 KNN index.
 * A filter constrains the KNN itself (`rowid IN` the allowed chunks), so it can never be starved by
 * better-scoring chunks outside it, as post-filtering a short list would be. On SciFact's 9.7k chunks
 * this was 2-5x faster than an exact vec_distance_cosine scan over the same rows, with the same ranking.
 */
export function vectorCandidates(db: Database, query: Float32Array, allowed: number[] | null, limit: number): Candidate[] {
  const filter = allowed === null ? '' :
    'AND rowid IN (SELECT c.id FROM chunks c WHERE c.document_id IN (SELECT value FROM json_each(@allowed)))';
  return db
    .prepare(
      `SELECT knn.rowid AS chunkId, c.document_id AS documentId, 1 - knn.distance AS score
         FROM (SELECT rowid, distance FROM vec_chunks WHERE embedding MATCH @q AND k = @limit ${filter}) knn
         JOIN chunks c ON c.id = knn.rowid
        ORDER BY knn.distance`,
    )
    .all({ q: vecBlob(query), limit, ...(allowed === null ? {} : { allowed: JSON.stringify(allowed) }) }) as Candidate[];
}

export function chunkRows(db: Database, chunkIds: number[]): Map<number, ChunkRow> {
  const rows = db
    .prepare(
      `SELECT c.id AS chunkId, c.document_id AS documentId, c.seq, c.text, c.loc,
              d.path, d.rel_path AS relPath, d.root, d.type
         FROM chunks c JOIN documents d ON d.id = c.document_id
        WHERE c.id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(chunkIds)) as ChunkRow[];
  return new Map(rows.map((r) => [r.chunkId, r]));
}
