// Smoke test of the test Postgres (test/helpers/pg.ts): pgvector 0.8.6 with an HNSW index, and
// row locks that two connections really share (FOR UPDATE SKIP LOCKED; why PGlite would not do).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { freshDatabase, pgTestUrl } from '../helpers/pg.js';

test('test Postgres: pgvector 0.8.6, HNSW + <=>, SKIP LOCKED across connections, isolated databases', async (t) => {
  const base = await pgTestUrl();
  if (typeof base !== 'string') {
    t.skip(base.skip);
    return;
  }
  const db = await freshDatabase(base);
  const a = new pg.Client({ connectionString: db.url });
  const b = new pg.Client({ connectionString: db.url });
  // Clients first: dropping the database ends their sessions, which an open client reports as an error.
  t.after(async () => {
    await Promise.allSettled([a.end(), b.end()]);
    await db.drop();
  });
  await a.connect();
  await b.connect();

  await t.test('server and extension versions', async () => {
    const v = await a.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    assert.match(v.rows[0]!.v ?? '', /^18\./);
    await a.query('CREATE EXTENSION IF NOT EXISTS vector');
    const ext = await a.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    assert.deepEqual(ext.rows, [{ extversion: '0.8.6' }]);
  });

  await t.test('vector(3) column, HNSW index, nearest by cosine distance', async () => {
    await a.query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3) NOT NULL)');
    await a.query('CREATE INDEX items_embedding_hnsw ON items USING hnsw (embedding vector_cosine_ops)');
    await a.query(`INSERT INTO items (id, embedding) VALUES
      (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]'), (4, '[0.9,0.1,0]'), (5, '[-1,0,0]')`);
    await a.query('SET enable_seqscan = off');
    const q = 'SELECT id, embedding <=> $1 AS distance FROM items ORDER BY embedding <=> $1 LIMIT 3';
    const plan = await a.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.replace(/\$1/g, "'[1,0.05,0]'")}`);
    assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /Index Scan using items_embedding_hnsw/);
    const r = await a.query<{ id: number; distance: number }>(q, ['[1,0.05,0]']);
    assert.deepEqual(r.rows.map((row) => row.id), [1, 4, 2]);
    assert.ok(r.rows[0]!.distance < 0.01, `distance ${r.rows[0]!.distance}`);
    // A wrong dimension is refused, not truncated.
    await assert.rejects(a.query("INSERT INTO items VALUES (6, '[1,2]')"), /expected 3 dimensions/);
  });

  await t.test('FOR UPDATE SKIP LOCKED: a second connection skips the row the first one holds', async () => {
    await a.query('CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL DEFAULT \'queued\')');
    await a.query('INSERT INTO jobs (id) VALUES (1), (2), (3)');
    const claim = 'SELECT id FROM jobs WHERE state = \'queued\' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED';
    await a.query('BEGIN');
    await b.query('BEGIN');
    try {
      assert.deepEqual((await a.query(claim)).rows, [{ id: 1 }]);
      assert.deepEqual((await b.query(claim)).rows, [{ id: 2 }]);
      // Row 1 really is locked for b: NOWAIT fails at once instead of skipping or blocking.
      await assert.rejects(b.query('SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT'), (e: unknown) => {
        assert.equal((e as { code?: string }).code, '55P03'); // lock_not_available
        return true;
      });
    } finally {
      await b.query('ROLLBACK');
      await a.query('ROLLBACK');
    }
    // Once released, the row is claimable again.
    await b.query('BEGIN');
    assert.deepEqual((await b.query(claim)).rows, [{ id: 1 }]);
    await b.query('ROLLBACK');
  });

  await t.test('freshDatabase gives separate databases', async () => {
    const other = await freshDatabase(base);
    const c = new pg.Client({ connectionString: other.url });
    await c.connect();
    try {
      const r = await c.query("SELECT to_regclass('public.items') AS t, current_database() AS db");
      assert.equal(r.rows[0].t, null);
      assert.notEqual(r.rows[0].db, new URL(db.url).pathname.slice(1));
    } finally {
      await c.end();
    }
    await other.drop();
    const gone = await a.query('SELECT 1 FROM pg_database WHERE datname = $1', [new URL(other.url).pathname.slice(1)]);
    assert.equal(gone.rowCount, 0);
  });
});
