// The SQLite search view: FTS5 keyword candidates, vector candidates (sign first pass rescored exactly, or vec0 KNN)
// and hit rows, read in one snapshot.
import type { Database } from 'better-sqlite3';
import type { Candidate, ChunkRow, FilterableDocument, IndexView } from '../../contracts/index-store.js';
import type { EmbeddingIdentity } from '../../contracts/identity.js';
import type { Loc } from '../../contracts/stages.js';
import { buildMatchExpression } from './fts-query.js';
import { queryTerms } from '../../text/query-terms.js';
import { postingsTopK } from './keyword-search.js';
import { chunkChanges } from './keyword-index.js';
import type { KeywordThread } from './keyword-thread.js';
import { hasVectorTable } from './documents.js';
import { blobVec, hasVectorIndex, readFloat, searchVectorIndex, vecBlob } from './vector-index.js';

/** sqlite-vec's vec0 refuses a KNN `k` above 4096. */
export const MAX_VECTOR_CANDIDATES = 4096;

// `allowed` is a JSON array of document ids, or null for no filter. Passing it as one bound
// parameter through json_each keeps the statement text constant whatever the filter size.
const DOC_FILTER = '(@allowed IS NULL OR c.document_id IN (SELECT value FROM json_each(@allowed)))';

/** `auto`: the quantised first pass with exact rescoring where the index has one; `exact`: the float KNN. */
export type VectorSearch = 'auto' | 'exact';

export interface ViewOptions {
  vectorSearch?: VectorSearch;
  /**
   * Sign-scan candidates rescored exactly: max(min, oversample * k, share * chunks). Measured with bench:search, the
   * defaults keep the top 10 documents of vector search identical to exact KNN for 99.55% of results at 100k chunks
   * and 98.8% at 1M (the rescoring uses vec0's own cosine, so near-ties rank alike); the share (0.4%: 4,000
   * candidates at 1M) is what 1M needs: with 1,600 it was 96.8% (near-ties counted), with 10,000 no better.
   */
  firstPass?: { min: number; oversample: number; share?: number };
  /** Where a hybrid search may send its keyword half (the store's; none for an in-memory index). */
  keywordThread?: KeywordThread;
}

export const DEFAULT_FIRST_PASS = { min: 1000, oversample: 4, share: 0.004 };

export class SqliteView implements IndexView {
  readonly maxVectorCandidates = MAX_VECTOR_CANDIDATES;

  constructor(private readonly db: Database, private readonly readIdentity: () => EmbeddingIdentity | undefined, private readonly opts: ViewOptions = {}) {}

  private approximate?: boolean;

  /** The sign first pass is used unless exact search was asked for or the index predates it (read-only, unmigrated). */
  private get useFirstPass(): boolean {
    this.approximate ??= this.opts.vectorSearch !== 'exact' && hasVectorIndex(this.db);
    return this.approximate;
  }

  /** How vectorCandidates searches this index (benchmarks report it). */
  vectorMethod(): string {
    if (!this.useFirstPass) return 'exact vec0 KNN (float)';
    const f = this.opts.firstPass ?? DEFAULT_FIRST_PASS;
    return `sign-bit first pass, max(${f.min}, ${f.oversample}k${f.share ? `, ${f.share * 100}% of chunks` : ''}) candidates rescored exactly (float)`;
  }

  async identity(): Promise<EmbeddingIdentity | undefined> {
    return this.readIdentity();
  }

  async hasChunks(): Promise<boolean> {
    return this.db.prepare('SELECT EXISTS (SELECT 1 FROM chunks)').pluck().get() === 1;
  }

  async hasVectors(): Promise<boolean> {
    return hasVectorTable(this.db);
  }

  async filterableDocuments(): Promise<FilterableDocument[]> {
    return this.db
      .prepare('SELECT id, path, rel_path AS relPath, type, mtime_ms AS mtimeMs FROM documents WHERE chunk_count > 0')
      .all() as FilterableDocument[];
  }

  /**
   * Keyword candidates by bm25, best first, ties by lower chunk id (FTS5 returns bm25 negated: smaller is better,
   * so the score is -bm25). The keyword postings answer where they can (keyword-search.ts: the same scores, 5-6x
   * faster at 100k chunks); FTS5's bm25() otherwise. FTS5 fixes k1/b at 1.2/0.75; chunks_fts has one column.
   */
  async keywordCandidates(text: string, allowed: number[] | null, limit: number): Promise<Candidate[]> {
    const terms = queryTerms(text);
    if (!terms.length) return [];
    const fast = postingsTopK(this.db, terms, limit, allowed === null ? null : this.chunksOf(allowed));
    if (fast) return this.withDocuments(fast);
    const match = buildMatchExpression(text)!;
    if (allowed === null) {
      // FTS5 ranks first and only the top `limit` rows get their document: joining every match to chunks before
      // the sort cost more than the bm25 ranking itself (2.7x slower at 100k chunks).
      const ranked = this.db
        .prepare('SELECT rowid, -bm25(chunks_fts) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts), rowid LIMIT ?')
        .raw().all(match, limit) as [number, number][];
      return this.withDocuments(ranked);
    }
    return this.db
      .prepare(
        `SELECT c.id AS chunkId, c.document_id AS documentId, -bm25(chunks_fts) AS score
           FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
          WHERE chunks_fts MATCH @match AND ${DOC_FILTER}
          ORDER BY bm25(chunks_fts), c.id LIMIT @limit`,
      )
      .all({ match, allowed: allowed && JSON.stringify(allowed), limit }) as Candidate[];
  }

  /**
   * The keyword half on the index's keyword thread, to run while this thread does the vector half; undefined where
   * it cannot (no thread, an index without the chunk write counter, or the thread still starting). The thread reads
   * its own snapshot, so its answer counts only where that holds the same chunks as this view's (equal chunk write
   * counters); otherwise (a writer committed in between) the half runs here after all, in this view's snapshot.
   */
  keywordCandidatesBeside(text: string, allowed: number[] | null, limit: number): Promise<Candidate[]> | undefined {
    const thread = this.opts.keywordThread;
    if (!thread) return undefined;
    const mine = chunkChanges(this.db);
    if (mine === undefined || !thread.available()) return undefined;
    return thread.query(text, allowed, limit).then((r) => {
      if (r.changes === mine) return r.candidates;
      thread.stale++;
      return this.keywordCandidates(text, allowed, limit);
    }, () => this.keywordCandidates(text, allowed, limit));
  }

  /** The chunk ids of the given documents (a search filter). */
  private chunksOf(documents: number[]): Set<number> {
    return new Set(this.db
      .prepare('SELECT id FROM chunks WHERE document_id IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(documents)) as number[]);
  }

  /**
   * Vector candidates, score = cosine similarity (vectors are L2-normalised). Where the index has the first pass
   * (vector-index.ts), a sign-bit scan picks max(min, oversample * limit) candidates and their float vectors
   * rank them exactly; at 100k chunks that was 5.7x faster than vec0 with 98.7-99% of the top 10 documents
   * unchanged (bench:search). Otherwise vec0's exact KNN. Either way a filter constrains the search itself (only
   * the allowed chunks are scored), so it can never be starved by better-scoring chunks outside it, as
   * post-filtering a short list would be.
   */
  async vectorCandidates(query: Float32Array, allowed: number[] | null, limit: number): Promise<Candidate[]> {
    if (this.useFirstPass) return this.firstPassCandidates(query, allowed, Math.min(limit, MAX_VECTOR_CANDIDATES));
    const filter = allowed === null ? '' :
      'AND rowid IN (SELECT c.id FROM chunks c WHERE c.document_id IN (SELECT value FROM json_each(@allowed)))';
    return this.db
      .prepare(
        `SELECT knn.rowid AS chunkId, c.document_id AS documentId, 1 - knn.distance AS score
           FROM (SELECT rowid, distance FROM vec_chunks WHERE embedding MATCH @q AND k = @limit ${filter}) knn
           JOIN chunks c ON c.id = knn.rowid
          ORDER BY knn.distance`,
      )
      .all({ q: vecBlob(query), limit: Math.min(limit, MAX_VECTOR_CANDIDATES), ...(allowed === null ? {} : { allowed: JSON.stringify(allowed) }) }) as Candidate[];
  }

  private firstPassCandidates(query: Float32Array, allowed: number[] | null, k: number): Candidate[] {
    const f = this.opts.firstPass ?? DEFAULT_FIRST_PASS;
    const chunks = allowed === null ? null : this.chunksOf(allowed);
    const hits = searchVectorIndex(this.db, query, k, { candidates: Math.max(f.min, f.oversample * k), share: f.share ?? 0, allowed: chunks });
    return this.withDocuments(hits.map((h) => [h.chunkId, h.similarity]));
  }

  /** Ranked (chunk id, score) pairs as candidates with their documents, in the same order. */
  private withDocuments(ranked: [number, number][]): Candidate[] {
    if (!ranked.length) return [];
    const docs = new Map(this.db.prepare('SELECT id, document_id FROM chunks WHERE id IN (SELECT value FROM json_each(?))')
      .raw().all(JSON.stringify(ranked.map(([id]) => id))) as [number, number][]);
    return ranked.flatMap(([chunkId, score]) => {
      const documentId = docs.get(chunkId);
      return documentId === undefined ? [] : [{ chunkId, documentId, score }];
    });
  }

  async chunkRows(chunkIds: number[]): Promise<Map<number, ChunkRow>> {
    const rows = this.db
      .prepare(
        `SELECT c.id AS chunkId, c.document_id AS documentId, c.seq, c.text, c.loc,
                d.path, d.rel_path AS relPath, d.root, d.type
           FROM chunks c JOIN documents d ON d.id = c.document_id
          WHERE c.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(chunkIds)) as (Omit<ChunkRow, 'loc'> & { loc: string })[];
    return new Map(rows.map((r) => [r.chunkId, { ...r, loc: JSON.parse(r.loc) as Loc }]));
  }

  async chunkSimilarity(chunkId: number, query: Float32Array): Promise<number | undefined> {
    if (this.useFirstPass) {
      const v = readFloat(this.db, chunkId);
      return v && dot(v, query);
    }
    const row = this.db.prepare('SELECT embedding AS e FROM vec_chunks WHERE rowid = ?').get(BigInt(chunkId)) as { e: Buffer } | undefined;
    if (!row) return undefined;
    return dot(blobVec(row.e), query);
  }
}

function dot(v: Float32Array, query: Float32Array): number {
  let d = 0;
  for (let i = 0; i < v.length && i < query.length; i++) d += v[i]! * query[i]!;
  return d;
}
