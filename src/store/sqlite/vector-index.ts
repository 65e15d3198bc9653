// The SQLite vector first pass: one sign bit per dimension, packed in blocks of chunk ids and scanned in JS
// against the float query (asymmetric scoring), then the best candidates rescored exactly from a per-row float
// table. Beside vec0, which keeps every vector for exports and exact (filtered, old-index) search.
//
// Why not vec0 itself: measured at 100k chunks, its KNN costs grow with k (bit[384] hamming: 7 ms at k=10,
// 69 ms at k=400, 230 ms at k=1000: it selects each 1024-vector chunk's top k by repeated scans) and a point
// lookup by rowid costs 0.3-1.6 ms, so oversampling and rescoring through vec0 was slower than the exact scan.
import type { Database } from 'better-sqlite3';
import { statement } from './statements.js';
import { SignScorer } from './vector-kernels.js';

/**
 * Chunk ids per block row: block b holds ids b*1024 .. b*1024+1023 (id-addressed, so writes touch one row). Reading
 * the codes costs mostly per row: at 1M chunks, rows of 256 slots took 34 ms and rows of 1,024 19 ms, while a
 * document's write cost the same (~0.6 ms). Indexes before migration 5 have rows of 256, which scans still read.
 */
export const BLOCK_SLOTS = 1024;
const SIGNS = 'vec_signs';
const FLOATS = 'vec_floats';

/** Bytes of one sign code, padded to whole 32-bit words for the scan. */
export const codeBytes = (dims: number): number => Math.ceil(dims / 32) * 4;

export function hasVectorIndex(db: Database): boolean {
  return (statement(db, `SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('${SIGNS}', '${FLOATS}')`).get() as { n: number }).n === 2;
}

export function createVectorIndex(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${SIGNS} (block INTEGER PRIMARY KEY, valid BLOB NOT NULL, codes BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS ${FLOATS} (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
  `);
}

/** Bit j of a code is set where component j is positive. */
function signCode(v: Float32Array, out: Uint8Array, at: number): void {
  for (let j = 0; j < v.length; j++) if (v[j]! > 0) out[at + (j >> 3)]! |= 1 << (j & 7);
}

/**
 * Sets (with `code`) or clears the slots of `ids`, one read-modify-write per touched block; a block left empty is
 * deleted. The caller holds the transaction.
 */
function updateBlocks(db: Database, ids: number[], code: ((id: number) => Float32Array) | null): void {
  const byBlock = new Map<number, number[]>();
  for (const id of ids) {
    const b = Math.floor(id / BLOCK_SLOTS);
    let list = byBlock.get(b);
    if (!list) byBlock.set(b, (list = []));
    list.push(id);
  }
  const get = statement(db, `SELECT valid, codes FROM ${SIGNS} WHERE block = ?`);
  const put = statement(db, `INSERT INTO ${SIGNS} (block, valid, codes) VALUES (?, ?, ?) ON CONFLICT(block) DO UPDATE SET valid = excluded.valid, codes = excluded.codes`);
  const drop = statement(db, `DELETE FROM ${SIGNS} WHERE block = ?`);
  for (const [b, list] of byBlock) {
    const row = get.get(b) as { valid: Buffer; codes: Buffer } | undefined;
    if (!row && !code) continue;
    const bytes = code ? codeBytes(code(list[0]!).length) : row!.codes.length / BLOCK_SLOTS;
    const valid = row ? Buffer.from(row.valid) : Buffer.alloc(BLOCK_SLOTS / 8);
    const codes = row && row.codes.length === BLOCK_SLOTS * bytes ? Buffer.from(row.codes) : Buffer.alloc(BLOCK_SLOTS * bytes);
    for (const id of list) {
      const slot = id - b * BLOCK_SLOTS;
      codes.fill(0, slot * bytes, (slot + 1) * bytes);
      if (code) {
        signCode(code(id), codes, slot * bytes);
        valid[slot >> 3]! |= 1 << (slot & 7);
      } else valid[slot >> 3]! &= ~(1 << (slot & 7));
    }
    if (valid.every((x) => x === 0)) drop.run(b);
    else put.run(b, valid, codes);
  }
}

/** A vector as the little-endian float32 blob vec0 and the float table store, and back (copied: aligned, owned). */
export const vecBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
export const blobVec = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/** Indexes chunks' vectors (ids are chunk ids); in the caller's transaction, beside their vec0 rows. */
export function addVectors(db: Database, ids: number[], vectors: Float32Array[]): void {
  if (!ids.length) return;
  const put = statement(db, `INSERT OR REPLACE INTO ${FLOATS} (chunk_id, embedding) VALUES (?, ?)`);
  const byId = new Map<number, Float32Array>();
  ids.forEach((id, i) => {
    byId.set(id, vectors[i]!);
    put.run(id, vecBlob(vectors[i]!));
  });
  updateBlocks(db, ids, (id) => byId.get(id)!);
}

export function removeVectors(db: Database, ids: number[]): void {
  if (!ids.length) return;
  const del = statement(db, `DELETE FROM ${FLOATS} WHERE chunk_id = ?`);
  for (const id of ids) del.run(id);
  updateBlocks(db, ids, null);
}

/** Builds the first pass from the vectors vec0 holds (an index written before it existed). */
export function buildVectorIndex(db: Database, page = 4096): number {
  createVectorIndex(db);
  db.exec(`INSERT OR REPLACE INTO ${FLOATS} (chunk_id, embedding) SELECT rowid, embedding FROM vec_chunks`);
  return signsFromFloats(db, page);
}

/**
 * Rewrites every sign block in this layout (BLOCK_SLOTS per row) from the float rows. Nothing to do without a first
 * pass, or where every row is in this layout already (one just built by migration 3, or a new index).
 */
export function rebuildSignBlocks(db: Database, page = 4096): number {
  if (!hasVectorIndex(db)) return 0;
  if (!statement(db, `SELECT 1 FROM ${SIGNS} WHERE length(valid) <> ? LIMIT 1`).get(BLOCK_SLOTS / 8)) return 0;
  db.exec(`DELETE FROM ${SIGNS}`);
  return signsFromFloats(db, page);
}

function signsFromFloats(db: Database, page: number): number {
  // Paged reads with writes in between: better-sqlite3 runs no statement while another one iterates.
  const read = statement(db, `SELECT chunk_id, embedding FROM ${FLOATS} WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?`).raw();
  let after = -1;
  let n = 0;
  for (;;) {
    const rows = read.all(after, page) as [number, Buffer][];
    if (!rows.length) return n;
    const byId = new Map(rows.map(([id, e]) => [id, blobVec(e)]));
    updateBlocks(db, rows.map(([id]) => id), (id) => byId.get(id)!);
    n += rows.length;
    after = rows[rows.length - 1]![0];
  }
}

export function readFloat(db: Database, chunkId: number): Float32Array | undefined {
  const row = statement(db, `SELECT embedding AS e FROM ${FLOATS} WHERE chunk_id = ?`).get(chunkId) as { e: Buffer } | undefined;
  return row && blobVec(row.e);
}

export interface Scored {
  chunkId: number;
  similarity: number;
}

export interface FirstPass {
  /** Candidates the sign scan keeps for exact rescoring (at least k). */
  candidates: number;
  /** And at least this share of the index's chunk slots (0: none). */
  share?: number;
  /** Only these chunk ids (a search filter); null for all. */
  allowed: Set<number> | null;
}

/** The k most similar chunks: sign scan for `candidates`, exact cosine over those, best first. */
export function searchVectorIndex(db: Database, query: Float32Array, k: number, o: FirstPass): Scored[] {
  const m = Math.max(k, o.candidates);
  const ids = o.allowed && o.allowed.size <= m ? [...o.allowed] : scanSigns(db, query, m, o.allowed, o.share ?? 0);
  return rescore(db, query, ids, k);
}

/** Per code byte, the sum of the query's components whose bits are set: 48 lookups score a 384-bit code. */
function lookupTable(query: Float32Array, bytes: number): Float32Array {
  const t = new Float32Array(bytes * 256);
  for (let b = 0; b < bytes; b++) {
    const base = b << 8;
    for (let v = 1; v < 256; v++) {
      const bit = 31 - Math.clz32(v & -v);
      t[base | v] = t[base | (v & (v - 1))]! + (query[b * 8 + bit] ?? 0);
    }
  }
  return t;
}

function scanSigns(db: Database, query: Float32Array, m: number, allowed: Set<number> | null, share: number): number[] {
  const bytes = codeBytes(query.length);
  const last = statement(db, `SELECT block, length(codes) AS n FROM ${SIGNS} ORDER BY block DESC LIMIT 1`).get() as { block: number; n: number } | undefined;
  if (!last) return [];
  // Slots per row: BLOCK_SLOTS, or 256 in an index opened read-only before migration 5 rewrote its rows.
  const per = last.n / bytes;
  if (!Number.isInteger(per) || per < 8 || per % 8 !== 0) return [];
  const slots = (last.block + 1) * per;
  m = Math.max(m, Math.ceil(share * slots));
  const scorer = new SignScorer(lookupTable(query, bytes), bytes / 4, per, slots);
  // Which slots hold a vector (and pass the filter): only those compete.
  const keep = scorer.keep();
  const blocks = statement(db, `SELECT block, valid, codes FROM ${SIGNS}`).raw().iterate() as IterableIterator<[number, Buffer, Buffer]>;
  // Unfiltered, the valid bits become keep bytes eight at a time: a loop per slot took ~1 ms a search at 100k chunks.
  const keep32 = new Uint32Array(keep.buffer, keep.byteOffset, keep.length >> 2);
  for (const [block, valid, codes] of blocks) {
    if (codes.length !== per * bytes) continue;
    const base = block * per;
    scorer.score(codes, base);
    if (allowed) {
      for (let slot = 0; slot < per; slot++) {
        if (valid[slot >> 3]! & (1 << (slot & 7)) && allowed.has(base + slot)) keep[base + slot] = 1;
      }
    } else {
      for (let i = 0, at = base >> 2; i < per >> 3; i++, at += 2) {
        keep32[at] = KEEP_LO[valid[i]!]!;
        keep32[at + 1] = KEEP_HI[valid[i]!]!;
      }
    }
  }
  return scorer.top(m);
}

/** For each byte of valid bits, its eight keep bytes (0 or 1, little-endian) as two 32-bit words. */
const keepWords = (shift: number): Uint32Array => Uint32Array.from({ length: 256 }, (_, v) => {
  let w = 0;
  for (let b = 0; b < 4; b++) if (v & (1 << (shift + b))) w |= 1 << (8 * b);
  return w >>> 0;
});
const KEEP_LO = keepWords(0);
const KEEP_HI = keepWords(4);

/**
 * The k most similar of the candidates, by sqlite-vec's cosine distance computed in SQLite: the same numbers vec0's
 * exact search gives, and no blob crosses into JavaScript (returning 1,000 float rows cost 3 ms of the 4.5 ms it
 * took to rescore them at 100k chunks; in SQL it takes 2.3). A zero vector scores 0; rows of another width none.
 */
function rescore(db: Database, query: Float32Array, ids: number[], k: number): Scored[] {
  if (!ids.length) return [];
  // In id order: neighbouring rows share pages, which took a third off the reads at 1,600 candidates.
  const rows = statement(db, `SELECT chunk_id, 1 - coalesce(vec_distance_cosine(embedding, ?), 1) AS s FROM ${FLOATS}
     WHERE chunk_id IN (SELECT value FROM json_each(?)) AND length(embedding) = ? ORDER BY s DESC, chunk_id LIMIT ?`)
    .raw().all(vecBlob(query), JSON.stringify([...ids].sort((a, b) => a - b)), query.length * 4, k) as [number, number][];
  return rows.map(([chunkId, similarity]) => ({ chunkId, similarity }));
}
