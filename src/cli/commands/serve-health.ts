// `docproc serve-health`: /livez, /readyz and /metrics for the index, until SIGTERM or Ctrl-C.
import { createContext, type GlobalFlags } from '../context.js';
import { writeLine, writeNdjson } from '../output.js';
import { ExitCode } from '../../errors.js';

interface ServeHealthFlags extends GlobalFlags {
  host?: string;
  port?: number;
  allowRemote?: boolean;
  maxRunAge?: string;
  checkTimeout?: number;
  maxConnections: number;
  model?: string;
  modelDir?: string;
}

/** Resolves on SIGTERM or SIGINT with the signal; the server then closes gracefully. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(sig);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export async function run(flags: ServeHealthFlags): Promise<void> {
  const { config, log, explicit } = createContext(flags, {
    healthHost: flags.host, healthPort: flags.port, maxRunAge: flags.maxRunAge, healthCheckTimeoutMs: flags.checkTimeout,
    model: flags.model, modelDir: flags.modelDir,
  });
  const { assertListenAllowed } = await import('../../health/listen.js');
  const { parseDurationMs } = await import('../../health/duration.js');
  const listen = { host: config.healthHost, port: config.healthPort };
  assertListenAllowed(listen, !!flags.allowRemote);
  const maxRunAgeMs = config.maxRunAge ? parseDurationMs(config.maxRunAge, '--max-run-age') : undefined;
  const stopped = untilStopped();
  const { startHealthService } = await import('../../health/service.js');
  const service = await startHealthService({ config, explicit, log, listen, maxRunAgeMs, maxConnections: flags.maxConnections });
  // The bound address is this command's result (with --port 0 it is the only way to learn the port).
  if (config.json) writeNdjson({ event: 'listening', url: service.url });
  else writeLine(`serving ${service.url}/livez, /readyz and /metrics for ${config.db}`);
  const sig = await stopped;
  log.info({ signal: sig }, 'health server stopping');
  await service.close();
  process.exitCode = sig === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint;
}
