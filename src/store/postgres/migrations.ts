// Numbered, append-only migrations of a docproc schema, applied on open under an advisory lock; read-only checks.
import type { Pool } from 'pg';
import { DocprocError, ExitCode } from '../../errors.js';
import { inTransaction, quoteIdent, type Queryable } from './connect.js';
import { ensureVector, findVector, vectorRequest, type VectorExtension } from './pgvector.js';

interface Migration {
  version: number;
  name: string;
  /** `{s}` is the quoted schema name. */
  sql: string;
}

// Never edit a released migration: add a new one. The vector column is not here: bindIdentity adds it with
// the model's dimensions, as SQLite's store creates vec_chunks.
const migrations: Migration[] = [
  {
    version: 1,
    name: 'documents-chunks-meta-runs-roots',
    // path and root are COLLATE "C": byte order, so documentsUnder's range means exactly "below this folder".
    // ino is double precision: it holds the JS number fs.stat gave, which may exceed bigint's range.
    sql: `
      CREATE TABLE {s}.meta (key text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE {s}.documents (
        id bigserial PRIMARY KEY,
        root text COLLATE "C" NOT NULL,
        path text COLLATE "C" NOT NULL UNIQUE,
        rel_path text NOT NULL,
        type text,
        sha256 text,
        size bigint,
        mtime_ms double precision,
        ino double precision,
        status text NOT NULL,
        reason text,
        warnings jsonb,
        chunk_count integer NOT NULL DEFAULT 0,
        char_count bigint NOT NULL DEFAULT 0,
        pages_ocr integer NOT NULL DEFAULT 0,
        fingerprint text,
        attempts integer NOT NULL DEFAULT 0,
        first_seen_at timestamptz NOT NULL,
        indexed_at timestamptz,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX documents_root ON {s}.documents (root);
      CREATE INDEX documents_sha256 ON {s}.documents (sha256);
      CREATE INDEX documents_status ON {s}.documents (status);
      CREATE TABLE {s}.chunks (
        id bigserial PRIMARY KEY,
        document_id bigint NOT NULL REFERENCES {s}.documents (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        text text NOT NULL,
        tokens integer NOT NULL,
        loc jsonb NOT NULL,
        sha256 text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
      );
      CREATE INDEX chunks_document ON {s}.chunks (document_id, seq);
      CREATE INDEX chunks_sha256 ON {s}.chunks (sha256);
      CREATE INDEX chunks_tsv ON {s}.chunks USING gin (tsv);
      CREATE TABLE {s}.runs (
        id bigserial PRIMARY KEY,
        command text NOT NULL,
        roots jsonb NOT NULL,
        pid integer NOT NULL,
        host text,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        outcome text,
        counts jsonb,
        failures jsonb,
        duration_ms bigint
      );
      CREATE TABLE {s}.roots (
        id bigserial PRIMARY KEY,
        path text COLLATE "C" NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('file', 'folder')),
        added_at timestamptz NOT NULL,
        inferred boolean NOT NULL DEFAULT false
      );
    `,
  },
  {
    // Many workers write one Postgres index: each registers, and leases the files it processes (see writer.ts).
    version: 2,
    name: 'workers-leases',
    sql: `
      CREATE TABLE {s}.workers (
        id uuid PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        command text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        lease_ms integer NOT NULL,
        exclusive boolean NOT NULL DEFAULT false
      );
      CREATE TABLE {s}.leases (
        path text COLLATE "C" PRIMARY KEY,
        worker_id uuid,
        expires_at timestamptz
      );
      CREATE INDEX leases_worker ON {s}.leases (worker_id);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1]!.version;
const DOCPROC_TABLES = ['schema_migrations', 'meta', 'documents', 'chunks', 'runs'];

/** One key per schema for pg_advisory_xact_lock: migrations, identity binding and rebuild swaps take turns. */
export const lockSchemaSql = "SELECT pg_advisory_xact_lock(hashtextextended('docproc:schema:' || $1, 0))";

export interface Where {
  schema: string;
  location: string;
  database: string;
}

async function tablesIn(db: Queryable, schema: string): Promise<Set<string> | undefined> {
  const exists = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (!exists.rowCount) return undefined;
  const r = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    [schema],
  );
  return new Set(r.rows.map((row) => row.name));
}

function notAnIndex(w: Where, why: string): DocprocError {
  return new DocprocError(`${w.location} (schema ${w.schema}) is not a docproc index (${why})`, {
    code: 'not-an-index',
    exitCode: ExitCode.usage,
    hint: 'point --db at an index made by docproc ingest, or pass another --pg-schema',
  });
}

function assertDocprocTables(names: Set<string>, w: Where): void {
  const missing = DOCPROC_TABLES.filter((t) => !names.has(t));
  if (missing.length) throw notAnIndex(w, `no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}`);
}

async function schemaVersion(db: Queryable, schema: string): Promise<number> {
  const r = await db.query<{ v: number }>(`SELECT COALESCE(MAX(version), 0)::int AS v FROM ${quoteIdent(schema)}.schema_migrations`);
  return r.rows[0]!.v;
}

/** Refuses an index written by a newer docproc (same words as SQLite's). */
function checkVersion(v: number): number {
  if (v > LATEST_SCHEMA_VERSION) {
    throw new DocprocError(`index schema version ${v} is newer than this docproc supports (${LATEST_SCHEMA_VERSION})`, {
      code: 'schema-too-new',
      hint: 'upgrade docproc',
    });
  }
  return v;
}

/**
 * Brings the schema up to date: pgvector, the schema, every missing migration, in one transaction under the
 * schema's advisory lock, so processes opening a new database at once apply each migration exactly once. A
 * schema that already holds other tables is refused rather than given docproc's.
 */
export async function migrate(pool: Pool, w: Where): Promise<VectorExtension> {
  const names = await tablesIn(pool, w.schema);
  if (names?.size) assertDocprocTables(names, w);
  const vector = names?.size ? await findVector(pool) : undefined;
  if (vector && checkVersion(await schemaVersion(pool, w.schema)) === LATEST_SCHEMA_VERSION) return vector;
  return inTransaction(pool, async (c) => {
    await c.query(lockSchemaSql, [w.schema]);
    const ext = await ensureVector(c, w.database);
    const s = quoteIdent(w.schema);
    const again = await tablesIn(c, w.schema);
    if (again?.size) assertDocprocTables(again, w);
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = checkVersion(await schemaVersion(c, w.schema));
    for (const m of migrations) {
      if (m.version <= applied) continue;
      await c.query(m.sql.replaceAll('{s}', s));
      await c.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
    return ext;
  });
}

/** A read-only open: no DDL; the schema must be a docproc index this docproc can read. */
export async function assertIndex(db: Queryable, w: Where): Promise<VectorExtension> {
  const names = await tablesIn(db, w.schema);
  if (!names) {
    throw new DocprocError(`no index at ${w.location} (schema ${w.schema})`, { code: 'no-index', hint: 'create one with: docproc ingest <paths...>' });
  }
  assertDocprocTables(names, w);
  checkVersion(await schemaVersion(db, w.schema));
  const vector = await findVector(db);
  if (!vector) throw new DocprocError(`pgvector is not installed in database ${w.database}`, { code: 'pgvector-missing', hint: vectorRequest(w.database) });
  return vector;
}
