// Verification of a backup against its manifest: the file's sha256 and size, then (SQLite files) opened
// read-only, integrity_check, rows per table, identity, and the manifest's fixed search; (pg_dump archives)
// their table of contents. A backup that fails is never restored and never counts.
import fs from 'node:fs';
import { sha256File } from '../embed/cache.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { BackupVerificationError } from './errors.js';
import { compareInventory, takeInventory } from './inventory.js';
import { readBackup, type BackupManifest } from './manifest.js';
import { integrityProblems, schemaVersionOf } from '../store/sqlite/backup-file.js';

export interface VerifyReport {
  file: string;
  method: BackupManifest['method'];
  createdAt: string;
  sha256: string;
  counts: Record<string, number>;
  probe: BackupManifest['probe'];
  durationMs: number;
}

async function fileProblems(file: string, m: BackupManifest): Promise<string[]> {
  const problems: string[] = [];
  const size = fs.statSync(file).size;
  if (size !== m.sizeBytes) problems.push(`size ${size} bytes, the manifest says ${m.sizeBytes}`);
  const sha = await sha256File(file);
  if (sha !== m.sha256) problems.push(`sha256 ${sha.slice(0, 12)}…, the manifest says ${m.sha256.slice(0, 12)}… (the file changed after the backup)`);
  return problems;
}

/** A docproc index in one SQLite file (a SQLite backup, or a portable export of any store). */
export async function sqliteFileProblems(file: string, m: BackupManifest): Promise<string[]> {
  let store: SqliteStore;
  try {
    store = new SqliteStore(file, { readonly: true });
  } catch (err) {
    return [`cannot open it read-only: ${(err as Error).message}`];
  }
  try {
    const integrity = integrityProblems(store);
    if (integrity.length) return integrity;
    const problems: string[] = [];
    if (m.schemaVersion !== null && schemaVersionOf(store) !== m.schemaVersion) problems.push(`schema version ${schemaVersionOf(store)}, the manifest says ${m.schemaVersion}`);
    problems.push(...compareInventory(m, await takeInventory(store, m.probe?.query ?? null)));
    return problems;
  } catch (err) {
    return [`reading it failed: ${(err as Error).message}`];
  } finally {
    await store.close();
  }
}

async function archiveCheck(file: string, m: BackupManifest): Promise<string[]> {
  const { archiveProblems, findExecutable } = await import('../store/postgres/backup-dump.js');
  const pgRestore = findExecutable('pg_restore');
  if (!pgRestore) return ['pg_restore is not on the PATH: a pg_dump archive cannot be checked here'];
  return archiveProblems({ pgRestore }, file, m.pgSchema ?? 'docproc', m.counts);
}

/** Checks the file against a manifest (a backup being made, before it counts). Throws BackupVerificationError. */
export async function verifyAgainst(file: string, m: BackupManifest, shownAs = file): Promise<void> {
  const problems = await fileProblems(file, m);
  problems.push(...(m.method === 'pg-dump' ? await archiveCheck(file, m) : await sqliteFileProblems(file, m)));
  if (problems.length) throw new BackupVerificationError(shownAs, problems);
}

/** `docproc backup --verify <file>`: the file or its manifest. */
export async function verifyBackup(arg: string): Promise<VerifyReport> {
  const started = Date.now();
  const { file, manifest } = readBackup(arg);
  await verifyAgainst(file, manifest);
  return {
    file, method: manifest.method, createdAt: manifest.createdAt, sha256: manifest.sha256, counts: manifest.counts,
    probe: manifest.probe, durationMs: Date.now() - started,
  };
}
