// --reembed on Postgres: a shadow schema beside the live one, swapped in by renaming schemas in one transaction.
import type { Rebuild } from '../../contracts/index-store.js';
import { DocprocError } from '../../errors.js';
import { inTransaction, quoteIdent } from './connect.js';
import { lockSchemaSql } from './migrations.js';
import type { PostgresStore } from './store.js';
import { startHeartbeat, takeExclusive, unregisterWorker } from './workers.js';

const RUN_COLUMNS = 'id, command, roots, pid, host, started_at, ended_at, outcome, counts, failures, duration_ms';

/**
 * A search holding the old tables would deadlock with DROP SCHEMA (it read chunks, the swap locked documents,
 * the search now wants documents): so the swap waits for a table lock at most SWAP_LOCK_MS (under Postgres'
 * 1 s deadlock_timeout), gives way, and tries again until searches let it through.
 */
const SWAP_LOCK_MS = 200;
const SWAP_DEADLINE_MS = 5 * 60_000;

/**
 * The rebuild holds the index alone: other workers writing into the live schema meanwhile would lose their
 * writes at the swap, so it waits for none (refusing) and new writers are refused until it ends.
 */
export async function beginPostgresRebuild(live: PostgresStore, keepRuns = true): Promise<Rebuild> {
  if (live.vectorSchema === live.schema) {
    throw new DocprocError(`pgvector is installed inside schema ${live.schema}: a rebuild would drop it with the old index`, {
      hint: `move it first: ALTER EXTENSION vector SET SCHEMA public; (in database ${live.database})`,
    });
  }
  const ownWriter = live.writerId();
  const c = live.settings.claims;
  const holder = await takeExclusive(live.pool, live.schema, ownWriter, c.leaseMs);
  const heartbeat = ownWriter ? undefined : startHeartbeat(live.pool, holder, c, 'ingest --reembed');
  const shadowName = `${live.schema}_rebuild_${process.pid}`;
  let shadow: PostgresStore;
  try {
    await live.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(shadowName)} CASCADE`);
    shadow = await live.sibling(shadowName);
  } catch (err) {
    await endExclusive();
    throw err;
  }

  async function endExclusive(): Promise<void> {
    await heartbeat?.stop();
    if (ownWriter) await live.pool.query('UPDATE workers SET exclusive = false WHERE id = $1', [holder]);
    else await unregisterWorker(live.pool, holder);
  }

  return {
    store: shadow,
    commit: async () => {
      await shadow.close();
      await swap(live, shadowName, keepRuns);
      // The live schema's workers table went with it: the rebuild's own registration is gone.
      await heartbeat?.stop();
    },
    discard: async () => {
      await shadow.close();
      await live.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(shadowName)} CASCADE`);
      await endExclusive();
    },
  };
}

/**
 * In one transaction under the schema lock: the run history moves into the shadow (numbered before its own
 * runs), the live schema is renamed away, the shadow takes its name, and the old one is dropped. Readers find
 * tables by name on each statement, so after the commit they read the new index; until then, the old.
 */
async function swap(live: PostgresStore, shadowName: string, keepRuns: boolean): Promise<void> {
  const [l, s] = [quoteIdent(live.schema), quoteIdent(shadowName)];
  const old = quoteIdent(`${live.schema}_old_${process.pid}`);
  const deadline = Date.now() + SWAP_DEADLINE_MS;
  for (;;) {
    try {
      await inTransaction(live.pool, async (c) => {
        await c.query(lockSchemaSql, [live.schema]);
        await c.query(`SET LOCAL lock_timeout = ${SWAP_LOCK_MS}`);
        if (keepRuns) {
          const { n } = (await c.query<{ n: number }>(`SELECT COALESCE(MAX(id), 0) AS n FROM ${l}.runs`)).rows[0]!;
          // Shift in two steps so that no id collides on the way (the primary key is checked row by row).
          await c.query(`UPDATE ${s}.runs SET id = -id`);
          await c.query(`UPDATE ${s}.runs SET id = -id + $1`, [n]);
          await c.query(`INSERT INTO ${s}.runs (${RUN_COLUMNS}) SELECT ${RUN_COLUMNS} FROM ${l}.runs`);
          await c.query(`SELECT setval(pg_get_serial_sequence('${s}.runs', 'id'), GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) FROM ${s}.runs`);
        }
        await c.query(`ALTER SCHEMA ${l} RENAME TO ${old}`);
        await c.query(`ALTER SCHEMA ${s} RENAME TO ${l}`);
        await c.query(`DROP SCHEMA ${old} CASCADE`);
      });
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 55P03 lock_not_available (lock_timeout), 40P01 deadlock: readers were in the way; nothing changed.
      if ((code !== '55P03' && code !== '40P01') || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, SWAP_LOCK_MS));
    }
  }
}
