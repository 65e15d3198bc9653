// pgvector in the database: installing it where allowed, the DBA request where not, and versions to warn about.
import type { PoolClient } from 'pg';
import { DocprocError } from '../../errors.js';
import type { Queryable } from './connect.js';

export interface VectorExtension {
  version: string;
  /** The schema holding the `vector` type and its operators: docproc's connections search it. */
  schema: string;
}

export async function findVector(db: Queryable): Promise<VectorExtension | undefined> {
  const r = await db.query<{ version: string; schema: string }>(
    `SELECT e.extversion AS version, n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'vector'`,
  );
  return r.rows[0];
}

/** What a DBA must run when docproc may not: CREATE EXTENSION needs a superuser for an untrusted extension. */
export function vectorRequest(database: string): string {
  return `ask a DBA to run \`CREATE EXTENSION vector;\` in database ${database} (as a superuser, or a role with CREATE on the database)`;
}

/**
 * Installs pgvector inside the caller's transaction, or says whom to ask. CREATE EXTENSION IF NOT EXISTS
 * still fails when two sessions race to create it: a database-wide advisory lock makes them take turns.
 */
export async function ensureVector(c: PoolClient, database: string): Promise<VectorExtension> {
  const have = await findVector(c);
  if (have) return have;
  await c.query("SELECT pg_advisory_xact_lock(hashtextextended('docproc:create-extension-vector', 0))");
  try {
    // Where the database's own defaults put it (usually public), never in docproc's schema: a rebuild drops that.
    await c.query('SET LOCAL search_path TO DEFAULT');
    await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // 42501 insufficient_privilege; 0A000/58P01: the extension is not installed on the server at all.
    const missing = e.code === '0A000' || e.code === '58P01' || /could not open extension control file/.test(e.message ?? '');
    throw new DocprocError(`pgvector is not installed in database ${database}, and docproc may not install it: ${e.message ?? e.code}`, {
      code: 'pgvector-missing',
      hint: missing ? `install the pgvector package on the server, then ${vectorRequest(database)}` : vectorRequest(database),
    });
  }
  const made = await findVector(c);
  if (!made) throw new DocprocError(`CREATE EXTENSION vector succeeded but pgvector is not listed in pg_extension of ${database}`);
  return made;
}

const parse = (v: string): number[] => v.split(/[.-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);

/** -1, 0 or 1 as version a sorts before, with, or after b. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
}

/** Filtered vector search relies on iterative index scans (pgvector 0.8.0): older versions return short lists. */
export const MIN_PGVECTOR = '0.8.0';

export function assertSupportedVector(version: string, database: string): void {
  if (compareVersions(version, MIN_PGVECTOR) >= 0) return;
  throw new DocprocError(`pgvector ${version} in database ${database} is too old: docproc needs ${MIN_PGVECTOR} or later (iterative index scans)`, {
    code: 'pgvector-too-old',
    hint: 'install pgvector 0.8.4 or later on the server, then run `ALTER EXTENSION vector UPDATE;` in that database',
  });
}

/** The loud warnings an installed pgvector deserves; empty from 0.8.4 on. */
export function vectorWarnings(version: string, database: string): string[] {
  if (compareVersions(version, '0.8.4') >= 0) return [];
  const problems: string[] = [];
  if (compareVersions(version, '0.6.0') >= 0 && compareVersions(version, '0.8.1') <= 0) {
    problems.push('CVE-2026-3172 (0.6.0-0.8.1: a buffer overflow in parallel HNSW index builds can leak data from other tables or crash the server; fixed in 0.8.2)');
  }
  problems.push('HNSW vacuum bugs (possible index corruption when VACUUM cleans an HNSW index, fixed in 0.8.3; "hnsw graph not repaired" errors, fixed in 0.8.4)');
  return [
    `WARNING: pgvector ${version} in database ${database} is affected by ${problems.join(' and ')}. ` +
      'Upgrade to pgvector 0.8.4 or later: install it on the server, then run `ALTER EXTENSION vector UPDATE;`.',
  ];
}
