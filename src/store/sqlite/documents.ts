// The SQLite document ledger, chunks and vectors: synchronous statements that the async store wraps.
import type { Database } from 'better-sqlite3';
import { statement } from './statements.js';
import type { Chunk, FileStatus } from '../../contracts/stages.js';
import type { DocumentInput, DocumentRow } from '../../contracts/index-store.js';
import { keepsChunks } from '../../contracts/document-state.js';
import { addVectors, blobVec, hasVectorIndex, removeVectors, vecBlob } from './vector-index.js';
import { hasKeywordIndex } from './keyword-index.js';
import { queuePostings, unqueueOrRemove } from './keyword-pending.js';

const DOC_COLUMNS = `id, root, path, rel_path AS relPath, type, sha256, size, mtime_ms AS mtimeMs, ino, status, reason,
  warnings, chunk_count AS chunkCount, char_count AS charCount, pages_ocr AS pagesOcr, fingerprint, attempts,
  indexed_at AS indexedAt, updated_at AS updatedAt`;

type RawDoc = Omit<DocumentRow, 'warnings'> & { warnings: string | null };
const toDoc = (r: RawDoc): DocumentRow => ({ ...r, warnings: r.warnings ? (JSON.parse(r.warnings) as string[]) : [] });

export function hasVectorTable(db: Database): boolean {
  return !!statement(db, "SELECT 1 FROM sqlite_master WHERE name = 'vec_chunks'").get();
}

export class SqliteDocuments {
  /**
   * Whether the vector first pass exists. A yes is kept (the pass is made with the identity or by migration 3 and
   * never dropped), so writes stop asking sqlite_master once per document.
   */
  private firstPass = false;
  private hasVectorIndex(): boolean {
    return (this.firstPass ||= hasVectorIndex(this.db));
  }

  /** Whether the keyword postings exist (made by migration 4 and never dropped, so a yes is kept too). */
  private postings = false;
  private hasPostings(): boolean {
    return (this.postings ||= hasKeywordIndex(this.db));
  }

  /** Rows written to documents/chunks/vectors: lets tests prove a no-op re-run. */
  writes = 0;

  constructor(private readonly db: Database) {}

  get(path: string): DocumentRow | undefined {
    const r = statement(this.db, `SELECT ${DOC_COLUMNS} FROM documents WHERE path = ?`).get(path) as RawDoc | undefined;
    return r && toDoc(r);
  }

  under(root: string): DocumentRow[] {
    const dir = root.endsWith('/') ? root.slice(0, -1) : root;
    // '0' sorts right after '/': the range is exactly the paths that start with dir + '/'.
    const rows = statement(this.db, `SELECT ${DOC_COLUMNS} FROM documents WHERE path = ? OR (path >= ? AND path < ?)`)
      .all(dir, dir + '/', dir + '0') as RawDoc[];
    return rows.map(toDoc);
  }

  withStatus(statuses: FileStatus[]): DocumentRow[] {
    const q = `SELECT ${DOC_COLUMNS} FROM documents WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY path`;
    return (statement(this.db, q).all(...statuses) as RawDoc[]).map(toDoc);
  }

  withSha(sha256: string): DocumentRow[] {
    return (statement(this.db, `SELECT ${DOC_COLUMNS} FROM documents WHERE sha256 = ? AND status = 'indexed'`).all(sha256) as RawDoc[]).map(toDoc);
  }

  vectorsForChunkHashes(hashes: string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    if (!hasVectorTable(this.db)) return out;
    // The first pass's float table answers point reads in microseconds; a vec0 point read takes a millisecond.
    const stmt = statement(this.db, this.hasVectorIndex()
      ? 'SELECT v.embedding AS e FROM chunks c JOIN vec_floats v ON v.chunk_id = c.id WHERE c.sha256 = ? LIMIT 1'
      : 'SELECT v.embedding AS e FROM chunks c JOIN vec_chunks v ON v.rowid = c.id WHERE c.sha256 = ? LIMIT 1');
    for (const h of new Set(hashes)) {
      const row = stmt.get(h) as { e: Buffer } | undefined;
      if (row) out.set(h, blobVec(row.e));
    }
    return out;
  }

  replace(doc: DocumentInput, chunks: Chunk[], vectors: Float32Array[]): void {
    if (chunks.length !== vectors.length) throw new Error('replaceDocument: chunks and vectors differ in length');
    const insertChunk = statement(this.db, 'INSERT INTO chunks (document_id, seq, text, tokens, loc, sha256) VALUES (?, ?, ?, ?, ?, ?)');
    // sqlite-vec 0.1.9: INSERT OR REPLACE is broken, so rows are deleted then inserted.
    const insertVec = statement(this.db, 'INSERT INTO vec_chunks (rowid, embedding) VALUES (?, ?)');
    this.db.transaction(() => {
      const id = this.upsert(doc, chunks.length);
      this.deleteChunks(id);
      const ids = chunks.map((c, i) => {
        const info = insertChunk.run(id, c.seq, c.text, c.tokens, JSON.stringify(c.loc), c.sha256);
        insertVec.run(BigInt(info.lastInsertRowid), vecBlob(vectors[i]!));
        return Number(info.lastInsertRowid);
      });
      if (this.hasVectorIndex()) addVectors(this.db, ids, vectors);
      if (this.hasPostings()) queuePostings(this.db, ids);
      this.writes += 1 + chunks.length * 2;
    })();
  }

  recordOutcome(doc: DocumentInput): void {
    this.db.transaction(() => {
      const keep = keepsChunks(doc.status);
      const existing = this.get(doc.path);
      const id = this.upsert(doc, keep ? (existing?.chunkCount ?? 0) : 0);
      if (!keep) this.deleteChunks(id);
      this.writes++;
    })();
  }

  move(fromPath: string, to: DocumentInput): void {
    this.db.transaction(() => {
      // A document already at the target (nested roots) goes with its chunks and vectors, never orphaning them.
      if (to.path !== fromPath) this.remove(to.path);
      statement(this.db, 'UPDATE documents SET root = ?, path = ?, rel_path = ?, size = ?, mtime_ms = ?, ino = ?, updated_at = ? WHERE path = ?')
        .run(to.root, to.path, to.relPath, to.size, to.mtimeMs, to.ino, new Date().toISOString(), fromPath);
      this.writes++;
    })();
  }

  recordStat(path: string, size: number, mtimeMs: number, ino: number): void {
    statement(this.db, 'UPDATE documents SET size = ?, mtime_ms = ?, ino = ? WHERE path = ?').run(size, mtimeMs, ino, path);
    this.writes++;
  }

  remove(path: string): boolean {
    let removed = false;
    this.db.transaction(() => {
      const row = statement(this.db, 'SELECT id FROM documents WHERE path = ?').get(path) as { id: number } | undefined;
      if (!row) return;
      this.deleteChunks(row.id);
      statement(this.db, 'DELETE FROM documents WHERE id = ?').run(row.id);
      this.writes++;
      removed = true;
    })();
    return removed;
  }

  private deleteChunks(documentId: number): void {
    const withVectors = hasVectorTable(this.db);
    // The chunks are read once, for the keyword postings (their texts) and the vectors (their ids).
    const rows = this.hasPostings() || withVectors
      ? statement(this.db, 'SELECT id, text FROM chunks WHERE document_id = ?').raw().all(documentId) as [number, string][]
      : [];
    if (this.hasPostings()) unqueueOrRemove(this.db, rows);
    if (withVectors) {
      const ids = rows.map(([id]) => id);
      const del = statement(this.db, 'DELETE FROM vec_chunks WHERE rowid = ?');
      for (const id of ids) del.run(BigInt(id));
      if (this.hasVectorIndex()) removeVectors(this.db, ids);
    }
    const info = statement(this.db, 'DELETE FROM chunks WHERE document_id = ?').run(documentId);
    this.writes += info.changes;
  }

  private upsert(doc: DocumentInput, chunkCount: number): number {
    const now = new Date().toISOString();
    const indexedAt = doc.status === 'indexed' ? now : null;
    const row = statement(this.db, 
        `INSERT INTO documents (root, path, rel_path, type, sha256, size, mtime_ms, ino, status, reason, warnings,
           chunk_count, char_count, pages_ocr, fingerprint, attempts, first_seen_at, indexed_at, updated_at)
         VALUES (@root, @path, @relPath, @type, @sha256, @size, @mtimeMs, @ino, @status, @reason, @warnings,
           @chunkCount, @charCount, @pagesOcr, @fingerprint, @attempts, @now, @indexedAt, @now)
         ON CONFLICT(path) DO UPDATE SET root = excluded.root, rel_path = excluded.rel_path, type = excluded.type,
           sha256 = excluded.sha256, size = excluded.size, mtime_ms = excluded.mtime_ms, ino = excluded.ino,
           status = excluded.status, reason = excluded.reason, warnings = excluded.warnings,
           chunk_count = excluded.chunk_count, char_count = excluded.char_count, pages_ocr = excluded.pages_ocr,
           fingerprint = excluded.fingerprint, attempts = excluded.attempts,
           indexed_at = COALESCE(excluded.indexed_at, documents.indexed_at), updated_at = excluded.updated_at
         RETURNING id`,
      )
      .get({
        root: doc.root, path: doc.path, relPath: doc.relPath, type: doc.type ?? null, sha256: doc.sha256 ?? null,
        size: doc.size, mtimeMs: doc.mtimeMs, ino: doc.ino, status: doc.status, reason: doc.reason ?? null,
        warnings: doc.warnings?.length ? JSON.stringify(doc.warnings) : null, chunkCount,
        charCount: doc.charCount ?? 0, pagesOcr: doc.pagesOcr ?? 0, fingerprint: doc.fingerprint,
        attempts: doc.attempts ?? 0, now, indexedAt,
      }) as { id: number };
    return row.id;
  }

  /** Every document by path, each with its chunks in order and their vectors. */
  *dump(): Generator<{ doc: DocumentRow; chunks: Chunk[]; vectors: Float32Array[] }> {
    const docs = (statement(this.db, `SELECT ${DOC_COLUMNS} FROM documents ORDER BY path`).all() as RawDoc[]).map(toDoc);
    const withVectors = hasVectorTable(this.db);
    const chunkStmt = statement(this.db, withVectors
      ? 'SELECT c.seq, c.text, c.tokens, c.loc, c.sha256, v.embedding AS e FROM chunks c LEFT JOIN vec_chunks v ON v.rowid = c.id WHERE c.document_id = ? ORDER BY c.seq, c.id'
      : 'SELECT seq, text, tokens, loc, sha256, NULL AS e FROM chunks WHERE document_id = ? ORDER BY seq, id');
    for (const doc of docs) {
      const rows = chunkStmt.all(doc.id) as { seq: number; text: string; tokens: number; loc: string; sha256: string; e: Buffer | null }[];
      yield {
        doc,
        chunks: rows.map((r) => ({ seq: r.seq, text: r.text, tokens: r.tokens, loc: JSON.parse(r.loc) as Chunk['loc'], sha256: r.sha256 })),
        vectors: rows.map((r) => (r.e ? blobVec(r.e) : new Float32Array(0))),
      };
    }
  }

  stats(): { documents: Record<string, number>; chunks: number; vectors: number } {
    const byStatus = statement(this.db, 'SELECT status, COUNT(*) AS n FROM documents GROUP BY status').all() as { status: string; n: number }[];
    const chunks = (statement(this.db, 'SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
    const vectors = hasVectorTable(this.db) ? (statement(this.db, 'SELECT COUNT(*) AS n FROM vec_chunks').get() as { n: number }).n : 0;
    return { documents: Object.fromEntries(byStatus.map((r) => [r.status, r.n])), chunks, vectors };
  }
}
