// New chunks reach the keyword postings in batches, not one document at a time.
//
// Why: updating the postings in every document's own transaction rewrote ~150 (term, block) rows per document and
// took the ingest from 92.6% of the model's rate to 86.2% (1,000 SciFact abstracts, bench:ingest --compare-embed):
// the main thread, which also feeds the model, spent the difference (now 90.6-91.2% against 90.6-91.7% without
// postings, alternating runs). A new chunk's id is queued in kw_pending in
// its document's transaction (one small row), and a flush tokenises the queue at once and rewrites each
// (term, block) row once: every FLUSH_AT chunks, when a run ends (ingest, each watch sync), when a store that queued
// chunks closes, and when the next run starts after a kill (runs start under the writer lock, so a process that
// merely opens the index never writes here). Removals apply at once (they need the text, which the delete takes
// away), or cancel the chunk's queued addition. Until a flush the postings are behind the chunk count, and
// searches rank with FTS5 (same order and scores, slower): keywordTotals only trusts postings that have applied
// every chunk write, so the queue can never make a search wrong.
import type { Database } from 'better-sqlite3';
import { statement } from './statements.js';
import { addPostings, buildKeywordIndex, hasKeywordIndex, isOff, keywordTotals, removePostings } from './keyword-index.js';

/** Queued chunks that trigger a flush inside the write that reaches them. */
export const FLUSH_AT = 4096;

/** Connections that queued chunks: only they flush on close. */
const queuedBy = new WeakSet<Database>();

/** Queues new chunks for the postings, in their document's transaction; flushes when the queue is long. */
export function queuePostings(db: Database, ids: number[]): void {
  if (!ids.length || isOff(db)) return;
  const queue = statement(db, 'INSERT OR IGNORE INTO kw_pending (chunk_id) VALUES (?)');
  for (const id of ids) queue.run(id);
  queuedBy.add(db);
  // The queue's length without counting it on every document: chunk writes not yet applied (the triggers have
  // counted this document's inserts already).
  const waiting = statement(db, 'SELECT chunk_changes - applied_changes FROM kw_totals WHERE id = 1').pluck().get() as number;
  if (waiting >= FLUSH_AT) flushPostings(db);
}

/**
 * Takes chunks about to be deleted (with their texts) out of the postings: a queued chunk just leaves the queue
 * (its insert and its delete both count as applied), the others are removed from the postings now.
 */
export function unqueueOrRemove(db: Database, rows: [number, string][]): void {
  if (!rows.length || isOff(db)) return;
  const dequeue = statement(db, 'DELETE FROM kw_pending WHERE chunk_id = ?');
  const applied: [number, string][] = [];
  let cancelled = 0;
  for (const row of rows) {
    if (dequeue.run(row[0]).changes) cancelled++;
    else applied.push(row);
  }
  if (cancelled) statement(db, 'UPDATE kw_totals SET applied_changes = applied_changes + ? WHERE id = 1').run(2 * cancelled);
  removePostings(db, applied);
}

/** Applies the queue: every queued chunk's postings, in one transaction (a savepoint inside the caller's). */
export function flushPostings(db: Database): number {
  if (!hasKeywordIndex(db) || isOff(db)) return 0;
  return db.transaction(() => {
    const rows = statement(db, 'SELECT p.chunk_id, c.text FROM kw_pending p JOIN chunks c ON c.id = p.chunk_id ORDER BY p.chunk_id')
      .raw().all() as [number, string][];
    if (!rows.length) return 0;
    statement(db, 'DELETE FROM kw_pending').run();
    addPostings(db, rows);
    return rows.length;
  })();
}

/**
 * Best effort, for the ends of things (a run's end, a store's close): a failure leaves the queue on disk for the next
 * flush, and searches rank with FTS5 meanwhile; it never fails what is ending. `onlyIfQueuedHere` skips connections
 * that queued nothing (a process that opened the index without the writer lock).
 */
export function flushQuietly(db: Database, onlyIfQueuedHere = false): void {
  if (onlyIfQueuedHere && !queuedBy.has(db)) return;
  try {
    flushPostings(db);
  } catch {
    // kept queued: see above
  }
}

/**
 * When a run starts (under the writer lock): a queue left by a killed process is applied; postings still behind the chunks after that (a
 * docproc from before them wrote meanwhile) are rebuilt. Off postings stay off. Returns what it did.
 */
export function repairKeywordIndex(db: Database): 'current' | 'flushed' | 'rebuilt' {
  if (!hasKeywordIndex(db) || isOff(db) || keywordTotals(db)) return 'current';
  return db.transaction(() => {
    flushPostings(db);
    if (keywordTotals(db)) return 'flushed' as const;
    buildKeywordIndex(db);
    return 'rebuilt' as const;
  }).immediate();
}
