// --reembed: rebuild the index in a shadow file and swap it in atomically; searches use the old one meanwhile.
import fs from 'node:fs';
import { SqliteStore } from '../store/sqlite/store.js';
import { UsageError } from '../errors.js';
import { acquireLock } from './lock.js';
import { ingest, type IngestOptions } from './ingest.js';
import type { IngestSummary } from './events.js';

export async function reembed(o: IngestOptions): Promise<IngestSummary> {
  const db = o.config.db;
  const lock = await acquireLock(db, 'ingest --reembed', o.waitSeconds, o.signal);
  const shadow = `${db}.reembed-${process.pid}`;
  try {
    let roots = o.paths;
    if (!roots.length) {
      const old = new SqliteStore(db);
      roots = old.roots().filter((r) => fs.existsSync(r));
      old.close();
      if (!roots.length) throw new UsageError('nothing to re-embed: the index has no roots', 'usage: docproc ingest --reembed <paths...>');
    }
    removeDb(shadow);
    const summary = await ingest({ ...o, paths: roots, config: { ...o.config, db: shadow }, lockHeld: true, command: 'ingest --reembed', excludeFiles: ['', '-wal', '-shm', '.lock'].map((ext) => db + ext) });
    if (summary.interrupted) {
      removeDb(shadow);
      return summary;
    }
    carryRunHistory(db, shadow);
    swapIn(shadow, db);
    return summary;
  } catch (err) {
    removeDb(shadow);
    throw err;
  } finally {
    lock.release();
  }
}

/** rename(2) is atomic: a reader sees the old index or the new one, never a mix. */
function swapIn(shadow: string, db: string): void {
  if (fs.existsSync(db)) {
    // Fold the old WAL into its file first: a stale -wal beside the new file would be replayed into it.
    const old = new SqliteStore(db);
    old.db.pragma('wal_checkpoint(TRUNCATE)');
    old.close();
  }
  // Drop the old WAL and shared memory before the rename, never after: a reader opening the new file must
  // not find the old file's WAL beside it. Readers that still hold the old file keep their open handles.
  for (const ext of ['-wal', '-shm']) fs.rmSync(db + ext, { force: true });
  fs.renameSync(shadow, db);
}

function removeDb(file: string): void {
  for (const ext of ['', '-wal', '-shm']) fs.rmSync(file + ext, { force: true });
}

/** The rebuilt index keeps the old run history, numbered before the re-embed run itself. */
function carryRunHistory(db: string, shadow: string): void {
  if (!fs.existsSync(db)) return;
  const target = new SqliteStore(shadow);
  try {
    target.db.prepare('ATTACH DATABASE ? AS old').run(db);
    target.db.transaction(() => {
      const { n } = target.db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM old.runs').get() as { n: number };
      // Shift in two steps so that no id collides on the way.
      target.db.prepare('UPDATE runs SET id = -id').run();
      target.db.prepare('UPDATE runs SET id = -id + ?').run(n);
      target.db.exec('INSERT INTO runs SELECT * FROM old.runs');
    })();
    target.db.exec('DETACH DATABASE old');
  } finally {
    target.close();
  }
}
