// `docproc restore <backup>`: verify first, then replace the index (SQLite: a new file swapped in by rename;
// Postgres: the schema replaced in one transaction), then check what is now live.
import type { Logger } from '../log.js';
import { DocprocError, ExitCode, UsageError } from '../errors.js';
import { isPostgresUrl, openStore, storeExists } from '../store/open-store.js';
import type { PostgresStore } from '../store/postgres/store.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { copyIndex } from '../pipeline/copy.js';
import { compareInventory, takeInventory } from './inventory.js';
import { readBackup, type BackupManifest } from './manifest.js';
import { verifyAgainst } from './verify.js';
import { restoreSqliteFile } from './sqlite-restore.js';

export interface RestoreOptions {
  backup: string;
  /** The index to replace: a SQLite file or a postgres:// URL. */
  target: string;
  pgSchema: string;
  force?: boolean;
  waitSeconds?: number;
  log: Logger;
  signal?: AbortSignal;
}

export interface RestoreReport {
  backup: string;
  target: string;
  method: BackupManifest['method'];
  counts: Record<string, number>;
  /** SQLite: the replaced index, kept beside it. */
  previous: string | null;
  forced: boolean;
  durationMs: number;
}

/**
 * Postgres writers are workers leasing files; a restore replaces the whole schema under them, so it is refused
 * while any is live. --force does not apply: the rebuild's exclusive hold would refuse anyway.
 */
async function refuseLiveWorkers(o: RestoreOptions): Promise<void> {
  if (!(await storeExists(o.target))) return;
  let store: PostgresStore;
  try {
    store = (await openStore(o.target, { readonly: true, pgSchema: o.pgSchema })) as PostgresStore;
  } catch {
    return; // no index there yet: nothing to refuse
  }
  try {
    const live = await store.activeWorkers();
    if (!live.length) return;
    throw new DocprocError(`refusing to restore over ${store.location} (schema ${o.pgSchema}): ${live.length} live writer(s): ${live.map((w) => `pid ${w.pid} on ${w.host} (${w.command})`).join(', ')}`, {
      code: 'locked', exitCode: ExitCode.locked,
      hint: o.force ? '--force applies to SQLite only: on Postgres stop those workers first (docproc status lists them)' : 'stop those workers first (docproc status lists them)',
    });
  } finally {
    await store.close();
  }
}

async function restoreIntoPostgres(file: string, m: BackupManifest, o: RestoreOptions): Promise<void> {
  await refuseLiveWorkers(o);
  if (m.method === 'pg-dump') {
    if ((m.pgSchema ?? 'docproc') !== o.pgSchema) {
      throw new UsageError(`this pg_dump archive holds schema ${m.pgSchema}, not ${o.pgSchema}`, `restore it with --pg-schema ${m.pgSchema}`);
    }
    const { findExecutable, restoreArchive } = await import('../store/postgres/backup-dump.js');
    const pgRestore = findExecutable('pg_restore');
    if (!pgRestore) throw new DocprocError('pg_restore is not on the PATH', { hint: 'install the PostgreSQL client programs' });
    const got = await restoreArchive({ pgRestore }, file, o.target, o.pgSchema);
    const wrong = Object.entries(m.counts).filter(([k, n]) => k.startsWith('pg.') && got[k] !== n);
    if (wrong.length) throw new DocprocError(`restored tables differ from the backup: ${wrong.map(([k, n]) => `${k.slice(3)} ${got[k]} rows, expected ${n}`).join('; ')}`, { code: 'verify-failed', exitCode: ExitCode.someFailed });
    return;
  }
  // A SQLite-format backup (portable, or of a SQLite index) goes in through the store: copy swaps it in whole.
  const from = new SqliteStore(file, { readonly: true });
  try {
    const to = await openStore(o.target, { pgSchema: o.pgSchema });
    try {
      await copyIndex(from, to, () => openStore(o.target, { readonly: true, pgSchema: o.pgSchema }), { replace: true, waitSeconds: o.waitSeconds, signal: o.signal });
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/** The live index after the swap must hold what the manifest says (pg-dump archives: checked by table counts). */
async function checkRestored(m: BackupManifest, o: RestoreOptions): Promise<void> {
  if (m.method === 'pg-dump') return;
  const store = await openStore(o.target, { readonly: true, pgSchema: o.pgSchema });
  try {
    const problems = compareInventory(m, await takeInventory(store, m.probe?.query ?? null));
    if (problems.length) throw new DocprocError(`the restored index differs from the backup: ${problems.join('; ')}`, { code: 'verify-failed', exitCode: ExitCode.someFailed });
  } finally {
    await store.close();
  }
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreReport> {
  const started = Date.now();
  const { file, manifest } = readBackup(o.backup);
  await verifyAgainst(file, manifest);
  let previous: string | null = null;
  let forced = false;
  if (isPostgresUrl(o.target)) await restoreIntoPostgres(file, manifest, o);
  else {
    if (manifest.method === 'pg-dump') {
      throw new UsageError('a pg_dump archive restores into Postgres only', 'pass --db postgres://... ; or take a portable backup (docproc backup --portable), which restores into either store');
    }
    ({ previous, forced } = await restoreSqliteFile(file, manifest, o.target, { force: !!o.force, waitSeconds: o.waitSeconds ?? 0, log: o.log, signal: o.signal }));
  }
  await checkRestored(manifest, o);
  return { backup: file, target: o.target, method: manifest.method, counts: manifest.counts, previous, forced, durationMs: Date.now() - started };
}
