// Opens the SQLite index: better-sqlite3 + the sqlite-vec extension, WAL, migrations.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Database } from 'better-sqlite3';
import { DocprocError, ExitCode } from '../../errors.js';
import { applyMigrations, checkSchemaVersion } from './migrations.js';
import { loadSqliteDriver } from './driver.js';

const require = createRequire(import.meta.url);

export interface OpenOptions {
  /**
   * Open an existing index for reading only: nothing is created or migrated, and a file that is not a docproc
   * index is refused rather than given docproc's schema (`status --db other.sqlite` must not touch it).
   */
  readonly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Database {
  let BetterSqlite: typeof import('better-sqlite3');
  let vec: { load(db: Database): void };
  try {
    BetterSqlite = loadSqliteDriver();
    vec = require('sqlite-vec') as { load(db: Database): void };
  } catch (err) {
    throw new DocprocError(`cannot load SQLite bindings: ${(err as Error).message}`, {
      hint: 'reinstall with `npm ci` (better-sqlite3 12.x needs a matching Node ABI)',
      cause: err,
    });
  }
  const memory = file === ':memory:';
  if (opts.readonly && !memory && !fs.existsSync(file)) {
    throw new DocprocError(`no index at ${path.resolve(file)}`, { code: 'no-index', hint: 'create one with: docproc ingest <paths...>' });
  }
  if (!memory && !opts.readonly) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // A writer must not adopt a foreign database either: it would add docproc's tables to it.
    if (fs.existsSync(file) && fs.statSync(file).size > 0) assertDocprocIndex(file, BetterSqlite);
  }
  let db: Database;
  try {
    db = new BetterSqlite(file, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly, timeout: 5000 });
    vec.load(db);
    db.pragma('busy_timeout = 5000');
    // Up to 64 MB of page cache instead of SQLite's 2 MB: an FTS5 query at 100k chunks reads its posting lists and
    // document sizes over and over, and with 2 MB the first query of a process took 38-74 ms instead of 15 ms.
    db.pragma('cache_size = -65536');
    if (opts.readonly) {
      // Reads through a memory map instead of a read() per page (SQLite caps the map at 2 GiB). A search reads a
      // few thousand scattered pages (candidate vectors, their chunks): at 100k chunks its vector half took 11.7
      // ms mapped against 16.6 ms. Only read-only connections: they are short-lived and never truncate the file.
      if (!memory) db.pragma(`mmap_size = ${MMAP_BYTES}`);
      assertSchema(db, file);
    } else {
      retryWhileBusy(() => db.pragma('journal_mode = WAL'));
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      applyMigrations(db);
    }
  } catch (err) {
    if (err instanceof DocprocError) throw err;
    throw new DocprocError(`cannot open index ${file}: ${(err as Error).message}`, { cause: err });
  }
  return db;
}

/** The most SQLite maps (SQLITE_MAX_MMAP_SIZE, 0x7fff0000, in better-sqlite3's build). */
const MMAP_BYTES = 0x7fff0000;

/**
 * Runs `fn`, again while SQLite answers SQLITE_BUSY, for up to `ms`. Switching a new file to WAL needs every other
 * connection off it and SQLite does not wait for that (busy_timeout is not consulted): four processes opening one new
 * index at once failed about once in 80 with "database is locked".
 */
function retryWhileBusy<T>(fn: () => T, ms = 5000): T {
  const until = Date.now() + ms;
  for (let pause = 5; ; pause = Math.min(100, pause * 2)) {
    try {
      return fn();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= until) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

const DOCPROC_TABLES = ['schema_migrations', 'meta', 'documents', 'chunks', 'runs'];

function notAnIndex(file: string, why: string): DocprocError {
  return new DocprocError(`${path.resolve(file)} is not a docproc index (${why})`, {
    code: 'not-an-index',
    exitCode: ExitCode.usage,
    hint: 'point --db at an index made by docproc ingest, or at a new file',
  });
}

function tableNames(db: Database): Set<string> {
  return new Set((db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all() as { name: string }[]).map((r) => r.name));
}

/** A non-empty database file must already hold docproc's tables (an empty one gets them on first write). */
function assertDocprocIndex(file: string, Driver: typeof import('better-sqlite3')): void {
  let probe: Database;
  try {
    probe = new Driver(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw notAnIndex(file, (err as Error).message);
  }
  try {
    const names = tableNames(probe);
    if (names.size === 0) return;
    const missing = DOCPROC_TABLES.filter((t) => !names.has(t));
    if (missing.length) throw notAnIndex(file, `no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}`);
  } catch (err) {
    if (err instanceof DocprocError) throw err;
    throw notAnIndex(file, (err as Error).message);
  } finally {
    probe.close();
  }
}

function assertSchema(db: Database, file: string): void {
  let names: Set<string>;
  try {
    names = tableNames(db);
  } catch (err) {
    throw notAnIndex(file, (err as Error).message);
  }
  const missing = DOCPROC_TABLES.filter((t) => !names.has(t));
  if (missing.length) throw notAnIndex(file, `no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}`);
  checkSchemaVersion(db);
}
