// `docproc backup`: a verified backup of the index with a manifest, then retention; or --verify <file>.
import path from 'node:path';
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine } from '../output.js';
import { isPostgresUrl } from '../../store/open-store.js';
import { installStopSignals } from '../signals.js';

interface BackupFlags extends GlobalFlags {
  out?: string;
  keep?: number;
  retentionDays?: number;
  portable?: boolean;
  verify?: string;
}

/** Beside a SQLite index (hidden, so an ingest of the folder never reads backups); else the working directory. */
export function defaultBackupDir(db: string): string {
  return isPostgresUrl(db) ? path.resolve('.docproc-backups') : path.join(path.dirname(path.resolve(db)), '.docproc-backups');
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

export async function run(flags: BackupFlags): Promise<void> {
  const { config, log } = createContext(flags, { backupDir: flags.out, backupKeep: flags.keep, backupRetentionDays: flags.retentionDays });
  if (flags.verify) {
    const { verifyBackup } = await import('../../backup/verify.js');
    const r = await verifyBackup(flags.verify);
    if (config.json) return writeJson({ ...r, verified: true });
    return writeLine(`verified ${r.file}: sha256, integrity, ${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ')}` +
      `${r.probe ? `, search "${r.probe.query}" ${r.probe.hits} results` : ''} (backup of ${r.createdAt}, ${r.durationMs} ms)`);
  }
  const { createBackup } = await import('../../backup/create.js');
  const stop = installStopSignals(log);
  try {
    const r = await createBackup({
      location: config.db, pgSchema: config.pgSchema, outDir: config.backupDir ?? defaultBackupDir(config.db),
      keep: config.backupKeep, retentionDays: config.backupRetentionDays, portable: flags.portable, log, signal: stop.signal,
    });
    if (config.json) return writeJson(r);
    writeLine(`backup ${r.file} (${r.method}, ${mb(r.sizeBytes)}, sha256 ${r.sha256.slice(0, 12)}): ` +
      `${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ')}; verified in ${(r.durationMs / 1000).toFixed(1)}s`);
    for (const d of r.deleted) writeLine(`deleted old backup ${d}`);
  } finally {
    stop.dispose();
  }
}
