// SIGINT/SIGTERM during a run: stop taking new files, let the files in flight finish, then exit 130/143.
import type { Logger } from '../log.js';

export interface StopSignals {
  signal: AbortSignal;
  received(): NodeJS.Signals | null;
  dispose(): void;
}

export function installStopSignals(log: Logger): StopSignals {
  const controller = new AbortController();
  let got: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals): void => {
    if (got) {
      // A second signal: the user insists. Committed documents are safe; the one in flight rolls back.
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    got = sig;
    log.warn({ signal: sig }, 'stopping: finishing files in flight (send again to exit now)');
    process.stderr.write(`docproc: ${sig} received, finishing files in flight...\n`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
