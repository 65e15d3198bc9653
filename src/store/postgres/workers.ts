// Registered workers of a Postgres index: a row per writer, kept alive by a heartbeat that also renews its leases.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { LockedError } from '../../errors.js';
import { inTransaction } from './connect.js';
import { lockSchemaSql } from './migrations.js';

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  command: string;
  startedAt: string;
  heartbeatAt: string;
  /** Files it holds a live lease on now. */
  leases: number;
}

export interface LeaseTiming {
  /** A lease (and a worker) not renewed for this long is dead: its files go to other workers. */
  leaseMs: number;
  heartbeatMs: number;
}

/** A worker counts as live while its last heartbeat is younger than its own lease. */
const LIVE = "w.heartbeat_at > now() - make_interval(secs => w.lease_ms / 1000.0::float8)";

export async function activeWorkers(pool: Pool): Promise<WorkerInfo[]> {
  const r = await pool.query<WorkerInfo>(
    `SELECT w.id, w.host, w.pid, w.command, w.started_at AS "startedAt", w.heartbeat_at AS "heartbeatAt",
            (SELECT COUNT(*) FROM leases l WHERE l.worker_id = w.id AND l.expires_at > now()) AS leases
       FROM workers w WHERE ${LIVE} ORDER BY w.started_at`,
  );
  return r.rows;
}

const describe = (w: { host: string; pid: number; command: string }): string => `pid ${w.pid} on ${w.host} (docproc ${w.command})`;

/**
 * Registers a worker. Refused (LockedError, exit 4) while a live worker holds the index exclusively (a
 * rebuild whose swap would drop other workers' writes); with waitSeconds, polls until then.
 */
export async function registerWorker(pool: Pool, schema: string, command: string, leaseMs: number, waitSeconds = 0, signal?: AbortSignal): Promise<string> {
  const id = randomUUID();
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const holder = await inTransaction(pool, async (c) => {
      await c.query(lockSchemaSql, [schema]);
      const ex = await c.query<{ host: string; pid: number; command: string }>(`SELECT host, pid, command FROM workers w WHERE exclusive AND ${LIVE} LIMIT 1`);
      if (ex.rows[0]) return ex.rows[0];
      // Workers dead for ten leases are only clutter in `docproc status`.
      await c.query('DELETE FROM workers w WHERE w.heartbeat_at < now() - make_interval(secs => w.lease_ms / 100.0::float8)');
      await c.query('INSERT INTO workers (id, host, pid, command, lease_ms) VALUES ($1, $2, $3, $4, $5)', [id, os.hostname(), process.pid, command, leaseMs]);
      return undefined;
    });
    if (!holder) return id;
    if (Date.now() >= deadline || signal?.aborted) throw new LockedError(`the index is being rebuilt by ${describe(holder)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Makes `id` the only writer (a rebuild), refusing while any other live worker exists; registers one for the
 * rebuild when the caller holds no writer. Returns the worker id the rebuild holds.
 */
export async function takeExclusive(pool: Pool, schema: string, id: string | undefined, leaseMs: number): Promise<string> {
  const me = id ?? randomUUID();
  await inTransaction(pool, async (c) => {
    await c.query(lockSchemaSql, [schema]);
    const others = await c.query<{ host: string; pid: number; command: string }>(`SELECT host, pid, command FROM workers w WHERE id <> $1 AND ${LIVE}`, [me]);
    if (others.rows.length) throw new LockedError(`cannot rebuild while other workers write to the index: ${others.rows.map(describe).join('; ')}`);
    await c.query(
      `INSERT INTO workers (id, host, pid, command, lease_ms, exclusive) VALUES ($1, $2, $3, 'ingest --reembed', $4, true)
       ON CONFLICT (id) DO UPDATE SET exclusive = true, heartbeat_at = now()`,
      [me, os.hostname(), process.pid, leaseMs],
    );
  });
  return me;
}

export interface Heartbeat {
  /** Resolves once no beat is in flight: a late beat must not re-register a worker that was just removed. */
  stop(): Promise<void>;
}

/**
 * Every heartbeatMs: the worker's heartbeat, and every lease it holds pushed leaseMs into the future. The row
 * is upserted so a worker cleared away as dead (a long pause) registers again. Timers are unref'd: a
 * heartbeat never keeps the process alive; a failed beat is retried by the next.
 */
export function startHeartbeat(pool: Pool, id: string, t: LeaseTiming, command: string): Heartbeat {
  const beat = async (): Promise<void> => {
    await pool.query(
      `INSERT INTO workers (id, host, pid, command, lease_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
      [id, os.hostname(), process.pid, command, t.leaseMs],
    );
    await pool.query('UPDATE leases SET expires_at = now() + make_interval(secs => $2::float8 / 1000) WHERE worker_id = $1', [id, t.leaseMs]);
  };
  let inFlight: Promise<void> | undefined;
  const timer = setInterval(() => {
    inFlight ??= beat().catch(() => {}).finally(() => { inFlight = undefined; });
  }, t.heartbeatMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}

/** A writer that is done: its leases freed for others at once, its row gone. */
export async function unregisterWorker(pool: Pool, id: string): Promise<void> {
  await pool.query('UPDATE leases SET worker_id = NULL, expires_at = NULL WHERE worker_id = $1', [id]);
  await pool.query('DELETE FROM workers WHERE id = $1', [id]);
}
