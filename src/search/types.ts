// The search contract: what a caller asks for and what comes back (plain data, no presentation).
import type { Loc } from '../contracts/stages.js';

export type SearchMode = 'hybrid' | 'vector' | 'keyword';
export type GroupBy = 'document' | 'chunk';

export interface SearchQuery {
  text: string;
  limit: number;
  mode: SearchMode;
  /** Globs matched against the path relative to its root and the absolute path (either may match). */
  paths?: string[];
  /** Detected document types, e.g. ['pdf', 'docx']. */
  types?: string[];
  /** Only documents whose file was modified at or after this instant. */
  since?: Date;
  /**
   * Drop hits below this: BM25 in keyword mode, cosine similarity in vector and hybrid mode (the fused
   * hybrid score is normalised per query, so a threshold on it would mean nothing across queries).
   */
  minScore?: number;
  groupBy: GroupBy;
  explain?: boolean;
  /** How many candidates each retriever contributes before fusion (default 100). */
  candidates?: number;
}

export interface SearchExplain {
  keywordRank?: number;
  /** bm25, sign flipped so higher is better. */
  keywordScore?: number;
  vectorRank?: number;
  /** Cosine similarity. */
  vectorScore?: number;
  fused: number;
}

export interface SearchHit {
  rank: number;
  score: number;
  /** Absolute path of the document. */
  path: string;
  relPath: string;
  documentId: number;
  chunkId: number;
  seq: number;
  text: string;
  location: Loc;
  type: string | null;
  snippet: string;
  /** [start, end) ranges in `snippet`. */
  highlights: [number, number][];
  /** Cosine similarity of the hit to the query (vector and hybrid modes): comparable across queries. */
  similarity?: number;
  explain?: SearchExplain;
}
