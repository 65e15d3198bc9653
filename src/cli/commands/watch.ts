// `docproc watch`: keep an index in sync with folders; NDJSON events with --json, log lines otherwise.
import { createContext, type GlobalFlags } from '../context.js';
import { writeLine, writeNdjson, displayPath } from '../output.js';
import { ExitCode } from '../../errors.js';
import { installStopSignals } from '../signals.js';
import { configFlags } from './ingest.js';

interface WatchFlags extends GlobalFlags {
  ignore?: string[];
  debounce: number;
  ocr?: boolean;
  model?: string;
  modelDir?: string;
  device?: 'auto' | 'cpu' | 'cuda';
  threads?: number;
  batchSize?: number;
}

export async function run(paths: string[], flags: WatchFlags): Promise<void> {
  const { config, log, explicit } = createContext(flags, configFlags({ ...flags, failOn: 'failed' }));
  const stop = installStopSignals(log);
  const { watch } = await import('../../pipeline/watch.js');
  try {
    await watch({
      paths, config, log, explicitKeys: explicit, debounceMs: flags.debounce, signal: stop.signal,
      onEvent: (e) => {
        if (config.json) return writeNdjson(e.event === 'file' ? { ...e, path: displayPath(e.path) } : e);
        if (e.event === 'file') writeLine(`${e.status.padEnd(11)} ${displayPath(e.path)}${e.reason ? `: ${e.reason}` : ''}`);
        else if (e.event === 'sync' && !config.quiet) {
          const s = e.summary;
          process.stderr.write(`${e.trigger === 'startup' ? 'caught up' : 'synced'}: ${s.indexed + s.updated} indexed, ${s.removed} removed, ${s.moved} moved, ${s.failed + s.quarantined} failed${e.lagMs !== null ? `, lag ${e.lagMs} ms` : ''}; watching...\n`);
        }
      },
    });
  } finally {
    stop.dispose();
  }
  const sig = stop.received();
  process.exitCode = sig === 'SIGTERM' ? ExitCode.sigterm : sig === 'SIGINT' ? ExitCode.sigint : ExitCode.ok;
}
