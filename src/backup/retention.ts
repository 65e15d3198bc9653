// Retention: deletes old backups that docproc made (a valid manifest beside its file, named by it) and
// nothing else in the folder. Called only after a verified backup, never after a failed one.
import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_SUFFIX, parseManifestFile, type BackupManifest } from './manifest.js';

export interface RetentionPolicy {
  /** Keep at most this many backups, newest first (unset: no count limit). */
  keep?: number;
  /** Delete backups older than this many days (0: no age limit). */
  retentionDays: number;
  now: Date;
}

export interface KnownBackup {
  file: string;
  manifestPath: string;
  manifest: BackupManifest;
}

/** The backups docproc made in `dir`, newest first. */
export function listBackups(dir: string): KnownBackup[] {
  if (!fs.existsSync(dir)) return [];
  const out: KnownBackup[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(MANIFEST_SUFFIX)) continue;
    const manifestPath = path.join(dir, name);
    const manifest = parseManifestFile(manifestPath);
    if (manifest) out.push({ file: path.join(dir, manifest.file), manifestPath, manifest });
  }
  return out.sort((a, b) => Date.parse(b.manifest.createdAt) - Date.parse(a.manifest.createdAt) || (a.file < b.file ? 1 : -1));
}

/** Which of the backups the policy removes; `protect` (the backup just made) always stays. */
export function expiredBackups(all: KnownBackup[], p: RetentionPolicy, protect?: string): KnownBackup[] {
  const maxAgeMs = p.retentionDays > 0 ? p.retentionDays * 86_400_000 : Infinity;
  return all.filter((b, i) => {
    if (protect && path.resolve(b.file) === path.resolve(protect)) return false;
    const tooMany = p.keep !== undefined && i >= p.keep;
    const tooOld = p.now.getTime() - Date.parse(b.manifest.createdAt) > maxAgeMs;
    return tooMany || tooOld;
  });
}

/** Deletes the expired backups: the file first, then its manifest, so that a crash leaves nothing unrecognisable. */
export function applyRetention(dir: string, p: RetentionPolicy, protect?: string): string[] {
  const deleted: string[] = [];
  for (const b of expiredBackups(listBackups(dir), p, protect)) {
    fs.rmSync(b.file, { force: true });
    fs.rmSync(b.manifestPath, { force: true });
    deleted.push(b.file);
  }
  return deleted;
}
