// Runs by outcome and the last success, counted by the database: a long-lived watcher records a run per sync,
// and reading every run record on every scrape would grow without bound. Each store kind counts its own way.
import type { IndexStore } from '../contracts/index-store.js';
import type { SqliteStore } from '../store/sqlite/store.js';
import type { PostgresStore } from '../store/postgres/store.js';

export interface RunOutcomes {
  /** Outcome -> runs; runs still going (or killed) are 'unfinished'. */
  byOutcome: Record<string, number>;
  /** End of the last completed run, ms since the epoch; null when none. */
  lastSuccessMs: number | null;
}

type Row = { outcome: string; n: number | string };

const SQL_BY_OUTCOME = "SELECT COALESCE(outcome, 'unfinished') AS outcome, COUNT(*) AS n FROM runs GROUP BY 1";
const SQL_LAST_SUCCESS = "SELECT MAX(ended_at) AS t FROM runs WHERE outcome = 'completed'";

function fromRows(rows: Row[], last: string | Date | null | undefined): RunOutcomes {
  const t = last === null || last === undefined ? NaN : last instanceof Date ? last.getTime() : Date.parse(last);
  return { byOutcome: Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)])), lastSuccessMs: Number.isNaN(t) ? null : t };
}

export async function runOutcomes(store: IndexStore): Promise<RunOutcomes> {
  if (store.kind === 'sqlite' && 'db' in store) {
    const db = (store as SqliteStore).db;
    const last = db.prepare(SQL_LAST_SUCCESS).get() as { t: string | null };
    return fromRows(db.prepare(SQL_BY_OUTCOME).all() as Row[], last.t);
  }
  if (store.kind === 'postgres' && 'pool' in store) {
    const pool = (store as PostgresStore).pool;
    const last = await pool.query<{ t: Date | null }>(SQL_LAST_SUCCESS);
    return fromRows((await pool.query<Row>(SQL_BY_OUTCOME)).rows, last.rows[0]?.t);
  }
  // Any other store: through the boundary, at the cost of reading every run.
  const runs = await store.runs.last(Number.MAX_SAFE_INTEGER);
  const byOutcome: Record<string, number> = {};
  for (const r of runs) byOutcome[r.outcome ?? 'unfinished'] = (byOutcome[r.outcome ?? 'unfinished'] ?? 0) + 1;
  const success = runs.find((r) => r.outcome === 'completed');
  return { byOutcome, lastSuccessMs: success ? Date.parse(success.endedAt ?? success.startedAt) : null };
}
