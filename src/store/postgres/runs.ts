// The run history in Postgres: one row per ingest or watch session, with the host that ran it (many may write).
import os from 'node:os';
import type { Pool } from 'pg';
import type { RunLog, RunRecord } from '../../contracts/index-store.js';
import { pgJson } from './values.js';

export class PgRunLog implements RunLog {
  constructor(private readonly pool: Pool) {}

  async start(command: string, roots: string[]): Promise<number> {
    const r = await this.pool.query<{ id: number }>(
      'INSERT INTO runs (command, roots, pid, host, started_at) VALUES ($1, $2::jsonb, $3, $4, $5) RETURNING id',
      [command, pgJson(roots), process.pid, os.hostname(), new Date().toISOString()],
    );
    return r.rows[0]!.id;
  }

  async finish(id: number, outcome: string, counts: Record<string, number>, failures: RunRecord['failures'], durationMs: number): Promise<void> {
    await this.pool.query(
      'UPDATE runs SET ended_at = $1, outcome = $2, counts = $3::jsonb, failures = $4::jsonb, duration_ms = $5 WHERE id = $6',
      [new Date().toISOString(), outcome, pgJson(counts), pgJson(failures), Math.round(durationMs), id],
    );
  }

  async last(limit: number): Promise<RunRecord[]> {
    const r = await this.pool.query<Omit<RunRecord, 'host' | 'counts' | 'failures'> & { host: string | null; counts: RunRecord['counts'] | null; failures: RunRecord['failures'] | null }>(
      `SELECT id, command, roots, pid, host, started_at AS "startedAt", ended_at AS "endedAt", outcome, counts, failures,
         duration_ms AS "durationMs" FROM runs ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return r.rows.map(({ host, counts, failures, ...row }) => ({ ...row, ...(host ? { host } : {}), counts: counts ?? {}, failures: failures ?? [] }));
  }
}
