// Many writers on one Postgres index: each file leased to one live worker at a time, and done once.
//
// The protocol
// - A writer registers a worker row and heartbeats (workers.ts): every heartbeatMs its heartbeat_at and the
//   expires_at of every lease it holds move leaseMs ahead. A worker that dies (kill -9, lost network) stops
//   renewing, and after leaseMs its files are anyone's again.
// - leases has one row per file being worked on: free (worker_id NULL) or leased (worker_id, expires_at).
//   done(path) DELETES the row: there is no "done" state to go stale for the next run.
// - claim(paths) inserts a free row for each path it is asked for the first time in this session, then, in
//   one statement, takes up to `batch` rows that are free, its own, or expired, in the caller's order, with
//   FOR UPDATE SKIP LOCKED (two claimers never wait on, or take, the same row), and leases them.
// - A path asked for before in this session whose row is gone was finished by another worker after this one
//   planned it: it is dropped, never processed twice. (A path finished just before it was first asked gets a
//   fresh row and is processed again; the pipeline re-plans it against the ledger and reports it unchanged.)
// - Nothing claimable, but paths still held by live workers: poll until they finish or their leases expire.
//   claim returns [] only when every path asked for is finished.
// - A session is one pipeline loop: it ends when claim returns [], or when a call asks for a path outside the
//   previous call's unclaimed paths (the loop only ever shrinks its list: a wider list is a new plan).
import type { Pool } from 'pg';
import type { Writer } from '../../contracts/index-store.js';
import { startHeartbeat, unregisterWorker, type Heartbeat, type LeaseTiming } from './workers.js';

export interface ClaimSettings extends LeaseTiming {
  /** Files taken per claim. */
  batch: number;
  /** How often a claimer waiting for other workers' files looks again. */
  pollMs: number;
}

interface ClaimRow {
  claimed: string[];
  gone: string[];
}

export class PgWriter implements Writer {
  readonly shared = true;
  private readonly heartbeat: Heartbeat;
  /** Paths whose lease row this session created or found: a missing row later means done by someone. */
  private asked = new Set<string>();
  /** Paths this session found done by other workers: dropped from every later call. */
  private finished = new Set<string>();
  /** The previous call's paths minus what it returned: a call within this set continues the session. */
  private expected = new Set<string>();
  private released = false;

  get isReleased(): boolean {
    return this.released;
  }

  constructor(private readonly pool: Pool, readonly id: string, private readonly s: ClaimSettings, command: string, private readonly signal?: AbortSignal) {
    this.heartbeat = startHeartbeat(pool, id, s, command);
  }

  async claim(paths: string[]): Promise<string[]> {
    const wanted = [...new Set(paths)];
    if (wanted.some((p) => !this.expected.has(p))) this.endSession();
    let open = wanted.filter((p) => !this.finished.has(p));
    while (open.length && !this.signal?.aborted && !this.released) {
      const fresh = open.filter((p) => !this.asked.has(p));
      if (fresh.length) {
        // Sorted: workers inserting overlapping paths take the row locks in one order, never deadlocking.
        await this.pool.query('INSERT INTO leases (path) SELECT p FROM unnest($1::text[]) AS p ORDER BY p ON CONFLICT DO NOTHING', [fresh]);
        for (const p of fresh) this.asked.add(p);
      }
      const { claimed, gone } = await this.take(open);
      for (const p of gone) this.finished.add(p);
      open = open.filter((p) => !this.finished.has(p));
      if (claimed.length) {
        const mine = new Set(claimed);
        this.expected = new Set(wanted.filter((p) => !mine.has(p)));
        return wanted.filter((p) => mine.has(p));
      }
      if (open.length) await new Promise((r) => setTimeout(r, this.s.pollMs));
    }
    this.endSession();
    return [];
  }

  private endSession(): void {
    this.asked = new Set();
    this.finished = new Set();
    this.expected = new Set();
  }

  /** One statement: lease what is claimable, and list the paths whose rows are gone (finished elsewhere). */
  private async take(paths: string[]): Promise<ClaimRow> {
    const r = await this.pool.query<ClaimRow>(
      `WITH asked AS (SELECT path, ord FROM unnest($1::text[]) WITH ORDINALITY AS a(path, ord)),
       pick AS (
         SELECT l.path FROM leases l JOIN asked a ON a.path = l.path
          WHERE l.worker_id IS NULL OR l.worker_id = $2 OR l.expires_at < now()
          ORDER BY a.ord LIMIT $3
          FOR UPDATE OF l SKIP LOCKED),
       took AS (
         UPDATE leases l SET worker_id = $2, expires_at = now() + make_interval(secs => $4::float8 / 1000)
           FROM pick WHERE l.path = pick.path RETURNING l.path)
       SELECT ARRAY(SELECT path FROM took) AS claimed,
              ARRAY(SELECT a.path FROM asked a WHERE NOT EXISTS (SELECT 1 FROM leases l WHERE l.path = a.path)) AS gone`,
      [paths, this.id, this.s.batch, this.s.leaseMs],
    );
    return r.rows[0]!;
  }

  async done(path: string): Promise<void> {
    // Only while it is still ours: a lease that expired and was taken over belongs to its new holder.
    await this.pool.query('DELETE FROM leases WHERE path = $1 AND worker_id = $2', [path, this.id]);
  }

  /** Stops renewing without giving anything back: what a killed process leaves (the store's close). */
  async abandon(): Promise<void> {
    this.released = true;
    await this.heartbeat.stop();
  }

  async release(): Promise<void> {
    if (this.released) return;
    await this.abandon();
    await unregisterWorker(this.pool, this.id);
  }
}
