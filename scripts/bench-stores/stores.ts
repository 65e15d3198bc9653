// Opening the two stores under comparison, and tidying up after them.
import fs from 'node:fs';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/store.js';

export type { PostgresStore };
export { SqliteStore };

export function removeSqlite(file: string): void {
  for (const ext of ['', '-wal', '-shm', '.lock']) fs.rmSync(file + ext, { force: true });
}

export function openSqlite(file: string): SqliteStore {
  return new SqliteStore(file);
}

export function openPg(url: string, schema: string, o: PostgresStoreOptions = {}): Promise<PostgresStore> {
  return openPostgresStore(url, { ...o, pgSchema: schema });
}

/** One statement on a short-lived connection (DROP SCHEMA, VACUUM: outside any store). */
export async function pgExec(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export const dropSchema = (url: string, schema: string): Promise<void> => pgExec(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);

/** Server settings that matter for reading the figures. */
export async function pgSettings(url: string): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const names = ['server_version', 'shared_buffers', 'work_mem', 'maintenance_work_mem', 'fsync', 'synchronous_commit', 'max_parallel_workers_per_gather', 'effective_cache_size'];
    const r = await c.query<{ name: string; setting: string }>('SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name', [names]);
    const v = await c.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'");
    return { ...Object.fromEntries(r.rows.map((x) => [x.name, x.setting])), pgvector: v.rows[0]?.v ?? 'not installed' };
  } finally {
    await c.end();
  }
}
