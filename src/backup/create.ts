// `docproc backup`: a consistent copy of the index under a temp name, verified against its manifest, fsynced
// and renamed into place, the manifest written last; retention runs only after all of that succeeded.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';
import type { IndexStore } from '../contracts/index-store.js';
import { DocprocError } from '../errors.js';
import { openStore, storeExists } from '../store/open-store.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { sha256File } from '../embed/cache.js';
import { fsyncDir, fsyncFile, tempNameFor } from '../fs-atomic.js';
import { docprocVersion } from '../version.js';
import { takeInventory } from './inventory.js';
import { backupFileName, manifestPathFor, writeManifest, type BackupManifest, type BackupMethod } from './manifest.js';
import { applyRetention } from './retention.js';
import { copySqliteIndex, schemaVersionOf } from '../store/sqlite/backup-file.js';
import { verifyAgainst } from './verify.js';

export interface BackupOptions {
  location: string;
  pgSchema: string;
  outDir: string;
  keep?: number;
  retentionDays: number;
  /** Postgres: the portable export even where pg_dump is usable. */
  portable?: boolean;
  log: Logger;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface BackupReport {
  file: string;
  manifest: string;
  method: BackupMethod;
  sizeBytes: number;
  sha256: string;
  counts: Record<string, number>;
  verified: true;
  durationMs: number;
  /** Older backups removed by retention. */
  deleted: string[];
}

type Artifact = Omit<BackupManifest, 'format' | 'formatVersion' | 'docprocVersion' | 'createdAt' | 'source' | 'file' | 'sizeBytes' | 'sha256'>;

/** Describes a finished SQLite-format artifact from its own content, so that the manifest matches it exactly. */
async function describeSqliteFile(file: string, store: BackupManifest['store'], method: BackupMethod): Promise<Artifact> {
  const copy = new SqliteStore(file, { readonly: true });
  try {
    const inv = await takeInventory(copy);
    return { store, method, schemaVersion: schemaVersionOf(copy), identity: inv.identity, roots: inv.roots, counts: inv.counts, documentsByStatus: inv.documentsByStatus, probe: inv.probe };
  } finally {
    await copy.close();
  }
}

async function makePostgresArtifact(source: IndexStore, o: BackupOptions, tmp: string): Promise<{ artifact: Artifact; ext: string }> {
  if (!o.portable) {
    const { usablePgDump, dumpSchema } = await import('../store/postgres/backup-dump.js');
    const tools = await usablePgDump(o.location);
    if ('reason' in tools) o.log.info({ reason: tools.reason }, 'no usable pg_dump: making a portable export');
    else {
      const tables = await dumpSchema(tools, o.location, o.pgSchema, tmp);
      // Identity and roots come from the store; only the per-table counts are read from the dump's snapshot.
      const inv = await takeInventory(source, null);
      return { ext: 'pgdump', artifact: { store: 'postgres', method: 'pg-dump', pgSchema: o.pgSchema, schemaVersion: null, identity: inv.identity, roots: inv.roots, counts: tables, documentsByStatus: inv.documentsByStatus, probe: null } };
    }
  }
  const { exportPortable } = await import('./portable.js');
  await exportPortable(source, tmp, o.signal);
  return { ext: 'sqlite', artifact: { ...(await describeSqliteFile(tmp, 'postgres', 'portable-sqlite')), pgSchema: o.pgSchema } };
}

function removeTemp(tmp: string): void {
  for (const ext of ['', '-wal', '-shm', '-journal', '.lock']) fs.rmSync(tmp + ext, { force: true });
}

export async function createBackup(o: BackupOptions): Promise<BackupReport> {
  const started = Date.now();
  if (!(await storeExists(o.location))) throw new DocprocError(`no index at ${path.resolve(o.location)}`, { code: 'no-index', hint: 'create one with: docproc ingest <paths...>' });
  fs.mkdirSync(o.outDir, { recursive: true });
  const createdAt = (o.now ?? (() => new Date()))();
  const source = await openStore(o.location, { readonly: true, pgSchema: o.pgSchema });
  // The final name is fixed once the kind is known; the temp name is a dotfile retention never looks at.
  const tmp = tempNameFor(path.join(o.outDir, `docproc-${process.pid}.backup`));
  let file: string;
  let manifest: BackupManifest;
  try {
    let made: { artifact: Artifact; ext: string };
    if (source.kind === 'sqlite') {
      copySqliteIndex(source as SqliteStore, tmp);
      made = { ext: 'sqlite', artifact: await describeSqliteFile(tmp, 'sqlite', 'sqlite-vacuum-into') };
    } else made = await makePostgresArtifact(source, o, tmp);
    fsyncFile(tmp);
    file = backupFileName(o.outDir, createdAt, made.ext);
    manifest = {
      format: 'docproc-backup', formatVersion: 1, docprocVersion: docprocVersion(), createdAt: createdAt.toISOString(),
      source: source.kind === 'sqlite' ? path.resolve(source.location) : source.location, file: path.basename(file), sizeBytes: fs.statSync(tmp).size, sha256: await sha256File(tmp), ...made.artifact,
    };
    // Verified before it counts: a backup that does not read back is deleted, and retention does not run.
    await verifyAgainst(tmp, manifest, file);
    fs.renameSync(tmp, file);
    fsyncDir(o.outDir);
    writeManifest(file, manifest);
  } catch (err) {
    removeTemp(tmp);
    throw err;
  } finally {
    await source.close();
  }
  const deleted = applyRetention(o.outDir, { keep: o.keep, retentionDays: o.retentionDays, now: createdAt }, file);
  return {
    file, manifest: manifestPathFor(file), method: manifest.method, sizeBytes: manifest.sizeBytes, sha256: manifest.sha256,
    counts: manifest.counts, verified: true, durationMs: Date.now() - started, deleted,
  };
}
