// The Postgres index (pg + pgvector) behind the IndexStore boundary: one schema, many writers leasing files.
import type { Pool } from 'pg';
import type { Chunk, FileStatus } from '../../contracts/stages.js';
import type { DocumentInput, DocumentRow, DumpedDocument, IndexStats, IndexStore, IndexTransfer, IndexView, Rebuild, Root, RunRecord, Writer, WriterOptions } from '../../contracts/index-store.js';
import { assertSameIdentity, type EmbeddingIdentity } from '../../contracts/identity.js';
import { DocprocError } from '../../errors.js';
import { inTransaction } from './connect.js';
import { PgDocuments } from './documents.js';
import { bindIdentity, readIdentity } from './identity.js';
import { openIndex, type OpenedIndex } from './open.js';
import { resolveSettings, type PostgresStoreOptions, type Settings } from './options.js';
import { PgRunLog } from './runs.js';
import { exportDocuments, restoreRun, sizeBytes } from './transfer.js';
import { PgView, searchSettingsSql } from './view.js';
import { activeWorkers, registerWorker, type WorkerInfo } from './workers.js';
import { PgWriter } from './writer.js';

export type { PostgresStoreOptions, WorkerInfo };

export async function openPostgresStore(url: string, o: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const settings = resolveSettings(o);
  const opened = await openIndex(url, settings, o.env ?? process.env);
  for (const w of opened.warnings) o.onWarning?.(w);
  return new PostgresStore(url, o, settings, opened);
}

export class PostgresStore implements IndexStore, IndexTransfer {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly readonly: boolean;
  readonly runs: PgRunLog;
  readonly ownFiles: string[] = [];
  /** Problems found on open (an old pgvector), for the CLI to print. */
  readonly warnings: string[];
  readonly pool: Pool;
  readonly schema: string;
  /** The database, for messages and hints. */
  readonly database: string;
  /** Where the index is in messages: the redacted URL and the schema. */
  readonly where: string;
  /** The schema holding pgvector's type and operators. */
  readonly vectorSchema: string;
  private readonly docs: PgDocuments;
  private readonly writers = new Set<PgWriter>();
  private closed = false;

  /** Use openPostgresStore: opening connects, checks pgvector and migrates. */
  constructor(private readonly url: string, private readonly options: PostgresStoreOptions, readonly settings: Settings, opened: OpenedIndex) {
    this.pool = opened.pool;
    this.location = opened.conn.location;
    this.database = opened.conn.database;
    this.warnings = opened.warnings;
    this.schema = settings.schema;
    this.readonly = settings.readonly;
    this.where = `${this.location} (schema ${this.schema})`;
    this.vectorSchema = opened.vectorSchema;
    this.runs = new PgRunLog(this.pool);
    this.docs = new PgDocuments(this.pool);
  }

  get writes(): number {
    return this.docs.writes;
  }

  /** Writers stop renewing (their leases expire, as a killed process's would); then the pool ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.writers) await w.abandon();
    await this.pool.end();
  }

  /** Another store on the same database: a rebuild's shadow schema. */
  async sibling(schema: string): Promise<PostgresStore> {
    return openPostgresStore(this.url, { ...this.options, pgSchema: schema, readonly: false, onWarning: undefined });
  }

  private writable(): void {
    if (this.readonly) throw new DocprocError(`index ${this.where} is open read-only`);
  }

  /** Registers a worker; many may write at once, each file leased to one of them (see writer.ts). */
  async acquireWriter(command: string, o: WriterOptions = {}): Promise<Writer> {
    this.writable();
    const c = this.settings.claims;
    const id = await registerWorker(this.pool, this.schema, command, c.leaseMs, o.waitSeconds, o.signal);
    const w = new PgWriter(this.pool, id, c, command, o.signal);
    this.writers.add(w);
    return w;
  }

  /** The id of a writer this store holds, if any: a rebuild makes it the only one. */
  writerId(): string | undefined {
    return [...this.writers].find((w) => !w.isReleased)?.id;
  }

  async beginRebuild(o: { keepRuns?: boolean } = {}): Promise<Rebuild> {
    this.writable();
    const { beginPostgresRebuild } = await import('./rebuild.js');
    return beginPostgresRebuild(this, o.keepRuns !== false);
  }

  /** Workers writing now, for `docproc status`. */
  async activeWorkers(): Promise<WorkerInfo[]> {
    return activeWorkers(this.pool);
  }

  /**
   * Runs `read` in one REPEATABLE READ READ ONLY transaction on one connection: every query sees the same
   * snapshot, awaits included. `SELECT 1` takes the snapshot now, not at the caller's first query.
   */
  async snapshot<T>(read: (view: IndexView) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${searchSettingsSql(this.settings.search)}; SELECT 1`);
      const out = await read(new PgView(c));
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  async identity(): Promise<EmbeddingIdentity | undefined> {
    return readIdentity(this.pool);
  }

  async checkIdentity(want: EmbeddingIdentity, hint?: string): Promise<void> {
    assertSameIdentity(this.where, await readIdentity(this.pool), want, hint);
  }

  async bindIdentity(want: EmbeddingIdentity): Promise<void> {
    this.writable();
    await bindIdentity(this.pool, this.schema, this.where, want, this.settings.hnsw);
  }

  async roots(): Promise<Root[]> {
    const r = await this.pool.query<Root>('SELECT path, kind, inferred FROM roots ORDER BY id');
    return r.rows;
  }

  async recordRoots(roots: { path: string; kind: Root['kind'] }[]): Promise<void> {
    this.writable();
    const now = new Date().toISOString();
    await inTransaction(this.pool, async (c) => {
      for (const r of roots) {
        await c.query(
          `INSERT INTO roots (path, kind, added_at, inferred) VALUES ($1, $2, $3, false)
           ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, inferred = false`,
          [r.path, r.kind, now],
        );
      }
    });
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
    this.writable();
    await this.docs.replace(doc, chunks, vectors);
  }

  async recordOutcome(doc: DocumentInput): Promise<void> {
    this.writable();
    await this.docs.recordOutcome(doc);
  }

  async moveDocument(fromPath: string, to: DocumentInput): Promise<void> {
    this.writable();
    await this.docs.move(fromPath, to);
  }

  async recordStat(path: string, size: number, mtimeMs: number, ino: number): Promise<void> {
    this.writable();
    await this.docs.recordStat(path, size, mtimeMs, ino);
  }

  async removeDocument(path: string): Promise<boolean> {
    this.writable();
    return this.docs.remove(path);
  }

  async stats(): Promise<IndexStats> {
    return this.docs.stats();
  }

  /** The schema version this index is on (readiness: an older one is migrated by the next writer). */
  async schemaVersion(): Promise<number> {
    const r = await this.pool.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations');
    return r.rows[0]!.v;
  }

  exportDocuments(): AsyncIterable<DumpedDocument> {
    return exportDocuments(this.pool, this.docs);
  }

  async restoreRun(run: RunRecord): Promise<void> {
    this.writable();
    await restoreRun(this.pool, run);
  }

  async sizeBytes(): Promise<number> {
    return sizeBytes(this.pool, this.schema);
  }
}
