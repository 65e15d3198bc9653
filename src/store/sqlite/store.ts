// The SQLite index: one file (sqlite-vec + FTS5) behind the IndexStore boundary; one writer at a time (lock file).
import type { Database } from 'better-sqlite3';
import type { Chunk, FileStatus } from '../../contracts/stages.js';
import type { DocumentInput, DocumentRow, DumpedDocument, IndexStats, IndexStore, IndexTransfer, IndexView, Rebuild, Root, RunRecord, Writer, WriterOptions } from '../../contracts/index-store.js';
import fs from 'node:fs';
import { assertSameIdentity, completeIdentity, type EmbeddingIdentity } from '../../contracts/identity.js';
import { openDatabase, type OpenOptions } from './open.js';
import { SqliteRunLog } from './runs.js';
import { flushQuietly } from './keyword-pending.js';
import { SqliteDocuments } from './documents.js';
import { SqliteView } from './view.js';
import { KeywordThread } from './keyword-thread.js';
import { acquireLock } from './lock.js';
import { createVectorIndex } from './vector-index.js';

export type { EmbeddingIdentity, DocumentInput, DocumentRow, Root };

export class SqliteStore implements IndexStore, IndexTransfer {
  readonly kind = 'sqlite' as const;
  readonly db: Database;
  readonly runs: SqliteRunLog;
  readonly readonly: boolean;
  private readonly docs: SqliteDocuments;
  /** Runs hybrid searches' keyword halves beside their vector halves (keyword-thread.ts), from the second on. */
  keywordThread?: KeywordThread;

  constructor(readonly file: string, opts: OpenOptions = {}) {
    this.db = openDatabase(file, opts);
    this.readonly = !!opts.readonly;
    this.runs = new SqliteRunLog(this.db);
    this.docs = new SqliteDocuments(this.db);
  }

  get location(): string {
    return this.file;
  }

  get writes(): number {
    return this.docs.writes;
  }

  /** The database, its WAL and its lock: discovery must never ingest the index itself. */
  get ownFiles(): string[] {
    return ['', '-wal', '-shm', '.lock'].map((ext) => this.file + ext);
  }

  async close(): Promise<void> {
    const thread = this.keywordThread;
    this.keywordThread = undefined;
    if (this.db.open) {
      // Chunks this connection queued reach the keyword postings (keyword-pending.ts), best effort.
      if (!this.readonly) flushQuietly(this.db, true);
      this.db.close();
    }
    await thread?.close();
  }

  /** One writer per index: the lock file beside it (LockedError, exit 4, for a second one). */
  async acquireWriter(command: string, o: WriterOptions = {}): Promise<Writer> {
    const lock = await acquireLock(this.file, command, o.waitSeconds, o.signal);
    return { shared: false, claim: async (paths) => paths, done: async () => {}, release: async () => lock.release() };
  }

  async beginRebuild(o: { keepRuns?: boolean } = {}): Promise<Rebuild> {
    const { beginSqliteRebuild } = await import('./rebuild.js');
    return beginSqliteRebuild(this, o.keepRuns !== false);
  }

  /**
   * Runs `read` against one consistent state of the index: a read transaction spans the whole call, awaits
   * included, so a writer committing meanwhile (watch, ingest) is invisible to it.
   */
  async snapshot<T>(read: (view: IndexView) => Promise<T>): Promise<T> {
    if (!this.keywordThread && this.file !== ':memory:') this.keywordThread = new KeywordThread(this.file);
    const view = new SqliteView(this.db, () => this.readIdentity(), { keywordThread: this.keywordThread });
    if (this.db.inTransaction) return read(view);
    this.db.exec('BEGIN');
    try {
      // A deferred BEGIN takes its snapshot at the first read: take it now, not after the caller's first await.
      this.db.prepare('SELECT COUNT(*) FROM meta').get();
      return await read(view);
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  private readIdentity(): EmbeddingIdentity | undefined {
    const raw = this.getMeta('identity');
    return raw ? (JSON.parse(raw) as EmbeddingIdentity) : undefined;
  }

  async identity(): Promise<EmbeddingIdentity | undefined> {
    return this.readIdentity();
  }

  async checkIdentity(want: EmbeddingIdentity, hint?: string): Promise<void> {
    assertSameIdentity(this.file, this.readIdentity(), want, hint);
  }

  async bindIdentity(want: EmbeddingIdentity): Promise<void> {
    const have = this.readIdentity();
    if (!have) {
      if (!want.dims) throw new Error('bindIdentity: dimensions unknown');
      this.db.transaction(() => {
        this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS vec_chunks USING vec0(embedding float[${want.dims}] distance_metric=cosine)`);
        createVectorIndex(this.db);
        this.setMeta('identity', JSON.stringify(want));
      })();
      return;
    }
    assertSameIdentity(this.file, have, want);
    // An index written before docproc recorded every field learns the rest from this (matching) run.
    const completed = completeIdentity(have, want);
    if (JSON.stringify(completed) !== JSON.stringify(have)) this.setMeta('identity', JSON.stringify(completed));
  }

  async roots(): Promise<Root[]> {
    if (!this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'roots'").get()) {
      // An index from before the roots table, opened read-only (not migrated): what migration 2 would infer.
      return (this.db.prepare('SELECT DISTINCT root FROM documents ORDER BY root').all() as { root: string }[])
        .map((r) => ({ path: r.root, kind: 'folder', inferred: true }));
    }
    return (this.db.prepare('SELECT path, kind, inferred FROM roots ORDER BY rowid').all() as { path: string; kind: Root['kind']; inferred: number }[])
      .map((r) => ({ path: r.path, kind: r.kind, inferred: r.inferred === 1 }));
  }

  async recordRoots(roots: { path: string; kind: Root['kind'] }[]): Promise<void> {
    const stmt = this.db.prepare(
      `INSERT INTO roots (path, kind, added_at, inferred) VALUES (?, ?, ?, 0)
       ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, inferred = 0`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of roots) stmt.run(r.path, r.kind, now);
    })();
  }

  async getDocument(path: string): Promise<DocumentRow | undefined> {
    return this.docs.get(path);
  }

  async documentsUnder(root: string): Promise<DocumentRow[]> {
    return this.docs.under(root);
  }

  async documentsWithStatus(statuses: FileStatus[]): Promise<DocumentRow[]> {
    return this.docs.withStatus(statuses);
  }

  async documentsWithSha(sha256: string): Promise<DocumentRow[]> {
    return this.docs.withSha(sha256);
  }

  async vectorsForChunkHashes(hashes: string[]): Promise<Map<string, Float32Array>> {
    return this.docs.vectorsForChunkHashes(hashes);
  }

  async replaceDocument(doc: DocumentInput, chunks: Chunk[], vectors: Float32Array[]): Promise<void> {
    this.docs.replace(doc, chunks, vectors);
  }

  async recordOutcome(doc: DocumentInput): Promise<void> {
    this.docs.recordOutcome(doc);
  }

  async moveDocument(fromPath: string, to: DocumentInput): Promise<void> {
    this.docs.move(fromPath, to);
  }

  async recordStat(path: string, size: number, mtimeMs: number, ino: number): Promise<void> {
    this.docs.recordStat(path, size, mtimeMs, ino);
  }

  async removeDocument(path: string): Promise<boolean> {
    return this.docs.remove(path);
  }

  async stats(): Promise<IndexStats> {
    return this.docs.stats();
  }

  async *exportDocuments(): AsyncIterable<DumpedDocument> {
    yield* this.docs.dump();
  }

  async restoreRun(run: RunRecord): Promise<void> {
    await this.runs.restore(run);
  }

  async sizeBytes(): Promise<number> {
    return ['', '-wal'].reduce((n, ext) => n + (fs.existsSync(this.file + ext) ? fs.statSync(this.file + ext).size : 0), 0);
  }
}
