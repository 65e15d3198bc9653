// The run history in Postgres: one row per ingest or watch session, with the host that ran it (many may write).
import os from 'node:os';
import type { Pool } from 'pg';
import type { RunLog, RunRecord, RunSummary } from '../../contracts/index-store.js';
import { pgJson } from './values.js';

export class PgRunLog implements RunLog {
  constructor(private readonly pool: Pool) {}

  async summary(): Promise<RunSummary> {
    const rows = (await this.pool.query<{ outcome: string; n: string }>("SELECT COALESCE(outcome, 'unfinished') AS outcome, COUNT(*) AS n FROM runs GROUP BY 1")).rows;
    const last = (await this.pool.query<{ t: Date | string | null }>("SELECT MAX(ended_at) AS t FROM runs WHERE outcome = 'completed'")).rows[0]?.t;
    const ms = last === null || last === undefined ? NaN : last instanceof Date ? last.getTime() : Date.parse(last);
    return { byOutcome: Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)])), lastSuccessMs: Number.isNaN(ms) ? null : ms };
  }

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
