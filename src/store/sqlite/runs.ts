// The run log: one row per ingest or watch session, with counts and failures.
import type { Database } from 'better-sqlite3';

export interface RunRecord {
  id: number;
  command: string;
  roots: string[];
  pid: number;
  startedAt: string;
  endedAt: string | null;
  outcome: string | null;
  counts: Record<string, number>;
  failures: { path: string; status: string; reason: string }[];
  durationMs: number | null;
}

type RawRun = { id: number; command: string; roots: string; pid: number; startedAt: string; endedAt: string | null; outcome: string | null; counts: string | null; failures: string | null; durationMs: number | null };

export class RunLog {
  constructor(private readonly db: Database) {}

  start(command: string, roots: string[]): number {
    const info = this.db
      .prepare('INSERT INTO runs (command, roots, pid, started_at) VALUES (?, ?, ?, ?)')
      .run(command, JSON.stringify(roots), process.pid, new Date().toISOString());
    return Number(info.lastInsertRowid);
  }

  finish(id: number, outcome: string, counts: Record<string, number>, failures: RunRecord['failures'], durationMs: number): void {
    this.db
      .prepare('UPDATE runs SET ended_at = ?, outcome = ?, counts = ?, failures = ?, duration_ms = ? WHERE id = ?')
      .run(new Date().toISOString(), outcome, JSON.stringify(counts), JSON.stringify(failures), durationMs, id);
  }

  last(limit: number): RunRecord[] {
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
}
