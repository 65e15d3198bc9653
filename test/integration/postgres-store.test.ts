// What only the Postgres store has: concurrent first opens, pgvector checks, iterative filtered scans, URLs
// without passwords, refusing foreign schemas, workers and rebuild exclusivity. Real PostgreSQL + pgvector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { copyIndex } from '../../src/pipeline/copy.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { searchSettingsSql } from '../../src/store/postgres/view.js';
import { vectorParam } from '../../src/store/postgres/values.js';
import { vectorWarnings } from '../../src/store/postgres/pgvector.js';
import { DocprocError, LockedError, UsageError } from '../../src/errors.js';
import { freshDatabase, pgTestUrl, sql } from '../helpers/pg.js';
import { contractIdentity, doc, put } from '../helpers/store-contract.js';
import { tempDir } from '../helpers/temp.js';

const base = await pgTestUrl();
const skip = typeof base === 'string' ? undefined : base.skip;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fresh database for one test, dropped after it (stores first: dropping ends their sessions). */
async function withDb(fn: (url: string, track: (s: PostgresStore) => PostgresStore) => Promise<void>): Promise<void> {
  const db = await freshDatabase(base as string);
  const stores: PostgresStore[] = [];
  try {
    await fn(db.url, (s) => (stores.push(s), s));
  } finally {
    for (const s of stores) await s.close();
    await db.drop();
  }
}

test('postgres: four processes opening a new database at once all succeed, and each migration runs once', { skip }, () => withDb(async (url, track) => {
  const stores = await Promise.all([1, 2, 3, 4].map(async () => track(await openPostgresStore(url))));
  assert.deepEqual(stores.map((s) => s.kind), ['postgres', 'postgres', 'postgres', 'postgres']);
  const r = await sql(url, 'SELECT version, COUNT(*)::int AS n FROM docproc.schema_migrations GROUP BY version ORDER BY version');
  assert.deepEqual(r.rows, [{ version: 1, n: 1 }, { version: 2, n: 1 }]);
  const ext = await sql(url, "SELECT extversion, extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'vector'");
  // Installed where the database's defaults put it, never inside docproc's schema (a rebuild drops that).
  assert.deepEqual(ext.rows, [{ extversion: '0.8.6', schema: 'public' }]);
  assert.deepEqual(stores[0]!.warnings, []);
  // pgvector there already: only the schema's advisory lock keeps four migrations of a new schema apart.
  await Promise.all([1, 2, 3, 4].map(async () => track(await openPostgresStore(url, { pgSchema: 'second' }))));
  const second = await sql(url, 'SELECT version, COUNT(*)::int AS n FROM second.schema_migrations GROUP BY version ORDER BY version');
  assert.deepEqual(second.rows, [{ version: 1, n: 1 }, { version: 2, n: 1 }]);
}));

test('postgres: pgvector before 0.8.4 gets a loud warning naming CVE-2026-3172 and the HNSW vacuum fixes', () => {
  assert.deepEqual(vectorWarnings('0.8.6', 'db'), []);
  assert.deepEqual(vectorWarnings('0.8.4', 'db'), []);
  const [w081] = vectorWarnings('0.8.1', 'db');
  assert.match(w081!, /^WARNING: pgvector 0\.8\.1 in database db/);
  assert.match(w081!, /CVE-2026-3172/);
  assert.match(w081!, /0\.8\.3.*0\.8\.4/);
  const [w083] = vectorWarnings('0.8.3', 'db');
  assert.doesNotMatch(w083!, /CVE-2026-3172/);
  assert.match(w083!, /hnsw graph not repaired/);
});

test('postgres: a filter selecting 1 document out of 300 still returns its chunks; the HNSW walk itself is iterative', { skip }, () => withDb(async (url, track) => {
  const s = track(await openPostgresStore(url));
  const dims = 32;
  await s.bindIdentity({ ...contractIdentity, dims });
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const vec = (): Float32Array => { const v = Float32Array.from({ length: dims }, rnd); const n = Math.hypot(...v); return v.map((x) => x / n); };
  for (let d = 0; d < 300; d++) {
    const chunks = Array.from({ length: 10 }, (_, i) => ({ seq: i, text: `doc ${d} part ${i}`, tokens: 4, loc: {}, sha256: `h${d}-${i}` }));
    await s.replaceDocument(doc(`/r/d${d}.txt`, `s${d}`), chunks, chunks.map(vec));
  }
  const q = vec();
  const target = (await s.getDocument('/r/d123.txt'))!.id;
  await s.snapshot(async (v) => {
    const one = await v.vectorCandidates(q, [target], 10);
    assert.equal(one.length, 10);
    assert.ok(one.every((c) => c.documentId === target));
    const half = (await v.filterableDocuments()).slice(0, 150).map((d) => d.id);
    assert.equal((await v.vectorCandidates(q, half, 200)).length, 200);
    assert.equal((await v.vectorCandidates(q, null, 1000)).length, 1000);
  });
  // The same settings the store uses, with the HNSW index as the only way in: iterative scans fill the list.
  const c = await s.pool.connect();
  try {
    const knn = 'SELECT id FROM chunks WHERE document_id = ANY($2::bigint[]) ORDER BY embedding <=> $1 LIMIT 10';
    for (const [mode, want] of [['off', (n: number) => n < 10], ['relaxed_order', (n: number) => n === 10]] as const) {
      await c.query(`BEGIN; ${searchSettingsSql(s.settings.search)}; SET LOCAL hnsw.ef_search = 40; SET LOCAL hnsw.iterative_scan = ${mode}`);
      await c.query('DROP INDEX chunks_document');
      await c.query('SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
      const plan = (await c.query(`EXPLAIN ${knn}`, [vectorParam(q), [target]])).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /Index Scan using chunks_embedding_hnsw/);
      const n = (await c.query(knn, [vectorParam(q), [target]])).rowCount ?? 0;
      assert.ok(want(n), `iterative_scan=${mode}: ${n} rows`);
      await c.query('ROLLBACK');
    }
  } finally {
    c.release();
  }
}));

test('postgres: the password never appears in location or in the error for a wrong one', { skip }, () => withDb(async (url, track) => {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  const s = track(await openPostgresStore(url));
  assert.ok(!s.location.includes(password));
  assert.equal(s.location, url.replace(`:${u.password}@`, ':***@'));
  u.password = 'Wr0ng-p%40ss';
  const err = await openPostgresStore(u.toString()).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof DocprocError, String(err));
  assert.equal(err.code, 'db-connect');
  assert.match(err.message, /^cannot connect to postgres:\/\/docproc:\*\*\*@127\.0\.0\.1:\d+\/docproc_t_\w+: password authentication failed/);
  for (const secret of [password, 'Wr0ng', 'p@ss', 'p%40ss']) assert.ok(!err.message.includes(secret) && !(err.hint ?? '').includes(secret), secret);
  const query = new URL(url);
  query.password = '';
  query.searchParams.set('password', 'Wr0ng-q');
  const err2 = await openPostgresStore(query.toString()).then(() => undefined, (e: unknown) => e as DocprocError);
  assert.ok(err2 && !err2.message.includes('Wr0ng-q') && err2.message.includes('password=***'), err2?.message);
}));

test('postgres: libpq environment fills what the URL leaves out (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)', { skip }, () => withDb(async (url, track) => {
  const u = new URL(url);
  const env = { PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: u.pathname.slice(1), PGSSLMODE: 'disable' };
  const saved = { ...process.env };
  // node-postgres reads these from process.env itself, when it connects.
  Object.assign(process.env, env);
  try {
    const s = track(await openPostgresStore('postgres://', { env }));
    assert.equal(s.location, 'postgres://');
    assert.equal(s.database, env.PGDATABASE);
    assert.deepEqual(await s.stats(), { documents: {}, chunks: 0, vectors: 0 });
    await assert.rejects(openPostgresStore('postgres://', { env: { ...env, PGSSLMODE: 'require' } }), /cannot connect to postgres:\/\/: .*SSL/);
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  }
}));

test('postgres: a schema that is not a docproc index is refused (read-only and writer); a missing one is no index', { skip }, () => withDb(async (url, track) => {
  await sql(url, 'CREATE SCHEMA other; CREATE TABLE other.foo (id int)');
  for (const readonly of [true, false]) {
    const err = await openPostgresStore(url, { readonly, pgSchema: 'other' }).then(() => undefined, (e: unknown) => e as DocprocError);
    assert.equal(err?.code, 'not-an-index');
    assert.equal(err?.exitCode, 2);
    assert.match(err!.message, /\(schema other\) is not a docproc index \(no schema_migrations, meta, documents, chunks, runs tables\)/);
  }
  await assert.rejects(openPostgresStore(url, { readonly: true, pgSchema: 'nothing_here' }), (e: DocprocError) => e.code === 'no-index');
  // A writer adopts an empty schema (made for it by a DBA), and a custom one works like the default.
  await sql(url, 'CREATE SCHEMA empty_one');
  const s = track(await openPostgresStore(url, { pgSchema: 'empty_one' }));
  await s.bindIdentity(contractIdentity);
  await put(s, '/r/a.txt', 'custom schema words');
  const ro = track(await openPostgresStore(url, { readonly: true, pgSchema: 'empty_one' }));
  assert.equal((await ro.stats()).chunks, 1);
  for (const bad of ['Docproc', 'pg_docproc', '1abc', 'a-b', 'x'.repeat(41)]) {
    await assert.rejects(openPostgresStore(url, { pgSchema: bad }), UsageError, bad);
  }
}));

test('postgres: an index from a newer docproc is refused, read-only or not', { skip }, () => withDb(async (url, track) => {
  track(await openPostgresStore(url));
  await sql(url, "INSERT INTO docproc.schema_migrations (version, name) VALUES (99, 'future')");
  for (const readonly of [true, false]) {
    await assert.rejects(openPostgresStore(url, { readonly }), (e: DocprocError) => e.code === 'schema-too-new' && /version 99 is newer/.test(e.message));
  }
}));

test('postgres: without the right to create pgvector, the error says what to ask a DBA', { skip }, () => withDb(async (url) => {
  const role = `docproc_nopriv_${process.pid}`;
  const name = `docproc_np_${process.pid}_${Date.now()}`;
  await sql(url, `CREATE ROLE ${role} LOGIN PASSWORD 'np-secret'`);
  await sql(url, `CREATE DATABASE ${name} OWNER ${role}`);
  try {
    const u = new URL(url);
    [u.username, u.password, u.pathname] = [role, 'np-secret', `/${name}`];
    const err = await openPostgresStore(u.toString()).then(() => undefined, (e: unknown) => e as DocprocError);
    assert.equal(err?.code, 'pgvector-missing');
    assert.equal(err?.exitCode, 1);
    assert.match(err!.message, new RegExp(`pgvector is not installed in database ${name}.*permission denied`));
    assert.equal(err!.hint, `ask a DBA to run \`CREATE EXTENSION vector;\` in database ${name} (as a superuser, or a role with CREATE on the database)`);
    assert.ok(!err!.message.includes('np-secret'));
  } finally {
    await sql(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await sql(url, `DROP ROLE IF EXISTS ${role}`);
  }
}));

test('postgres: activeWorkers lists live writers with their leases; a rebuild excludes other writers both ways', { skip }, () => withDb(async (url, track) => {
  const a = track(await openPostgresStore(url));
  const b = track(await openPostgresStore(url));
  const wa = await a.acquireWriter('ingest');
  assert.deepEqual(await wa.claim(['/r/1', '/r/2']), ['/r/1', '/r/2']);
  const [info] = await a.activeWorkers();
  assert.equal(info!.pid, process.pid);
  assert.equal(info!.command, 'ingest');
  assert.equal(info!.leases, 2);
  assert.match(info!.heartbeatAt, /^\d{4}-\d\d-\d\dT/);
  await assert.rejects(b.beginRebuild(), (e: unknown) => e instanceof LockedError && /other workers write to the index: pid \d+ on .* \(docproc ingest\)/.test(e.message));
  await wa.release();
  assert.deepEqual(await a.activeWorkers(), []);
  const rebuild = await b.beginRebuild();
  await assert.rejects(a.acquireWriter('ingest'), (e: unknown) => e instanceof LockedError && /being rebuilt by pid/.test(e.message));
  await rebuild.discard();
  await (await a.acquireWriter('ingest')).release();
}));

test('postgres: a rebuild swap waits for a search reading the old index, which sees the old index whole', { skip }, () => withDb(async (url, track) => {
  const s = track(await openPostgresStore(url));
  await s.bindIdentity(contractIdentity);
  await put(s, '/r/old.txt', 'old words here');
  const rebuild = await s.beginRebuild();
  await rebuild.store.bindIdentity(contractIdentity);
  await put(rebuild.store, '/r/new.txt', 'new words here');
  let committed: Promise<void> | undefined;
  const seen = await s.snapshot(async (v) => {
    await v.hasChunks();
    committed = rebuild.commit();
    // Longer than Postgres' deadlock_timeout (1 s): a swap holding its locks meanwhile would deadlock with us.
    await sleep(1300);
    const kw = await v.keywordCandidates('words', null, 10);
    return [...(await v.chunkRows(kw.map((c) => c.chunkId))).values()].map((r) => r.path);
  });
  await committed;
  assert.deepEqual(seen, ['/r/old.txt']);
  assert.deepEqual((await s.documentsUnder('/r')).map((d) => d.path), ['/r/new.txt']);
  const schemas = await sql(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'docproc%' ORDER BY 1");
  assert.deepEqual(schemas.rows.map((r: { nspname: string }) => r.nspname), ['docproc']);
}));

test('postgres: options from the URL are kept beside docproc\'s own; read-only connections refuse even raw writes', { skip }, () => withDb(async (url, track) => {
  const u = new URL(url);
  u.searchParams.set('options', '-c statement_timeout=4321');
  const s = track(await openPostgresStore(u.toString()));
  assert.deepEqual((await s.pool.query('SHOW statement_timeout')).rows, [{ statement_timeout: '4321ms' }]);
  assert.deepEqual((await s.pool.query('SHOW search_path')).rows, [{ search_path: '"docproc","public"' }]);
  const ro = track(await openPostgresStore(url, { readonly: true }));
  await assert.rejects(ro.pool.query("INSERT INTO meta VALUES ('k', 'v')"), /read-only transaction/);
}));

test('postgres: docproc copy moves an index SQLite -> Postgres -> SQLite whole (ledger, vectors, roots, runs), and --replace', { skip }, () => withDb(async (url, track) => {
  const dir = tempDir('docproc-pgcopy-');
  const first = new SqliteStore(path.join(dir, 'a.db'));
  let back: SqliteStore | undefined;
  try {
    await first.bindIdentity(contractIdentity);
    await first.recordRoots([{ path: '/r', kind: 'folder' }]);
    await put(first, '/r/a.txt', 'alpha one two three');
    await put(first, '/r/b.txt', 'beta four five six', { warnings: ['odd encoding'] });
    await first.recordOutcome({ ...doc('/r/c.txt', 'c'), status: 'failed', reason: 'corrupt', attempts: 2 });
    const run = await first.runs.start('ingest', ['/r']);
    await first.runs.finish(run, 'completed', { indexed: 2, failed: 1 }, [{ path: '/r/c.txt', status: 'failed', reason: 'corrupt' }], 12);
    const target = track(await openPostgresStore(url));
    const report = await copyIndex(first, target, async () => openPostgresStore(url, { readonly: true }));
    assert.deepEqual([report.documents, report.chunks, report.runs, report.roots, report.verified], [3, 2, 1, 1, true]);
    assert.deepEqual(await target.stats(), await first.stats());
    assert.ok((await target.sizeBytes()) > 0);
    assert.deepEqual((await target.getDocument('/r/b.txt'))?.warnings, ['odd encoding']);
    const strip = (r: { host?: string }[]): unknown[] => r.map(({ host: _h, ...rest }) => rest);
    assert.deepEqual(strip(await target.runs.last(10)), strip(await first.runs.last(10)));
    // --replace swaps through a rebuild that drops the replaced index's runs: the copy brings the source's own.
    const again = await copyIndex(first, target, async () => openPostgresStore(url, { readonly: true }), { replace: true });
    assert.equal(again.verified, true);
    assert.deepEqual((await target.runs.last(10)).map((r) => [r.id, r.command]), [[1, 'ingest']]);
    // SQLite's swap closes the store it copied into: read the result from a fresh one.
    await copyIndex(target, new SqliteStore(path.join(dir, 'b.db')), async () => new SqliteStore(path.join(dir, 'b.db'), { readonly: true }));
    back = new SqliteStore(path.join(dir, 'b.db'), { readonly: true });
    assert.deepEqual(await back.stats(), await first.stats());
    assert.deepEqual(await back.roots(), await first.roots());
    assert.deepEqual(strip(await back.runs.last(10)), strip(await target.runs.last(10)));
    assert.deepEqual((await back.getDocument('/r/c.txt'))?.reason, 'corrupt');
  } finally {
    await first.close();
    await back?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}));

test('postgres: config pgHnswM, pgHnswEfConstruction and pgEfSearch reach the vector index and every search snapshot', { skip }, () => withDb(async (url) => {
  const { openConfiguredStore } = await import('../../src/store/open-store.js');
  const store = await openConfiguredStore({ db: url, pgSchema: 'tuned', pathAliases: [], pgHnswM: 8, pgHnswEfConstruction: 32, pgEfSearch: 77 });
  try {
    await store.bindIdentity(contractIdentity);
    const idx = await sql(url, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'tuned' AND indexdef LIKE '%hnsw%'");
    assert.match(idx.rows[0]!.indexdef, /m='8'/);
    assert.match(idx.rows[0]!.indexdef, /ef_construction='32'/);
    const ef = await store.snapshot(async (v) => ((await (v as unknown as { c: pg.ClientBase }).c.query("SELECT current_setting('hnsw.ef_search') AS ef")).rows[0] as { ef: string }).ef);
    assert.equal(ef, '77');
  } finally {
    await store.close();
  }
}));
