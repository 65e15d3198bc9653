// `docproc restore <backup>`: verify the backup, then swap it in as the index named by --db.
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine } from '../output.js';
import { UsageError } from '../../errors.js';
import { installStopSignals } from '../signals.js';

interface RestoreFlags extends GlobalFlags {
  force?: boolean;
  wait?: boolean | string;
}

function waitSeconds(wait: RestoreFlags['wait']): number {
  if (wait === undefined || wait === false) return 0;
  if (wait === true) return 24 * 3600;
  const n = Number(wait);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--wait: not a number of seconds: ${wait}`);
  return n;
}

export async function run(backup: string, flags: RestoreFlags): Promise<void> {
  const { config, log } = createContext(flags);
  const { restoreBackup } = await import('../../backup/restore.js');
  const stop = installStopSignals(log);
  try {
    const r = await restoreBackup({
      backup, target: config.db, pgSchema: config.pgSchema, force: flags.force, waitSeconds: waitSeconds(flags.wait), log, signal: stop.signal,
    });
    if (config.json) return writeJson(r);
    writeLine(`restored ${r.backup} into ${r.target}: ${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ')}; verified in ${(r.durationMs / 1000).toFixed(1)}s`);
    if (r.previous) writeLine(`the replaced index is kept as ${r.previous} (delete it once satisfied)`);
    if (r.forced) process.stderr.write('docproc: warning: a live writer held the index (--force): its later writes went to the replaced index\n');
  } finally {
    stop.dispose();
  }
}
