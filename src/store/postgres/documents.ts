// The Postgres document ledger, chunks and vectors: the same semantics (and write counts) as SQLite's documents.ts.
// Every string goes through pgText on the way in, lookups included: Postgres refuses NUL, SQLite does not.
import type { Pool, PoolClient } from 'pg';
import type { Chunk, FileStatus } from '../../contracts/stages.js';
import type { DocumentInput, DocumentRow, IndexStats } from '../../contracts/index-store.js';
import { keepsChunks } from '../../contracts/document-state.js';
import { inTransaction, type Queryable } from './connect.js';
import { parseVector, pgJson, pgText, vectorParam } from './values.js';

const DOC_COLUMNS = `id, root, path, rel_path AS "relPath", type, sha256, size, mtime_ms AS "mtimeMs", ino, status, reason,
  warnings, chunk_count AS "chunkCount", char_count AS "charCount", pages_ocr AS "pagesOcr", fingerprint, attempts,
  indexed_at AS "indexedAt", updated_at AS "updatedAt"`;

type RawDoc = Omit<DocumentRow, 'warnings'> & { warnings: string[] | null };
const toDoc = (r: RawDoc): DocumentRow => ({ ...r, warnings: r.warnings ?? [] });

/** Rows per INSERT: 7 parameters each stays far below Postgres' 65535 bind parameters. */
const INSERT_BATCH = 1000;

export async function hasVectorColumn(db: Queryable): Promise<boolean> {
  const r = await db.query("SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('chunks') AND attname = 'embedding' AND NOT attisdropped");
  return !!r.rowCount;
}

export class PgDocuments {
  /** Rows written to documents/chunks/vectors, counted as SQLite counts them (a chunk and its vector are two). */
  writes = 0;

  constructor(private readonly pool: Pool) {}

  async get(path: string, db: Queryable = this.pool): Promise<DocumentRow | undefined> {
    const r = await db.query<RawDoc>(`SELECT ${DOC_COLUMNS} FROM documents WHERE path = $1`, [pgText(path)]);
    return r.rows[0] && toDoc(r.rows[0]);
  }

  async under(root: string): Promise<DocumentRow[]> {
    const dir = root.endsWith('/') ? root.slice(0, -1) : root;
    // path is COLLATE "C" (byte order), where '0' sorts right after '/': exactly the paths below dir + '/'.
    const r = await this.pool.query<RawDoc>(`SELECT ${DOC_COLUMNS} FROM documents WHERE path = $1 OR (path >= $2 AND path < $3)`, [pgText(dir), pgText(dir) + '/', pgText(dir) + '0']);
    return r.rows.map(toDoc);
  }

  async withStatus(statuses: FileStatus[]): Promise<DocumentRow[]> {
    const r = await this.pool.query<RawDoc>(`SELECT ${DOC_COLUMNS} FROM documents WHERE status = ANY($1::text[]) ORDER BY path`, [statuses]);
    return r.rows.map(toDoc);
  }

  async withSha(sha256: string): Promise<DocumentRow[]> {
    const r = await this.pool.query<RawDoc>(`SELECT ${DOC_COLUMNS} FROM documents WHERE sha256 = $1 AND status = 'indexed'`, [pgText(sha256)]);
    return r.rows.map(toDoc);
  }

  async vectorsForChunkHashes(hashes: string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (!hashes.length || !(await hasVectorColumn(this.pool))) return out;
    const asked = new Map(hashes.map((h) => [pgText(h), h]));
    const r = await this.pool.query<{ sha256: string; e: string }>(
      'SELECT DISTINCT ON (sha256) sha256, embedding::text AS e FROM chunks WHERE sha256 = ANY($1::text[]) AND embedding IS NOT NULL',
      [[...asked.keys()]],
    );
    for (const row of r.rows) out.set(asked.get(row.sha256) ?? row.sha256, parseVector(row.e));
    return out;
  }

  async replace(doc: DocumentInput, chunks: Chunk[], vectors: Float32Array[]): Promise<void> {
    if (chunks.length !== vectors.length) throw new Error('replaceDocument: chunks and vectors differ in length');
    const writes = await inTransaction(this.pool, async (c) => {
      const id = await upsert(c, doc, chunks.length, false);
      let n = 1 + (await deleteChunks(c, id));
      for (let i = 0; i < chunks.length; i += INSERT_BATCH) n += await insertChunks(c, id, chunks.slice(i, i + INSERT_BATCH), vectors.slice(i, i + INSERT_BATCH));
      return n;
    });
    this.writes += writes;
  }

  async recordOutcome(doc: DocumentInput): Promise<void> {
    const keep = keepsChunks(doc.status);
    this.writes += await inTransaction(this.pool, async (c) => {
      const id = await upsert(c, doc, 0, keep);
      return 1 + (keep ? 0 : await deleteChunks(c, id));
    });
  }

  async move(fromPath: string, to: DocumentInput): Promise<void> {
    this.writes += await inTransaction(this.pool, async (c) => {
      // A document already at the target (nested roots) goes with its chunks and vectors, never orphaning them.
      const removed = to.path !== fromPath ? await removeIn(c, pgText(to.path)) : 0;
      await c.query('UPDATE documents SET root = $1, path = $2, rel_path = $3, size = $4, mtime_ms = $5, ino = $6, updated_at = $7 WHERE path = $8',
        [pgText(to.root), pgText(to.path), pgText(to.relPath), to.size, to.mtimeMs, to.ino, new Date().toISOString(), pgText(fromPath)]);
      return removed + 1;
    });
  }

  async recordStat(path: string, size: number, mtimeMs: number, ino: number): Promise<void> {
    await this.pool.query('UPDATE documents SET size = $1, mtime_ms = $2, ino = $3 WHERE path = $4', [size, mtimeMs, ino, pgText(path)]);
    this.writes++;
  }

  async remove(path: string): Promise<boolean> {
    const n = await inTransaction(this.pool, (c) => removeIn(c, pgText(path)));
    this.writes += n;
    return n > 0;
  }

  async stats(): Promise<IndexStats> {
    const byStatus = await this.pool.query<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM documents GROUP BY status');
    const vec = await hasVectorColumn(this.pool);
    const counts = await this.pool.query<{ chunks: number; vectors: number }>(
      `SELECT COUNT(*) AS chunks, ${vec ? 'COUNT(embedding)' : '0::bigint'} AS vectors FROM chunks`,
    );
    const { chunks, vectors } = counts.rows[0]!;
    return { documents: Object.fromEntries(byStatus.rows.map((r) => [r.status, r.n])), chunks, vectors };
  }
}

/** Writes of a removal: the document and its chunks (0 when there was none). */
async function removeIn(c: PoolClient, path: string): Promise<number> {
  const row = await c.query<{ id: number }>('SELECT id FROM documents WHERE path = $1 FOR UPDATE', [path]);
  const id = row.rows[0]?.id;
  if (id === undefined) return 0;
  const chunks = await deleteChunks(c, id);
  await c.query('DELETE FROM documents WHERE id = $1', [id]);
  return chunks + 1;
}

async function deleteChunks(c: PoolClient, documentId: number): Promise<number> {
  return (await c.query('DELETE FROM chunks WHERE document_id = $1', [documentId])).rowCount ?? 0;
}

/** One multi-row INSERT; each chunk and its vector count as two writes, as in SQLite's two tables. */
async function insertChunks(c: PoolClient, documentId: number, chunks: Chunk[], vectors: Float32Array[]): Promise<number> {
  if (!chunks.length) return 0;
  const values: unknown[] = [documentId];
  const rows = chunks.map((ch, i) => {
    const at = values.length;
    values.push(ch.seq, pgText(ch.text), ch.tokens, pgJson(ch.loc), pgText(ch.sha256), vectorParam(vectors[i]!));
    return `($1, $${at + 1}::int, $${at + 2}::text, $${at + 3}::int, $${at + 4}::jsonb, $${at + 5}::text, $${at + 6}::vector)`;
  });
  await c.query(`INSERT INTO chunks (document_id, seq, text, tokens, loc, sha256, embedding) VALUES ${rows.join(', ')}`, values);
  return chunks.length * 2;
}

const opt = (s: string | undefined): string | null => (s === undefined ? null : pgText(s));

/**
 * Inserts or updates the ledger row. `keepChunkCount` keeps the stored count (a failed outcome keeps its last
 * good chunks); a new row then starts at 0.
 */
async function upsert(c: PoolClient, doc: DocumentInput, chunkCount: number, keepChunkCount: boolean): Promise<number> {
  const now = new Date().toISOString();
  const r = await c.query<{ id: number }>(
    `INSERT INTO documents (root, path, rel_path, type, sha256, size, mtime_ms, ino, status, reason, warnings,
       chunk_count, char_count, pages_ocr, fingerprint, attempts, first_seen_at, indexed_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17, $18, $17)
     ON CONFLICT (path) DO UPDATE SET root = excluded.root, rel_path = excluded.rel_path, type = excluded.type,
       sha256 = excluded.sha256, size = excluded.size, mtime_ms = excluded.mtime_ms, ino = excluded.ino,
       status = excluded.status, reason = excluded.reason, warnings = excluded.warnings,
       chunk_count = CASE WHEN $19 THEN documents.chunk_count ELSE excluded.chunk_count END,
       char_count = excluded.char_count, pages_ocr = excluded.pages_ocr,
       fingerprint = excluded.fingerprint, attempts = excluded.attempts,
       indexed_at = COALESCE(excluded.indexed_at, documents.indexed_at), updated_at = excluded.updated_at
     RETURNING id`,
    [pgText(doc.root), pgText(doc.path), pgText(doc.relPath), opt(doc.type), opt(doc.sha256), doc.size, doc.mtimeMs, doc.ino, doc.status,
      opt(doc.reason), doc.warnings?.length ? pgJson(doc.warnings) : null,
      chunkCount, doc.charCount ?? 0, doc.pagesOcr ?? 0, pgText(doc.fingerprint), doc.attempts ?? 0, now,
      doc.status === 'indexed' ? now : null, keepChunkCount],
  );
  return r.rows[0]!.id;
}
