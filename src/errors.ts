// Typed errors: library code throws these; only cli/main.ts turns them into exit codes.

export const ExitCode = {
  ok: 0,
  fatal: 1,
  usage: 2,
  someFailed: 3,
  locked: 4,
  sigint: 130,
  sigpipe: 141,
  sigterm: 143,
} as const;

export class DocprocError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, opts: { code?: string; exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code ?? 'fatal';
    this.exitCode = opts.exitCode ?? ExitCode.fatal;
    this.hint = opts.hint;
  }
}

/** Bad flags, config values or arguments: exit 2. */
export class UsageError extends DocprocError {
  constructor(message: string, hint?: string) {
    super(message, { code: 'usage', exitCode: ExitCode.usage, hint });
  }
}

/** The model cannot be found, fetched or loaded. */
export class ModelError extends DocprocError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { code: 'model', exitCode: ExitCode.fatal, hint, cause });
  }
}

/** The index was built with another model or other chunk settings. */
export class IndexMismatchError extends DocprocError {
  constructor(message: string, hint = 'Rebuild it with: docproc ingest --reembed <paths...>') {
    super(message, { code: 'index-mismatch', exitCode: ExitCode.usage, hint });
  }
}

/** Another process holds the index lock. */
export class LockedError extends DocprocError {
  constructor(message: string) {
    super(message, { code: 'locked', exitCode: ExitCode.locked, hint: 'Wait for it, or pass --wait [seconds].' });
  }
}

/** A single file could not be read: becomes a status, never a crash. */
export class FileError extends Error {
  readonly status: 'failed' | 'skipped' | 'empty' | 'quarantined';
  readonly reason: string;
  constructor(status: FileError['status'], reason: string, detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.status = status;
    this.reason = reason;
  }
}
