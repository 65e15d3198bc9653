// --reembed on SQLite: a shadow file beside the index, swapped in with rename(2); readers see old or new, never a mix.
import fs from 'node:fs';
import type { Rebuild } from '../../contracts/index-store.js';
import { SqliteStore } from './store.js';

export async function beginSqliteRebuild(live: SqliteStore, keepRuns: boolean): Promise<Rebuild> {
  const db = live.file;
  const shadowFile = `${db}.reembed-${process.pid}`;
  removeDb(shadowFile);
  const shadow = new SqliteStore(shadowFile);
  return {
    store: shadow,
    commit: async () => {
      await shadow.close();
      if (keepRuns) carryRunHistory(db, shadowFile);
      await live.close();
      swapIn(shadowFile, db);
    },
    discard: async () => {
      await shadow.close();
      removeDb(shadowFile);
    },
  };
}

/** rename(2) is atomic: a reader sees the old index or the new one, never a mix. */
function swapIn(shadow: string, db: string): void {
  if (fs.existsSync(db)) {
    // Fold the old WAL into its file first: a stale -wal beside the new file would be replayed into it.
    const old = new SqliteStore(db);
    old.db.pragma('wal_checkpoint(TRUNCATE)');
    old.db.close();
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
    target.db.close();
  }
}
