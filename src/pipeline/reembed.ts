// --reembed: rebuild the index in a shadow file and swap it in atomically; searches use the old one meanwhile.
import fs from 'node:fs';
import path from 'node:path';
import { SqliteStore, type Root } from '../store/sqlite/store.js';
import { DocprocError, ExitCode, UsageError } from '../errors.js';
import { acquireLock } from './lock.js';
import { ingest, type IngestOptions } from './ingest.js';
import type { IngestSummary } from './events.js';

export async function reembed(o: IngestOptions): Promise<IngestSummary> {
  const db = o.config.db;
  const lock = await acquireLock(db, 'ingest --reembed', o.waitSeconds, o.signal);
  const shadow = `${db}.reembed-${process.pid}`;
  try {
    const roots = rootsToRebuild(db, o);
    removeDb(shadow);
    const summary = await ingest({ ...o, paths: roots, config: { ...o.config, db: shadow }, lockHeld: true, command: 'ingest --reembed', excludeFiles: ['', '-wal', '-shm', '.lock'].map((ext) => db + ext) });
    if (summary.interrupted) {
      removeDb(shadow);
      return summary;
    }
    if (!o.allowEmptyRoot) refuseLostRoots(db, shadow, roots);
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

/**
 * Every root the index was built from, plus any newly named: a re-embed rebuilds the whole index, so a root left
 * out would vanish at the swap. A named file stays a file root (never its whole folder).
 */
function rootsToRebuild(db: string, o: IngestOptions): string[] {
  const recorded = fs.existsSync(db) ? readRoots(db) : [];
  const roots = [...recorded.map((r) => r.path)];
  for (const p of o.paths.map((p) => path.resolve(p))) if (!roots.includes(p)) roots.push(p);
  if (!roots.length) throw new UsageError('nothing to re-embed: the index has no roots', 'usage: docproc ingest --reembed <paths...>');
  const missing = roots.filter((r) => !fs.existsSync(r));
  if (missing.length && !o.allowEmptyRoot) {
    throw new DocprocError(`cannot re-embed: root${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (unmounted?); the index is unchanged`, {
      code: 'root-missing',
      exitCode: ExitCode.someFailed,
      hint: 'mount it and run again, or pass --allow-empty-root to drop its documents from the rebuilt index',
    });
  }
  return roots.filter((r) => fs.existsSync(r));
}

/** A root that held documents but came back empty (an unmounted share) must not empty the index at the swap. */
function refuseLostRoots(db: string, shadow: string, roots: string[]): void {
  if (!fs.existsSync(db)) return;
  const before = new SqliteStore(db, { readonly: true });
  const after = new SqliteStore(shadow, { readonly: true });
  try {
    const lost = roots.filter((r) => before.documentsUnder(r).length > 0 && after.documentsUnder(r).length === 0);
    if (lost.length) {
      throw new DocprocError(`root-empty: ${lost.join(', ')} yielded no files but the index holds documents under it (an unmounted share?); the index is unchanged`, {
        code: 'root-empty',
        exitCode: ExitCode.someFailed,
        hint: 'mount it and run again, or pass --allow-empty-root if it really is empty now',
      });
    }
  } finally {
    before.close();
    after.close();
  }
}

function readRoots(db: string): Root[] {
  const old = new SqliteStore(db, { readonly: true });
  try {
    return old.roots();
  } finally {
    old.close();
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
