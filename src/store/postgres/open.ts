// Opening a Postgres index: connect, make sure of pgvector and the schema (or, read-only, just check them).
import type { Pool } from 'pg';
import { DocprocError } from '../../errors.js';
import { openPool } from './connect.js';
import { assertIndex, migrate, type Where } from './migrations.js';
import { assertSupportedVector, vectorWarnings } from './pgvector.js';
import type { Settings } from './options.js';
import { parsePgUrl, scrubSecrets, type PgConnection } from './url.js';

export interface OpenedIndex {
  pool: Pool;
  conn: PgConnection;
  warnings: string[];
  /** The schema holding pgvector (a rebuild must never drop it). */
  vectorSchema: string;
}

export async function openIndex(url: string, s: Settings, env: NodeJS.ProcessEnv): Promise<OpenedIndex> {
  const conn = parsePgUrl(url, env);
  const where: Where = { schema: s.schema, location: conn.location, database: conn.database };
  const poolFor = (vectorSchema: string): Promise<Pool> =>
    openPool({ conn, searchPath: [s.schema, vectorSchema], readonly: s.readonly, connectTimeoutMs: s.connectTimeoutMs, reconnectMs: s.reconnectMs });
  // pgvector is usually in public; where it is not, the pool is made again with its schema on the path.
  let pool = await poolFor('public');
  try {
    const vector = s.readonly ? await assertIndex(pool, where) : await migrate(pool, where);
    assertSupportedVector(vector.version, conn.database);
    if (vector.schema !== 'public') {
      await pool.end();
      pool = await poolFor(vector.schema);
    }
    return { pool, conn, warnings: vectorWarnings(vector.version, conn.database), vectorSchema: vector.schema };
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof DocprocError) throw err;
    const e = err as { message?: string; code?: string };
    throw new DocprocError(`cannot open index ${conn.location} (schema ${s.schema}): ${scrubSecrets(e.message ?? String(err), conn.secrets)}`, {
      code: 'db-open',
    });
  }
}
