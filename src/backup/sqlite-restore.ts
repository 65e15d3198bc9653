// Restoring a SQLite index: the verified backup is copied beside the index, checked again, and renamed over
// it (atomic: readers see the old index or the restored one). The lock keeps writers out meanwhile; the
// replaced index is kept as <db>.pre-restore-<time> with its WAL.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';
import { DocprocError, ExitCode, LockedError } from '../errors.js';
import { acquireLock, type IndexLock } from '../store/sqlite/lock.js';
import { sha256File } from '../embed/cache.js';
import { fsyncDir, fsyncFile } from '../fs-atomic.js';
import { BackupVerificationError } from './errors.js';
import type { BackupManifest } from './manifest.js';

export interface SqliteRestoreOptions {
  /** Replace the index even though a live writer holds it. */
  force: boolean;
  waitSeconds: number;
  log: Logger;
  signal?: AbortSignal;
}

export interface SqliteRestoreResult {
  /** The replaced index, kept beside it; null when there was none. */
  previous: string | null;
  /** A live writer held the index and --force replaced it anyway. */
  forced: boolean;
}

async function takeLock(db: string, o: SqliteRestoreOptions): Promise<IndexLock | undefined> {
  try {
    return await acquireLock(db, 'restore', o.waitSeconds, o.signal);
  } catch (err) {
    if (!(err instanceof LockedError)) throw err;
    if (!o.force) {
      throw new DocprocError(`refusing to restore over ${db}: ${err.message}`, {
        code: 'locked', exitCode: ExitCode.locked,
        hint: 'stop that ingest or watch first (or pass --wait [seconds]); --force replaces the index under it, and its later writes are lost',
      });
    }
    o.log.warn({ db, holder: err.message }, 'restoring under a live writer (--force): its later writes go to the replaced index, not the restored one');
    return undefined;
  }
}

/** rename(2) over the index; the old file and its WAL move aside together, so neither is lost or mixed. */
function swapIn(staged: string, db: string): string | null {
  let previous: string | null = null;
  if (fs.existsSync(db)) {
    previous = `${db}.pre-restore-${new Date().toISOString().replace(/[-:.]/g, '')}`;
    fs.linkSync(db, previous);
    if (fs.existsSync(`${db}-wal`)) fs.renameSync(`${db}-wal`, `${previous}-wal`);
  }
  // A -shm left beside the restored file would describe the old file's WAL.
  fs.rmSync(`${db}-shm`, { force: true });
  fs.renameSync(staged, db);
  return previous;
}

export async function restoreSqliteFile(artifact: string, m: BackupManifest, target: string, o: SqliteRestoreOptions): Promise<SqliteRestoreResult> {
  const db = path.resolve(target);
  const lock = await takeLock(db, o);
  const staged = `${db}.restore-${process.pid}`;
  try {
    fs.copyFileSync(artifact, staged);
    fsyncFile(staged);
    // The copy is checked, not only the backup: a bad disk under the index would otherwise go unnoticed.
    if ((await sha256File(staged)) !== m.sha256) throw new BackupVerificationError(artifact, [`the copy at ${staged} differs from the backup`]);
    const previous = swapIn(staged, db);
    fsyncDir(path.dirname(db));
    return { previous, forced: lock === undefined };
  } finally {
    fs.rmSync(staged, { force: true });
    lock?.release();
  }
}
