// Backup errors: a backup that fails its verification exits 3, like a run that finished with failures.
import { DocprocError, ExitCode } from '../errors.js';

export class BackupVerificationError extends DocprocError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`backup ${file} failed verification: ${problems.join('; ')}`, {
      code: 'verify-failed',
      exitCode: ExitCode.someFailed,
      hint: 'do not restore from it; take a new backup (docproc backup) or use an older one',
    });
    this.problems = problems;
  }
}
