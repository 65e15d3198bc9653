// searchIndex: keyword, vector or hybrid retrieval over any IndexStore, in one read snapshot.
import type { Embedder } from '../contracts/stages.js';
import type { Candidate, IndexStore, IndexView } from '../contracts/index-store.js';
import { assertSameIdentity, embedderIdentity, type EmbeddingIdentity } from '../contracts/identity.js';
import { DocprocError, UsageError } from '../errors.js';
import { allowedDocumentIds } from './filters.js';
import { queryTerms } from '../text/query-terms.js';
import { DEFAULT_FUSION, fuse, type Fused, type FusionOptions, type RankedList } from './fusion.js';
import { makeSnippet } from './snippet.js';
import type { SearchHit, SearchQuery } from './types.js';

export const DEFAULT_CANDIDATES = 100;
// Grouping by document needs more chunk candidates than documents: a long document can fill a short list.
const CHUNKS_PER_DOCUMENT_CANDIDATE = 4;

export interface SearchOptions {
  /** Override the measured default fusion (the retrieval benchmark sweeps these). */
  fusion?: FusionOptions;
  /** Told when a search had to consider fewer candidates than asked for (vec0 caps k). */
  onWarning?: (message: string) => void;
}

/** Every search reads one consistent snapshot: a writer committing during the query embedding is invisible. */
export async function searchIndex(
  store: IndexStore,
  embedder: Embedder | Promise<Embedder> | null,
  q: SearchQuery,
  opts: SearchOptions = {},
): Promise<SearchHit[]> {
  validate(q);
  return store.snapshot((view) => searchSnapshot(view, store.location, embedder, q, opts));
}

async function searchSnapshot(view: IndexView, location: string, embedder: Embedder | Promise<Embedder> | null, q: SearchQuery, opts: SearchOptions): Promise<SearchHit[]> {
  if (!(await view.hasChunks())) {
    throw new DocprocError('nothing indexed yet', { code: 'empty-index', hint: 'run docproc ingest <paths>' });
  }
  const needsVectors = q.mode !== 'keyword';
  const identity = needsVectors ? await vectorIdentity(view) : undefined;

  const allowed = await allowedDocumentIds(view, q);
  if (allowed !== null && allowed.length === 0) return [];
  const byDocument = q.groupBy === 'document';
  const want = Math.max(q.candidates ?? DEFAULT_CANDIDATES, q.limit);
  const chunkLimit = byDocument ? want * CHUNKS_PER_DOCUMENT_CANDIDATE : want;
  const vectorLimit = Math.min(chunkLimit, view.maxVectorCandidates);
  if (needsVectors && vectorLimit < chunkLimit) {
    opts.onWarning?.(`only the ${view.maxVectorCandidates} nearest chunks are considered (the store's limit); asked for ${chunkLimit}`);
  }

  // The model loads and runs off the main thread (a caller may pass it still loading): start it first, so the
  // FTS query overlaps with it. A rejection is handled where it is awaited, after the keyword query.
  const queryVector = identity ? embedQuery(embedder, identity, location, q.text) : null;
  queryVector?.catch(() => undefined);
  // With the model loaded, a hybrid search's keyword half runs beside (the store's keyword thread) while this thread
  // does the vector half; with the model still loading (a one-shot CLI search) it overlaps the load here instead.
  const modelLoaded = embedder !== null && !('then' in embedder);
  const beside = q.mode === 'hybrid' && modelLoaded ? view.keywordCandidatesBeside?.(q.text, allowed, chunkLimit) : undefined;
  beside?.catch(() => undefined); // awaited below; a vector half that throws first must not leave it unhandled
  let keyword: Candidate[] = [];
  if (q.mode !== 'vector' && !beside) keyword = await view.keywordCandidates(q.text, allowed, chunkLimit);
  let vector: Candidate[] = [];
  if (queryVector) {
    const [qv] = await queryVector;
    vector = await view.vectorCandidates(qv!, allowed, vectorLimit);
  }
  if (beside) keyword = await beside;
  const vectorOf = queryVector ? (await queryVector)[0]! : null;

  const keyOf = (c: Candidate): number => (byDocument ? c.documentId : c.chunkId);
  const kwList = rankList(keyword, keyOf, want);
  const vecList = rankList(vector, keyOf, want);
  const fused = fuse(kwList.list, vecList.list, opts.fusion ?? DEFAULT_FUSION);
  // Per document, show the chunk that is strongest on the fused chunk-level scale.
  const chunkFused = byDocument ? new Map(fuse(rankList(keyword, (c) => c.chunkId, chunkLimit).list,
    rankList(vector, (c) => c.chunkId, chunkLimit).list, opts.fusion ?? DEFAULT_FUSION).map((f) => [f.key, f.fused])) : null;

  const picked: Picked[] = [];
  for (const f of fused) {
    const kwChunk = kwList.chunkOf.get(f.key);
    const vecChunk = vecList.chunkOf.get(f.key);
    let chunkId = (kwChunk ?? vecChunk)!;
    if (chunkFused && kwChunk !== undefined && vecChunk !== undefined) {
      chunkId = (chunkFused.get(vecChunk) ?? 0) > (chunkFused.get(kwChunk) ?? 0) ? vecChunk : kwChunk;
    }
    // The cosine of the result to the query: its vector score, or (a keyword-only hit) its chunk's own cosine.
    const similarity = vectorOf ? (f.vectorScore ?? (await view.chunkSimilarity(chunkId, vectorOf))) : undefined;
    const score = q.mode === 'keyword' ? f.keywordScore! : q.mode === 'vector' ? f.vectorScore! : f.fused;
    if (q.minScore !== undefined && minScoreBasis(q.mode, score, similarity) < q.minScore) continue;
    picked.push({ f, chunkId, score, similarity });
    if (picked.length >= q.limit) break;
  }
  return toHits(view, picked, q);
}

interface Picked {
  f: Fused;
  chunkId: number;
  score: number;
  similarity?: number;
}

/**
 * What --min-score compares against. The fused hybrid score is min-max normalised per query (the best vector
 * hit always gets at least alpha), so it ranks within a query but means nothing across queries; the cosine
 * similarity does, so hybrid thresholds apply to it. Keyword mode compares BM25, vector mode the cosine.
 */
function minScoreBasis(mode: SearchQuery['mode'], score: number, similarity: number | undefined): number {
  if (mode === 'hybrid') return similarity ?? -Infinity;
  return score;
}

function validate(q: SearchQuery): void {
  if (!q.text.trim()) throw new UsageError('empty query', 'pass what to look for, e.g. docproc search "error budget"');
  if (!Number.isInteger(q.limit) || q.limit < 1) throw new UsageError(`--limit must be a positive integer, got ${q.limit}`);
  if (q.since && Number.isNaN(q.since.getTime())) throw new UsageError('--since is not a valid date');
}

async function vectorIdentity(view: IndexView): Promise<EmbeddingIdentity> {
  const identity = await view.identity();
  if (!identity || !(await view.hasVectors())) {
    throw new DocprocError('the index has no vectors', { code: 'no-vectors', hint: 'search with --mode keyword, or re-run docproc ingest' });
  }
  return identity;
}

async function embedQuery(embedderOrLoading: Embedder | Promise<Embedder> | null, identity: EmbeddingIdentity, location: string, text: string): Promise<Float32Array[]> {
  const embedder = await embedderOrLoading;
  if (!embedder) throw new Error(`searchIndex: mode needs an embedder`);
  // The same check as ingest's; chunk settings do not change a query vector, so the index's are taken.
  assertSameIdentity(location, identity, embedderIdentity(embedder, identity),
    `search with --model ${identity.modelName} (or unset DOCPROC_MODEL / the config file's model), or rebuild the index with: docproc ingest --reembed`);
  return embedder.embed([text], 'query');
}

/** Deduplicates candidates by key (the first, best, chunk per key wins) and keeps the top `limit`. */
function rankList(cands: Candidate[], keyOf: (c: Candidate) => number, limit: number): { list: RankedList; chunkOf: Map<number, number> } {
  const list: RankedList = { keys: [], scores: [] };
  const chunkOf = new Map<number, number>();
  for (const c of cands) {
    const key = keyOf(c);
    if (chunkOf.has(key)) continue;
    chunkOf.set(key, c.chunkId);
    list.keys.push(key);
    list.scores.push(c.score);
    if (list.keys.length >= limit) break;
  }
  return { list, chunkOf };
}

async function toHits(view: IndexView, picked: Picked[], q: SearchQuery): Promise<SearchHit[]> {
  const rows = await view.chunkRows(picked.map((p) => p.chunkId));
  const terms = queryTerms(q.text);
  return picked.map(({ f, chunkId, score, similarity }, i) => {
    const row = rows.get(chunkId)!;
    const { snippet, highlights } = makeSnippet(row.text, terms);
    const hit: SearchHit = {
      rank: i + 1, score, path: row.path, relPath: row.relPath, documentId: row.documentId, chunkId,
      seq: row.seq, text: row.text, location: row.loc, type: row.type, snippet, highlights,
      ...(similarity !== undefined ? { similarity } : {}),
    };
    if (q.explain) {
      hit.explain = { keywordRank: f.keywordRank, keywordScore: f.keywordScore, vectorRank: f.vectorRank, vectorScore: f.vectorScore, fused: f.fused };
    }
    return hit;
  });
}
