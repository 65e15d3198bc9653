// Whole-index export and import for `docproc copy`: documents with their chunks and vectors, runs with their ids.
import type { Pool } from 'pg';
import type { Chunk } from '../../contracts/stages.js';
import type { DocumentRow, DumpedDocument, RunRecord } from '../../contracts/index-store.js';
import { hasVectorColumn, PgDocuments } from './documents.js';
import { parseVector, pgJson } from './values.js';

/** Every document by path, each with its chunks in order and their vectors (empty where none is stored). */
export async function* exportDocuments(pool: Pool, docs: PgDocuments): AsyncIterable<DumpedDocument> {
  const vec = await hasVectorColumn(pool);
  const paths = (await pool.query<{ path: string }>('SELECT path FROM documents ORDER BY path')).rows.map((r) => r.path);
  for (const path of paths) {
    const doc: DocumentRow | undefined = await docs.get(path);
    if (!doc) continue; // removed meanwhile
    const rows = (await pool.query<Chunk & { e: string | null }>(
      `SELECT seq, text, tokens, loc, sha256, ${vec ? 'embedding::text' : 'NULL'} AS e FROM chunks WHERE document_id = $1 ORDER BY seq, id`,
      [doc.id],
    )).rows;
    yield {
      doc,
      chunks: rows.map(({ e: _e, ...c }) => c),
      vectors: rows.map((r) => (r.e ? parseVector(r.e) : new Float32Array(0))),
    };
  }
}

/** A run as it was, id included; the id sequence moves past it so later runs never collide. */
export async function restoreRun(pool: Pool, r: RunRecord): Promise<void> {
  await pool.query(
    `INSERT INTO runs (id, command, roots, pid, host, started_at, ended_at, outcome, counts, failures, duration_ms)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11)`,
    [r.id, r.command, pgJson(r.roots), r.pid, r.host ?? null, r.startedAt, r.endedAt, r.outcome, pgJson(r.counts), pgJson(r.failures), r.durationMs],
  );
  await pool.query("SELECT setval(pg_get_serial_sequence('runs', 'id'), GREATEST((SELECT MAX(id) FROM runs), 1))");
}

/** Bytes of every table in the schema, their indexes and TOAST included. */
export async function sizeBytes(pool: Pool, schema: string): Promise<number> {
  const r = await pool.query<{ n: string }>(
    `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::text AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`,
    [schema],
  );
  return Number(r.rows[0]!.n);
}
