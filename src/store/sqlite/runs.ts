// The run log: one row per ingest or watch session, with counts and failures.
import type { Database } from 'better-sqlite3';

import type { RunLog, RunRecord, RunSummary } from '../../contracts/index-store.js';
import { flushQuietly, repairKeywordIndex } from './keyword-pending.js';

type RawRun = { id: number; command: string; roots: string; pid: number; startedAt: string; endedAt: string | null; outcome: string | null; counts: string | null; failures: string | null; durationMs: number | null };

export class SqliteRunLog implements RunLog {
  constructor(private readonly db: Database) {}

  async start(command: string, roots: string[]): Promise<number> {
    // Runs start under the writer lock: the place to finish what a killed run left (keyword-pending.ts).
    try {
      repairKeywordIndex(this.db);
    } catch {
      // searches rank with FTS5 until a later run manages it
    }
    const info = this.db
      .prepare('INSERT INTO runs (command, roots, pid, started_at) VALUES (?, ?, ?, ?)')
      .run(command, JSON.stringify(roots), process.pid, new Date().toISOString());
    return Number(info.lastInsertRowid);
  }

  async finish(id: number, outcome: string, counts: Record<string, number>, failures: RunRecord['failures'], durationMs: number): Promise<void> {
    // The run's chunks reach the keyword postings before it is recorded as ended (keyword-pending.ts).
    flushQuietly(this.db);
    this.db
      .prepare('UPDATE runs SET ended_at = ?, outcome = ?, counts = ?, failures = ?, duration_ms = ? WHERE id = ?')
      .run(new Date().toISOString(), outcome, JSON.stringify(counts), JSON.stringify(failures), durationMs, id);
  }

  async summary(): Promise<RunSummary> {
    const rows = this.db.prepare("SELECT COALESCE(outcome, 'unfinished') AS outcome, COUNT(*) AS n FROM runs GROUP BY 1").all() as { outcome: string; n: number }[];
    const { t } = this.db.prepare("SELECT MAX(ended_at) AS t FROM runs WHERE outcome = 'completed'").get() as { t: string | null };
    return { byOutcome: Object.fromEntries(rows.map((r) => [r.outcome, r.n])), lastSuccessMs: t ? Date.parse(t) : null };
  }

  async last(limit: number): Promise<RunRecord[]> {
    const rows = this.db
      .prepare(`SELECT id, command, roots, pid, started_at AS startedAt, ended_at AS endedAt, outcome, counts, failures,
        duration_ms AS durationMs FROM runs ORDER BY id DESC LIMIT ?`)
      .all(limit) as RawRun[];
    return rows.map((r) => ({
      ...r,
      roots: JSON.parse(r.roots) as string[],
      counts: r.counts ? (JSON.parse(r.counts) as Record<string, number>) : {},
      failures: r.failures ? (JSON.parse(r.failures) as RunRecord['failures']) : [],
    }));
  }

  async restore(r: RunRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO runs (id, command, roots, pid, started_at, ended_at, outcome, counts, failures, duration_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(r.id, r.command, JSON.stringify(r.roots), r.pid, r.startedAt, r.endedAt, r.outcome, JSON.stringify(r.counts), JSON.stringify(r.failures), r.durationMs);
  }
}
