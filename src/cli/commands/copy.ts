// `docproc copy --from <path|url> --to <path|url>`: an index moved between stores without re-embedding.
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine } from '../output.js';
import { UsageError } from '../../errors.js';
import { openStore, storeExists } from '../../store/open-store.js';
import { copyIndex } from '../../pipeline/copy.js';
import { installStopSignals } from '../signals.js';

interface CopyFlags extends GlobalFlags {
  from?: string;
  to?: string;
  fromSchema?: string;
  toSchema?: string;
  replace?: boolean;
  sample?: number;
  wait?: boolean | string;
}

export async function run(flags: CopyFlags): Promise<void> {
  const { config, log } = createContext(flags);
  if (!flags.from || !flags.to) throw new UsageError('copy needs --from and --to', 'usage: docproc copy --from <path|url> --to <path|url> [--replace]');
  if (!(await storeExists(flags.from))) throw new UsageError(`no index at ${flags.from}`);
  const fromSchema = flags.fromSchema ?? config.pgSchema;
  const toSchema = flags.toSchema ?? config.pgSchema;
  if (flags.from === flags.to && fromSchema === toSchema) throw new UsageError('--from and --to name the same index');
  const stop = installStopSignals(log);
  const from = await openStore(flags.from, { readonly: true, pgSchema: fromSchema });
  try {
    const to = await openStore(flags.to, { pgSchema: toSchema });
    try {
      const report = await copyIndex(from, to, () => openStore(flags.to!, { readonly: true, pgSchema: toSchema }), {
        replace: flags.replace, signal: stop.signal, sampleDocuments: flags.sample,
        waitSeconds: flags.wait === true ? 24 * 3600 : flags.wait ? Number(flags.wait) : 0,
        onProgress: (n) => log.info({ documents: n }, 'copying'),
      });
      if (config.json) writeJson({ from: from.location, to: to.location, ...report });
      else writeLine(`copied ${report.documents} documents, ${report.chunks} chunks and vectors, ${report.runs} runs, ${report.roots} roots ` +
        `from ${from.location} to ${to.location} in ${(report.durationMs / 1000).toFixed(1)}s; verified (counts, vectors of ${report.sampledDocuments} documents)`);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
    stop.dispose();
  }
}
