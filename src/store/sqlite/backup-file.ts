// SQLite specifics of backups: the online copy (VACUUM INTO), the integrity check and the schema version of a
// backup file. Everything else about a backup goes through the store boundary.
import fs from 'node:fs';
import { SqliteStore } from './store.js';
import { loadSqliteDriver } from './driver.js';
import { checkSchemaVersion } from './migrations.js';

/**
 * A consistent copy of a live index into `dest`. VACUUM INTO reads one snapshot in one read transaction, so an
 * ingest or watch committing meanwhile is neither blocked nor half-copied, and it never restarts (the backup
 * API restarts whenever another connection writes, and may never finish under a busy writer). The source
 * is opened read-only by the caller: the backup changes nothing in it.
 */
export function copySqliteIndex(source: SqliteStore, dest: string): void {
  source.db.prepare('VACUUM INTO ?').run(dest);
  settleSqliteFile(dest);
}

/**
 * A backup file in rollback-journal mode with no -wal beside it: a read-only open then never writes to it or
 * next to it, so its sha256 holds, and it is one self-contained file.
 */
export function settleSqliteFile(file: string): void {
  const Driver = loadSqliteDriver();
  const db = new Driver(file);
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
  for (const ext of ['-wal', '-shm', '-journal']) fs.rmSync(file + ext, { force: true });
}

/** integrity_check's findings: ['ok'] for a sound file. A file SQLite cannot open at all is one finding. */
export function integrityProblems(store: SqliteStore): string[] {
  const rows = store.db.pragma('integrity_check(20)') as { integrity_check: string }[];
  const found = rows.map((r) => r.integrity_check);
  return found.join() === 'ok' ? [] : found.map((f) => `integrity_check: ${f}`);
}

export function schemaVersionOf(store: SqliteStore): number {
  return checkSchemaVersion(store.db);
}
