// The pino logger: JSON lines to stderr (or a file), never to stdout, which carries results only. pino itself is
// loaded by the first line that is actually written: most runs of `docproc search` write none, and importing it
// cost 20 ms of a search's start-up.
import { createRequire } from 'node:module';
import type * as Pino from 'pino';

/** A message with structured fields, or a message alone; pino's loggers satisfy it. */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** What docproc logs through; pass your own pino logger (or anything with these four methods). */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LogOptions {
  level?: LogLevel;
  file?: string;
}

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const require = createRequire(import.meta.url);

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? 'info';
  let logger: Pino.Logger | undefined;
  const real = (): Pino.Logger => {
    if (logger) return logger;
    const { pino, destination } = require('pino') as typeof Pino;
    const dest = opts.file ? destination({ dest: opts.file, sync: true, mkdir: true }) : destination({ fd: 2, sync: true });
    logger = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
    return logger;
  };
  const at = (name: 'debug' | 'info' | 'warn' | 'error'): LogFn =>
    RANK[name] < RANK[level] ? () => undefined : ((...args: [object, string?]) => real()[name](...args)) as LogFn;
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything: for library callers that pass none. */
export const silentLogger: Logger = createLogger({ level: 'silent' });
