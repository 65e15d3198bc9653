// Numbered, append-only schema migrations, recorded in the database and applied on open.
import type { Database } from 'better-sqlite3';
import { DocprocError } from '../../errors.js';
import { buildVectorIndex, rebuildSignBlocks } from './vector-index.js';
import { buildKeywordIndex } from './keyword-index.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Work SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (db: Database) => void;
}

// Never edit a released migration: add a new one.
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'documents-chunks-meta-runs',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        rel_path TEXT NOT NULL,
        type TEXT,
        sha256 TEXT,
        size INTEGER,
        mtime_ms REAL,
        ino INTEGER,
        status TEXT NOT NULL,
        reason TEXT,
        warnings TEXT,
        chunk_count INTEGER NOT NULL DEFAULT 0,
        char_count INTEGER NOT NULL DEFAULT 0,
        pages_ocr INTEGER NOT NULL DEFAULT 0,
        fingerprint TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        first_seen_at TEXT NOT NULL,
        indexed_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX documents_root ON documents(root);
      CREATE INDEX documents_sha256 ON documents(sha256);
      CREATE INDEX documents_status ON documents(status);
      CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        loc TEXT NOT NULL,
        sha256 TEXT NOT NULL
      );
      CREATE INDEX chunks_document ON chunks(document_id, seq);
      CREATE INDEX chunks_sha256 ON chunks(sha256);
      CREATE VIRTUAL TABLE chunks_fts USING fts5(
        text, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        roots TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT,
        counts TEXT,
        failures TEXT,
        duration_ms INTEGER
      );
    `,
  },
  {
    // The roots the user named, file or folder: --reembed rebuilds exactly these. Older indexes infer them from
    // their documents' folders (a single file named on its own was recorded under its folder then).
    version: 2,
    name: 'roots',
    sql: `
      CREATE TABLE roots (
        path TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
        added_at TEXT NOT NULL,
        inferred INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO roots (path, kind, added_at, inferred)
        SELECT DISTINCT root, 'folder', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1 FROM documents;
    `,
  },
  {
    // The vector first pass (sign bits in blocks, floats per row: see vector-index.ts), built from the vectors
    // already in vec0. An index without vectors yet gets it when its identity is bound. Read-only opens of an
    // index not yet migrated keep searching vec0 exactly.
    version: 3,
    name: 'vector-first-pass',
    sql: '',
    run: (db) => {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'vec_chunks'").get()) buildVectorIndex(db);
    },
  },
  {
    // Keyword postings beside FTS5 (keyword-index.ts), built from the chunks already indexed: ~19 s per 100k
    // chunks, once. Read-only opens of an index not yet migrated keep ranking with FTS5's bm25().
    version: 4,
    name: 'keyword-postings',
    sql: '',
    run: (db) => {
      buildKeywordIndex(db);
    },
  },
  {
    // Sign blocks of 1,024 chunk ids per row instead of 256 (vector-index.ts: a 1M-chunk scan reads them in 19 ms
    // instead of 34), rewritten from the float rows: 7.6 s at 1M chunks. Read-only opens scan either layout.
    version: 5,
    name: 'sign-blocks-1024',
    sql: '',
    run: (db) => {
      rebuildSignBlocks(db);
    },
  },
];

export function applyMigrations(db: Database): number {
  const tracked = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  const applied = new Set(
    tracked ? (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version) : [],
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    // IMMEDIATE takes the write lock before looking again: processes opening a new index at the same moment (three
    // ingests started at once) would otherwise each run migration 1, and all but the first fail on CREATE TABLE.
    // The version table is made in the same transaction, so a process checking the file meanwhile sees either no
    // tables (a new index) or a whole schema, never a version table alone ("not a docproc index").
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version)) return;
      if (m.sql) db.exec(m.sql);
      m.run?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }).immediate();
  }
  return checkSchemaVersion(db);
}

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

/** Refuses an index written by a newer docproc; returns the index's schema version. */
export function checkSchemaVersion(db: Database): number {
  const { v } = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
  if (v > LATEST_SCHEMA_VERSION) {
    throw new DocprocError(`index schema version ${v} is newer than this docproc supports (${LATEST_SCHEMA_VERSION})`, {
      code: 'schema-too-new',
      hint: 'upgrade docproc',
    });
  }
  return v;
}
