// bm25 top-k from the keyword postings (keyword-index.ts): FTS5's formula, constants, statistics and summation
// order, so every score is the one bm25(chunks_fts) returns, bit for bit, and the order is FTS5's with ties by id.
// (Bit for bit where SQLite is compiled without fused multiply-add, as x86-64 builds are; elsewhere a score may
// differ in its last bit, which can only swap near-ties.)
import type { Database } from 'better-sqlite3';
import { statement } from './statements.js';
import { blobU16, hasKeywordIndex, KW_BLOCK, keywordTotals, type KeywordTotals } from './keyword-index.js';
import { queryTokens } from './keyword-tokens.js';

/** FTS5's bm25 constants (fts5_aux.c fixes them; bm25() takes no k1 or b). */
const K1 = 1.2;
const B = 0.75;
/** 2^26 chunk ids: a 512 MB score array. */
const MAX_SLOTS = 1 << 26;

/** [chunk id, score], best first; score = -bm25(chunks_fts). */
export type Ranked = [number, number];

/**
 * The top `k` chunks for the OR of `terms` (chunks in `allowed` only, when given), or undefined where the postings
 * cannot stand in for FTS5: none built, totals that differ from FTS5's (an index written by a path that bypassed
 * them), or a term FTS5 reads as a phrase of several tokens.
 */
export function postingsTopK(db: Database, terms: string[], k: number, allowed: Set<number> | null): Ranked[] | undefined {
  if (!hasKeywordIndex(db)) return undefined;
  const fts = ftsTotals(db);
  const mine = keywordTotals(db);
  if (!fts || !mine || fts.rows !== mine.rows || fts.tokens !== mine.tokens) return undefined;
  // The query's tokens come from a temp table: where the connection cannot make one (no temp space), FTS5 answers.
  let tokens: string[] | undefined;
  try {
    tokens = queryTokens(db, terms);
  } catch {
    return undefined;
  }
  if (!tokens) return undefined;
  if (!fts.rows || k <= 0) return [];
  const avgdl = fts.tokens / fts.rows;
  const lengths = readLengths(db);
  const slots = lengths.length * KW_BLOCK;
  // A score per chunk id: ids far beyond the chunk count (never made by SQLite's max+1 ids) are left to FTS5.
  if (slots > MAX_SLOTS) return undefined;
  const scores = new Float64Array(slots);
  const postings = statement(db, 'SELECT block, data FROM kw_postings WHERE term = ? ORDER BY block').raw();
  for (const token of tokens) {
    const blocks = postings.all(token) as [number, Buffer][];
    let hits = 0;
    for (const [, data] of blocks) hits += data.byteLength >> 2;
    const idf = bm25Idf(db, fts.rows, hits);
    for (const [block, data] of blocks) {
      const pairs = blobU16(data);
      const lens = lengths[block];
      if (!lens) return undefined;
      const base = block * KW_BLOCK;
      for (let i = 0; i < pairs.length; i += 2) {
        const slot = pairs[i]!;
        const id = base + slot;
        const f = pairs[i + 1]!;
        const D = lens[slot]!;
        // fts5Bm25Function's expression, operation for operation.
        scores[id] = scores[id]! + idf * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + (B * D) / avgdl)));
      }
    }
  }
  // Every matching chunk scored above 0 (each term adds at least 1e-6 * a positive fraction): no separate list
  // of matches is kept while scoring, the one loop that runs per posting.
  let n = 0;
  const candidates = new Int32Array(slots);
  for (let id = 0; id < slots; id++) if (scores[id]! > 0 && (!allowed || allowed.has(id))) candidates[n++] = id;
  return topK(candidates.subarray(0, n), scores, k);
}

/** FTS5's averages record (%_data id 1): its row count, then each column's total tokens (chunks_fts has one). */
export function ftsTotals(db: Database): KeywordTotals | undefined {
  const block = statement(db, 'SELECT block FROM chunks_fts_data WHERE id = 1').pluck().get() as Buffer | undefined;
  if (!block) return undefined;
  const rows = readVarint(block, 0);
  const tokens = rows && readVarint(block, rows.next);
  return rows && tokens ? { rows: rows.value, tokens: tokens.value } : undefined;
}

/** SQLite's varint (FTS5 uses the same): big-endian 7-bit groups, high bit = more; a 9th byte carries 8 bits. */
export function readVarint(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= b.length) return undefined;
    const byte = b[at + i]!;
    if (i === 8) return { value: v * 256 + byte, next: at + 9 };
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) return { value: v, next: at + i + 1 };
  }
  return undefined;
}

const lnStatements = new WeakMap<Database, ((x: number) => number)>();

/**
 * FTS5's idf, never below 1e-6 as fts5_aux.c clamps it. The logarithm is SQLite's ln(), the C library's log that
 * FTS5 calls, so the last bit agrees too; JavaScript's Math.log where SQLite lacks math functions.
 */
function bm25Idf(db: Database, rows: number, hits: number): number {
  let ln = lnStatements.get(db);
  if (!ln) {
    try {
      const s = db.prepare('SELECT ln(?)').pluck();
      ln = (x) => s.get(x) as number;
    } catch {
      ln = Math.log;
    }
    lnStatements.set(db, ln);
  }
  const idf = ln((rows - hits + 0.5) / (hits + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

/** Chunk lengths by block (undefined for a block with none). */
function readLengths(db: Database): (Uint16Array | undefined)[] {
  const out: (Uint16Array | undefined)[] = [];
  for (const [block, data] of statement(db, 'SELECT block, data FROM kw_lengths').raw().all() as [number, Buffer][]) {
    if (data.byteLength === KW_BLOCK * 2) out[block] = blobU16(data);
  }
  return out;
}

/** The best `k` by score, ties by lower id: a quickselect threshold, then a sort of what clears it. */
function topK(ids: Int32Array, scores: Float64Array, k: number): Ranked[] {
  let keep: number[];
  if (ids.length <= k) keep = Array.from(ids);
  else {
    const s = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++) s[i] = scores[ids[i]!]!;
    const threshold = kthLargest(s, k);
    keep = [];
    for (const id of ids) if (scores[id]! >= threshold) keep.push(id);
  }
  keep.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return keep.slice(0, k).map((id) => [id, scores[id]!]);
}

/** The k-th largest value (1-based) of `a`, which it reorders (Hoare partition, descending). */
export function kthLargest(a: Float64Array, k: number): number {
  const n = k - 1;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (n <= j) hi = j;
    else if (n >= i) lo = i;
    else return a[n]!;
  }
  return a[n]!;
}
