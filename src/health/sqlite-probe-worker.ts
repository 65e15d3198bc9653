// Worker thread: opens a SQLite index read-only and runs quick_check off the main thread, where a large index
// would otherwise block /livez and /metrics for as long as the check takes.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/sqlite/open.js';
import { LATEST_SCHEMA_VERSION, checkSchemaVersion } from '../store/sqlite/migrations.js';

export type ProbeReply =
  | { ok: true; quickCheck: string[]; schemaVersion: number; latest: number }
  | { ok: false; code: string; message: string };

function probe(file: string): ProbeReply {
  try {
    const db = openDatabase(file, { readonly: true });
    try {
      const rows = db.pragma('quick_check') as { quick_check: string }[];
      return { ok: true, quickCheck: rows.map((r) => r.quick_check), schemaVersion: checkSchemaVersion(db), latest: LATEST_SCHEMA_VERSION };
    } finally {
      db.close();
    }
  } catch (err) {
    const e = err as { code?: unknown; message?: string };
    return { ok: false, code: typeof e.code === 'string' ? e.code : 'error', message: e.message ?? String(err) };
  }
}

parentPort?.postMessage(probe((workerData as { file: string }).file));
