// Opens the SQLite index: better-sqlite3 + the sqlite-vec extension, WAL, migrations.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Database } from 'better-sqlite3';
import { DocprocError } from '../../errors.js';
import { applyMigrations } from './migrations.js';
import { loadSqliteDriver } from './driver.js';

const require = createRequire(import.meta.url);

export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Database {
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
  if (opts.readonly && !fs.existsSync(file)) {
    throw new DocprocError(`no index at ${file}`, { code: 'no-index', hint: 'create one with: docproc ingest <paths...>' });
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite(file, { readonly: false, timeout: 5000 });
    vec.load(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    applyMigrations(db);
  } catch (err) {
    if (err instanceof DocprocError) throw err;
    throw new DocprocError(`cannot open index ${file}: ${(err as Error).message}`, { cause: err });
  }
  return db;
}
