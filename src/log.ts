// The pino logger: JSON lines to stderr (or a file), never to stdout, which carries results only.
import { pino, destination, type Logger } from 'pino';

export type { Logger };

export interface LogOptions {
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  file?: string;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.file ? destination({ dest: opts.file, sync: true, mkdir: true }) : destination({ fd: 2, sync: true });
  return pino({ level: opts.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** A logger that drops everything: for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
