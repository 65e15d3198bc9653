// The SQLite store: documents, chunks, vectors (vec0) and index metadata. Returns plain data.
import type { Database } from 'better-sqlite3';
import type { Chunk, FileStatus, Loc } from '../../pipeline/types.js';
import { assertSameIdentity, completeIdentity, type EmbeddingIdentity } from '../identity.js';
import { openDatabase, type OpenOptions } from './open.js';
import { RunLog } from './runs.js';

export type { EmbeddingIdentity };

/** A path the user named: a folder walked recursively, or a single file. */
export interface Root {
  path: string;
  kind: 'file' | 'folder';
  /** Recorded by an index older than the roots table: taken from its documents' folders. */
  inferred: boolean;
}

export interface DocumentRow {
  id: number;
  root: string;
  path: string;
  relPath: string;
  type: string | null;
  sha256: string | null;
  size: number | null;
  mtimeMs: number | null;
  ino: number | null;
  status: FileStatus;
  reason: string | null;
  warnings: string[];
  chunkCount: number;
  charCount: number;
  pagesOcr: number;
  fingerprint: string | null;
  attempts: number;
  indexedAt: string | null;
  updatedAt: string;
}

/** What the pipeline knows about a file when it records an outcome. */
export interface DocumentInput {
  root: string;
  path: string;
  relPath: string;
  type?: string;
  sha256?: string;
  size: number;
  mtimeMs: number;
  ino: number;
  status: FileStatus;
  reason?: string;
  warnings?: string[];
  charCount?: number;
  pagesOcr?: number;
  fingerprint: string;
  attempts?: number;
}

const DOC_COLUMNS = `id, root, path, rel_path AS relPath, type, sha256, size, mtime_ms AS mtimeMs, ino, status, reason,
  warnings, chunk_count AS chunkCount, char_count AS charCount, pages_ocr AS pagesOcr, fingerprint, attempts,
  indexed_at AS indexedAt, updated_at AS updatedAt`;

type RawDoc = Omit<DocumentRow, 'warnings'> & { warnings: string | null };
const toDoc = (r: RawDoc): DocumentRow => ({ ...r, warnings: r.warnings ? (JSON.parse(r.warnings) as string[]) : [] });

export class SqliteStore {
  readonly db: Database;
  readonly runs: RunLog;
  /** Rows written to documents/chunks/vectors by this process: lets tests prove a no-op re-run. */
  writes = 0;

  readonly readonly: boolean;

  constructor(readonly file: string, opts: OpenOptions = {}) {
    this.db = openDatabase(file, opts);
    this.readonly = !!opts.readonly;
    this.runs = new RunLog(this.db);
  }

  /**
   * Runs `read` against one consistent state of the index: a read transaction spans the whole call, awaits
   * included, so a writer committing meanwhile (watch, ingest) is invisible to it.
   */
  async snapshot<T>(read: () => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return read();
    this.db.exec('BEGIN');
    try {
      // A deferred BEGIN takes its snapshot at the first read: take it now, not after the caller's first await.
      this.db.prepare('SELECT COUNT(*) FROM meta').get();
      return await read();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  identity(): EmbeddingIdentity | undefined {
    const raw = this.getMeta('identity');
    return raw ? (JSON.parse(raw) as EmbeddingIdentity) : undefined;
  }

  /** Refuses, before any work, a run whose vectors would differ from the index's (the one identity check). */
  checkIdentity(want: EmbeddingIdentity, hint?: string): void {
    assertSameIdentity(this.file, this.identity(), want, hint);
  }

  /** Binds the index to one embedding identity; refuses to mix vectors from another. */
  bindIdentity(want: EmbeddingIdentity): void {
    const have = this.identity();
    if (!have) {
      if (!want.dims) throw new Error('bindIdentity: dimensions unknown');
      this.db.transaction(() => {
        this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS vec_chunks USING vec0(embedding float[${want.dims}] distance_metric=cosine)`);
        this.setMeta('identity', JSON.stringify(want));
      })();
      return;
    }
    assertSameIdentity(this.file, have, want);
    // An index written before docproc recorded every field learns the rest from this (matching) run.
    const completed = completeIdentity(have, want);
    if (JSON.stringify(completed) !== JSON.stringify(have)) this.setMeta('identity', JSON.stringify(completed));
  }

  /** The roots the user named, in the order they were first named. */
  roots(): Root[] {
    if (!this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'roots'").get()) {
      // An index from before the roots table, opened read-only (not migrated): what migration 2 would infer.
      return (this.db.prepare('SELECT DISTINCT root FROM documents ORDER BY root').all() as { root: string }[])
        .map((r) => ({ path: r.root, kind: 'folder', inferred: true }));
    }
    return (this.db.prepare('SELECT path, kind, inferred FROM roots ORDER BY rowid').all() as { path: string; kind: Root['kind']; inferred: number }[])
      .map((r) => ({ path: r.path, kind: r.kind, inferred: r.inferred === 1 }));
  }

  /** Remembers named roots (a named file is a file root, never its folder). */
  recordRoots(roots: { path: string; kind: Root['kind'] }[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO roots (path, kind, added_at, inferred) VALUES (?, ?, ?, 0)
       ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, inferred = 0`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of roots) stmt.run(r.path, r.kind, now);
    })();
  }

  getDocument(path: string): DocumentRow | undefined {
    const r = this.db.prepare(`SELECT ${DOC_COLUMNS} FROM documents WHERE path = ?`).get(path) as RawDoc | undefined;
    return r && toDoc(r);
  }

  /** Documents at or below a folder, whichever root they were ingested from (a parent, a subfolder, a file). */
  documentsUnder(root: string): DocumentRow[] {
    const dir = root.endsWith('/') ? root.slice(0, -1) : root;
    // '0' sorts right after '/': the range is exactly the paths that start with dir + '/'.
    const rows = this.db
      .prepare(`SELECT ${DOC_COLUMNS} FROM documents WHERE path = ? OR (path >= ? AND path < ?)`)
      .all(dir, dir + '/', dir + '0') as RawDoc[];
    return rows.map(toDoc);
  }

  documentsWithStatus(statuses: FileStatus[]): DocumentRow[] {
    const q = `SELECT ${DOC_COLUMNS} FROM documents WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY path`;
    return (this.db.prepare(q).all(...statuses) as RawDoc[]).map(toDoc);
  }

  /** Indexed documents with this content, for rename detection. */
  documentsWithSha(sha256: string): DocumentRow[] {
    const rows = this.db.prepare(`SELECT ${DOC_COLUMNS} FROM documents WHERE sha256 = ? AND status = 'indexed'`).all(sha256) as RawDoc[];
    return rows.map(toDoc);
  }

  /** Stored vectors for chunk texts already embedded by this index's model: the embedding cache. */
  vectorsForChunkHashes(hashes: string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    if (!this.hasVectorTable()) return out;
    const stmt = this.db.prepare(
      'SELECT v.embedding AS e FROM chunks c JOIN vec_chunks v ON v.rowid = c.id WHERE c.sha256 = ? LIMIT 1',
    );
    for (const h of new Set(hashes)) {
      const row = stmt.get(h) as { e: Buffer } | undefined;
      if (row) out.set(h, new Float32Array(row.e.buffer.slice(row.e.byteOffset, row.e.byteOffset + row.e.byteLength)));
    }
    return out;
  }

  private hasVectorTable(): boolean {
    return !!this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'vec_chunks'").get();
  }

  /** Replaces a document's chunks and vectors in one transaction: search never sees half a document. */
  replaceDocument(doc: DocumentInput, chunks: Chunk[], vectors: Float32Array[]): void {
    if (chunks.length !== vectors.length) throw new Error('replaceDocument: chunks and vectors differ in length');
    const insertChunk = this.db.prepare(
      'INSERT INTO chunks (document_id, seq, text, tokens, loc, sha256) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // sqlite-vec 0.1.9: INSERT OR REPLACE is broken, so rows are deleted then inserted.
    const insertVec = this.db.prepare('INSERT INTO vec_chunks (rowid, embedding) VALUES (?, ?)');
    this.db.transaction(() => {
      const id = this.upsertDocument(doc, chunks.length);
      this.deleteChunks(id);
      chunks.forEach((c, i) => {
        const info = insertChunk.run(id, c.seq, c.text, c.tokens, JSON.stringify(c.loc), c.sha256);
        const v = vectors[i]!;
        insertVec.run(BigInt(info.lastInsertRowid), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      });
      this.writes += 1 + chunks.length * 2;
    })();
  }

  /** Records a file outcome without content (skipped, empty, failed). Failed files keep their last good chunks. */
  recordOutcome(doc: DocumentInput): void {
    this.db.transaction(() => {
      const keepChunks = doc.status === 'failed' || doc.status === 'quarantined';
      const existing = this.getDocument(doc.path);
      const id = this.upsertDocument(doc, keepChunks ? (existing?.chunkCount ?? 0) : 0);
      if (!keepChunks) this.deleteChunks(id);
      this.writes++;
    })();
  }

  /** A renamed or moved file: same content, new path; its chunks and vectors move with it. */
  moveDocument(fromPath: string, to: DocumentInput): void {
    this.db.transaction(() => {
      // A document already at the target (nested roots) goes with its chunks and vectors, never orphaning them.
      if (to.path !== fromPath) this.removeDocument(to.path);
      this.db
        .prepare('UPDATE documents SET root = ?, path = ?, rel_path = ?, size = ?, mtime_ms = ?, ino = ?, updated_at = ? WHERE path = ?')
        .run(to.root, to.path, to.relPath, to.size, to.mtimeMs, to.ino, new Date().toISOString(), fromPath);
      this.writes++;
    })();
  }

  /** Same content under a new stat (touched, copied over): remember the stat so the fast path applies next time. */
  recordStat(path: string, size: number, mtimeMs: number, ino: number): void {
    this.db.prepare('UPDATE documents SET size = ?, mtime_ms = ?, ino = ? WHERE path = ?').run(size, mtimeMs, ino, path);
    this.writes++;
  }

  removeDocument(path: string): boolean {
    let removed = false;
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT id FROM documents WHERE path = ?').get(path) as { id: number } | undefined;
      if (!row) return;
      this.deleteChunks(row.id);
      this.db.prepare('DELETE FROM documents WHERE id = ?').run(row.id);
      this.writes++;
      removed = true;
    })();
    return removed;
  }

  private deleteChunks(documentId: number): void {
    if (this.hasVectorTable()) {
      const ids = this.db.prepare('SELECT id FROM chunks WHERE document_id = ?').pluck().all(documentId) as number[];
      const del = this.db.prepare('DELETE FROM vec_chunks WHERE rowid = ?');
      for (const id of ids) del.run(BigInt(id));
    }
    const info = this.db.prepare('DELETE FROM chunks WHERE document_id = ?').run(documentId);
    this.writes += info.changes;
  }

  private upsertDocument(doc: DocumentInput, chunkCount: number): number {
    const now = new Date().toISOString();
    const indexedAt = doc.status === 'indexed' ? now : null;
    const row = this.db
      .prepare(
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

  stats(): { documents: Record<string, number>; chunks: number; vectors: number } {
    const byStatus = this.db.prepare('SELECT status, COUNT(*) AS n FROM documents GROUP BY status').all() as { status: string; n: number }[];
    const chunks = (this.db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
    const vectors = this.hasVectorTable() ? (this.db.prepare('SELECT COUNT(*) AS n FROM vec_chunks').get() as { n: number }).n : 0;
    return { documents: Object.fromEntries(byStatus.map((r) => [r.status, r.n])), chunks, vectors };
  }

  chunkLoc(raw: string): Loc {
    return JSON.parse(raw) as Loc;
  }
}
