// A worker thread answering keyword queries on its own read-only connection to the index, so that a hybrid
// search's keyword half runs beside its vector half on the main thread (keyword-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ThreadState, type KeywordReply, type KeywordRequest, type KeywordThreadData } from './keyword-thread-protocol.js';
import { chunkChanges } from './keyword-index.js';
import { openDatabase } from './open.js';
import { SqliteView } from './view.js';

const port = parentPort!;

function main(): void {
  const data = workerData as KeywordThreadData;
  const state = new Int32Array(data.state);
  let view: SqliteView;
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(data.file, { readonly: true });
    view = new SqliteView(db, () => undefined);
  } catch {
    Atomics.store(state, 0, ThreadState.Failed);
    return;
  }
  Atomics.store(state, 0, ThreadState.Ready);
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
