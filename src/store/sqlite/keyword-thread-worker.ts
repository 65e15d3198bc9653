// A worker thread answering keyword queries on its own read-only connection to the index, so that a hybrid
// search's keyword half runs beside its vector half on the main thread (keyword-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { Candidate } from '../../contracts/index-store.js';
import { chunkChanges } from './keyword-index.js';
import { openDatabase } from './open.js';
import { SqliteView } from './view.js';

export type KeywordRequest = { id: number; text: string; allowed: number[] | null; limit: number };
/** `changes`: the index's chunk write counter in the snapshot the candidates come from. */
export type KeywordReply = { id: number; candidates?: Candidate[]; changes?: number; error?: string } | { ready: true } | { failed: string };

const port = parentPort!;

function main(): void {
  let view: SqliteView;
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase((workerData as { file: string }).file, { readonly: true });
    view = new SqliteView(db, () => undefined);
  } catch (err) {
    port.postMessage({ failed: (err as Error).message } satisfies KeywordReply);
    return;
  }
  port.postMessage({ ready: true } satisfies KeywordReply);
  port.on('message', async (m: KeywordRequest) => {
    try {
      // One read transaction: the counter and the candidates come from the same snapshot. keywordCandidates never
      // waits on anything, so no other request starts inside it.
      db.exec('BEGIN');
      try {
        const changes = chunkChanges(db);
        const candidates = await view.keywordCandidates(m.text, m.allowed, m.limit);
        port.postMessage({ id: m.id, candidates, changes } satisfies KeywordReply);
      } finally {
        if (db.inTransaction) db.exec('COMMIT');
      }
    } catch (err) {
      port.postMessage({ id: m.id, error: (err as Error).message } satisfies KeywordReply);
    }
  });
}

main();
