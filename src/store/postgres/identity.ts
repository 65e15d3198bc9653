// The index's embedding identity in meta, and binding it: the vector column and its HNSW index, made once.
import type { Pool } from 'pg';
import { assertSameIdentity, completeIdentity, type EmbeddingIdentity } from '../../contracts/identity.js';
import { DocprocError } from '../../errors.js';
import { inTransaction, type Queryable } from './connect.js';
import { lockSchemaSql } from './migrations.js';

/** pgvector indexes `vector` columns of up to 2,000 dimensions with HNSW. */
const MAX_HNSW_DIMS = 2000;

export interface HnswSettings {
  /** HNSW graph degree (pgvector default 16). */
  m: number;
  /** Candidates kept while building the graph (pgvector default 64). */
  efConstruction: number;
}

export async function readIdentity(db: Queryable): Promise<EmbeddingIdentity | undefined> {
  const r = await db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'identity'");
  return r.rows[0] ? (JSON.parse(r.rows[0].value) as EmbeddingIdentity) : undefined;
}

const writeIdentity = (db: Queryable, id: EmbeddingIdentity): Promise<unknown> =>
  db.query("INSERT INTO meta (key, value) VALUES ('identity', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [JSON.stringify(id)]);

/**
 * Binds the index to one identity, refusing any other. The first binding adds `chunks.embedding vector(dims)`
 * and its HNSW index; it runs under the schema lock, so workers binding a new index at once agree on one.
 */
export async function bindIdentity(pool: Pool, schema: string, where: string, want: EmbeddingIdentity, hnsw: HnswSettings): Promise<void> {
  const seen = await readIdentity(pool);
  if (seen && JSON.stringify(completeIdentity(seen, want)) === JSON.stringify(seen)) {
    assertSameIdentity(where, seen, want);
    return;
  }
  await inTransaction(pool, async (c) => {
    await c.query(lockSchemaSql, [schema]);
    const have = await readIdentity(c);
    if (have) {
      assertSameIdentity(where, have, want);
      // An index written before docproc recorded every field learns the rest from this (matching) run.
      const completed = completeIdentity(have, want);
      if (JSON.stringify(completed) !== JSON.stringify(have)) await writeIdentity(c, completed);
      return;
    }
    if (!want.dims) throw new Error('bindIdentity: dimensions unknown');
    if (want.dims > MAX_HNSW_DIMS) {
      throw new DocprocError(`model ${want.modelName} makes ${want.dims}-dimensional vectors; pgvector's HNSW index takes at most ${MAX_HNSW_DIMS}`, {
        hint: 'choose a smaller model, or use the SQLite store',
      });
    }
    await c.query(`ALTER TABLE chunks ADD COLUMN embedding vector(${Math.trunc(want.dims)})`);
    await c.query(`CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops)
      WITH (m = ${Math.trunc(hnsw.m)}, ef_construction = ${Math.trunc(hnsw.efConstruction)})`);
    await writeIdentity(c, want);
  });
}
