// Keyword postings beside FTS5, so a search scores bm25 itself instead of asking FTS5's bm25() row by row.
//
// Why: bm25() costs ~0.5 µs per matching row (its phrase counts and a %_docsize lookup per row), and an OR of a
// claim's terms matches 41% of a 100k-chunk index: 24 ms a query at 100k, 320 ms at 1M. Here each term's postings
// are read as a few blobs and scored in one pass (keyword-search.ts), with FTS5's own tokens, counts and formula, so
// the ranking and the scores are FTS5's, to the bit.
//
// Layout: per (term, block of BLOCK chunk ids) one blob of little-endian u16 pairs (slot, occurrences) in slot
// order; per block one blob of u16 chunk lengths in tokens; one row of totals: rows and tokens, which must equal
// FTS5's own, and chunk writes counted by trigger against those applied, which must agree, before a search trusts
// the postings (new chunks queue first: keyword-pending.ts). chunks_fts stays the source of truth: matching,
// snippets and any index where the postings cannot answer use it.
import type { Database } from 'better-sqlite3';
import { statement } from './statements.js';
import { tokenise, type Tokenised } from './keyword-tokens.js';

/** Chunk ids per block: small enough that a write rewrites at most 4 KB per term, few enough rows to read. */
export const KW_BLOCK = 1024;
/** Occurrences and lengths are stored in 16 bits; a chunk beyond that turns the postings off (FTS5 answers). */
const MAX_U16 = 0xffff;
const OFF = -1;

export function hasKeywordIndex(db: Database): boolean {
  return (statement(db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('kw_postings', 'kw_lengths', 'kw_totals', 'kw_pending')").pluck().get() as number) === 4;
}

export function createKeywordIndex(db: Database): void {
  // chunk_changes counts every insert and delete on chunks, by trigger, so it also counts writes by code that knows
  // nothing of the postings (a docproc from before them, still running when the index was migrated); the postings
  // count the chunks they applied. A search trusts them only while the two agree.
  db.exec(`
    CREATE TABLE IF NOT EXISTS kw_postings (term TEXT NOT NULL, block INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (term, block)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS kw_lengths (block INTEGER PRIMARY KEY, data BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS kw_pending (chunk_id INTEGER PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS kw_totals (id INTEGER PRIMARY KEY CHECK (id = 1), rows INTEGER NOT NULL, tokens INTEGER NOT NULL,
      chunk_changes INTEGER NOT NULL DEFAULT 0, applied_changes INTEGER NOT NULL DEFAULT 0);
    INSERT OR IGNORE INTO kw_totals (id, rows, tokens) VALUES (1, 0, 0);
    CREATE TRIGGER IF NOT EXISTS kw_chunks_insert AFTER INSERT ON chunks BEGIN
      UPDATE kw_totals SET chunk_changes = chunk_changes + 1 WHERE id = 1;
    END;
    CREATE TRIGGER IF NOT EXISTS kw_chunks_delete AFTER DELETE ON chunks BEGIN
      UPDATE kw_totals SET chunk_changes = chunk_changes + 1 WHERE id = 1;
    END;
  `);
}

/**
 * Chunk inserts and deletes ever committed to the index (counted by trigger; chunks are never updated in place):
 * two snapshots with the same count hold the same chunks and keyword index. Undefined before migration 4.
 */
export function chunkChanges(db: Database): number | undefined {
  if (!hasKeywordIndex(db)) return undefined;
  return statement(db, 'SELECT chunk_changes FROM kw_totals WHERE id = 1').pluck().get() as number | undefined;
}

export interface KeywordTotals {
  rows: number;
  tokens: number;
}

/**
 * The rows and tokens the postings cover; undefined when they are off (a chunk too large for 16 bits) or behind the
 * chunks (a write that bypassed them).
 */
export function keywordTotals(db: Database): KeywordTotals | undefined {
  const t = statement(db, 'SELECT rows, tokens, chunk_changes AS c, applied_changes AS a FROM kw_totals WHERE id = 1').get() as
    (KeywordTotals & { c: number; a: number }) | undefined;
  return t && t.rows !== OFF && t.c === t.a ? { rows: t.rows, tokens: t.tokens } : undefined;
}

/**
 * A blob as u16s. SQLite's buffers need not be 2-byte aligned: an aligned one is viewed in place unless `copy`
 * (the caller will change it), any other is copied.
 */
export function blobU16(b: Buffer, copy = false): Uint16Array {
  if (!copy && b.byteOffset % 2 === 0) return new Uint16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
  const out = new Uint16Array(b.byteLength >> 1);
  Buffer.from(out.buffer).set(b);
  return out;
}
const bytes = (a: Uint16Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Adds chunks (ids with their texts) to the postings, in the caller's transaction. */
export function addPostings(db: Database, rows: [number, string][]): void {
  applyPostings(db, rows, +1);
}

/** Takes chunks out of the postings (their texts as stored), in the caller's transaction. */
export function removePostings(db: Database, rows: [number, string][]): void {
  applyPostings(db, rows, -1);
}

function applyPostings(db: Database, rows: [number, string][], sign: 1 | -1): void {
  if (!rows.length || isOff(db)) return;
  let t: Tokenised | undefined;
  try {
    t = tokenise(db, rows);
  } catch {
    // Where the connection cannot tokenise (no temp space), the document is still written and FTS5 ranks.
    t = undefined;
  }
  if (!t || tooLarge(t)) return turnOff(db);
  const byBlock = new Map<string, [number, [number, number][]]>();
  for (const [term, hits] of t.terms) {
    for (const hit of hits) {
      const block = Math.floor(hit[0] / KW_BLOCK);
      const key = `${block}\u0000${term}`;
      let entry = byBlock.get(key);
      if (!entry) byBlock.set(key, (entry = [block, []]));
      entry[1].push(hit);
    }
  }
  const get = statement(db, 'SELECT data FROM kw_postings WHERE term = ? AND block = ?').pluck();
  const put = statement(db, 'INSERT OR REPLACE INTO kw_postings (term, block, data) VALUES (?, ?, ?)');
  const drop = statement(db, 'DELETE FROM kw_postings WHERE term = ? AND block = ?');
  for (const [key, [block, hits]] of byBlock) {
    const term = key.slice(key.indexOf('\u0000') + 1);
    const old = get.get(term, block) as Buffer | undefined;
    const merged = mergePostings(old ? blobU16(old) : new Uint16Array(0), hits, block * KW_BLOCK, sign);
    if (merged.length) put.run(term, block, bytes(merged));
    else if (old) drop.run(term, block);
  }
  updateLengths(db, t.lengths, sign);
  let tokens = 0;
  for (const n of t.lengths.values()) tokens += n;
  statement(db, 'UPDATE kw_totals SET rows = rows + ?, tokens = tokens + ?, applied_changes = applied_changes + ? WHERE id = 1')
    .run(sign * rows.length, sign * tokens, rows.length);
}

export function isOff(db: Database): boolean {
  return statement(db, 'SELECT rows FROM kw_totals WHERE id = 1').pluck().get() === OFF;
}

function tooLarge(t: Tokenised): boolean {
  for (const n of t.lengths.values()) if (n > MAX_U16) return true;
  return false;
}

/** Postings off for good (until rebuilt): FTS5 answers every keyword search, as before they existed. */
function turnOff(db: Database): void {
  db.exec('DELETE FROM kw_postings; DELETE FROM kw_lengths; DELETE FROM kw_pending');
  statement(db, 'UPDATE kw_totals SET rows = ?, tokens = 0 WHERE id = 1').run(OFF);
}

/** A block's (slot, count) pairs with `hits` (chunk ids) added or taken out, still in slot order. */
export function mergePostings(old: Uint16Array, hits: [number, number][], base: number, sign: 1 | -1): Uint16Array {
  // New chunks take ids above every existing one: their postings append (the common case, checked, not assumed).
  if (sign > 0 && (old.length === 0 || hits[0]![0] - base > old[old.length - 2]!)) {
    const out = new Uint16Array(old.length + hits.length * 2);
    out.set(old);
    hits.forEach(([id, n], i) => { out[old.length + 2 * i] = id - base; out[old.length + 2 * i + 1] = n; });
    return out;
  }
  const change = new Map(hits.map(([id, n]) => [id - base, n]));
  const pairs: [number, number][] = [];
  for (let i = 0; i < old.length; i += 2) if (!change.has(old[i]!)) pairs.push([old[i]!, old[i + 1]!]);
  if (sign > 0) for (const [slot, n] of change) pairs.push([slot, n]);
  pairs.sort((a, b) => a[0] - b[0]);
  return Uint16Array.from(pairs.flat());
}

function updateLengths(db: Database, lengths: Map<number, number>, sign: 1 | -1): void {
  const byBlock = new Map<number, [number, number][]>();
  for (const [id, n] of lengths) {
    const block = Math.floor(id / KW_BLOCK);
    let list = byBlock.get(block);
    if (!list) byBlock.set(block, (list = []));
    list.push([id - block * KW_BLOCK, n]);
  }
  const get = statement(db, 'SELECT data FROM kw_lengths WHERE block = ?').pluck();
  const put = statement(db, 'INSERT OR REPLACE INTO kw_lengths (block, data) VALUES (?, ?)');
  for (const [block, list] of byBlock) {
    const old = get.get(block) as Buffer | undefined;
    const lens = old && old.byteLength === KW_BLOCK * 2 ? blobU16(old, true) : new Uint16Array(KW_BLOCK);
    for (const [slot, n] of list) lens[slot] = sign > 0 ? n : 0;
    put.run(block, bytes(lens));
  }
}

/**
 * (Re)builds the postings from every chunk (an index written before they existed), block by block so memory stays
 * bounded: each block's rows are written once, whole. Returns the chunks indexed.
 */
export function buildKeywordIndex(db: Database): number {
  createKeywordIndex(db);
  db.exec('DELETE FROM kw_postings; DELETE FROM kw_lengths; DELETE FROM kw_pending');
  statement(db, 'UPDATE kw_totals SET rows = 0, tokens = 0 WHERE id = 1').run();
  const next = statement(db, 'SELECT MIN(id) FROM chunks WHERE id >= ?').pluck();
  const read = statement(db, 'SELECT id, text FROM chunks WHERE id >= ? AND id < ? ORDER BY id').raw();
  let n = 0;
  for (let from = 0; !isOff(db); ) {
    const first = next.get(from) as number | null;
    if (first === null) break;
    const block = Math.floor(first / KW_BLOCK);
    from = (block + 1) * KW_BLOCK;
    const rows = read.all(block * KW_BLOCK, from) as [number, string][];
    // An empty block has no rows: addPostings reads no old blob and writes each (term, block) once.
    addPostings(db, rows);
    n += rows.length;
  }
  // The postings now cover every chunk, whatever wrote them.
  statement(db, 'UPDATE kw_totals SET applied_changes = chunk_changes WHERE id = 1').run();
  return n;
}
