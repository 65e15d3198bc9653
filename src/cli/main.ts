// The CLI entry: the only place that turns errors into exit codes and calls process.exit.
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { DocprocError, ExitCode } from '../errors.js';

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; --help and --version exit 0.
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof DocprocError) {
    process.stderr.write(`docproc: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  ${err.hint}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`docproc: unexpected error: ${e?.stack ?? String(err)}\n`);
  return ExitCode.fatal;
}

// A reader that stops early (`docproc extract big.pdf | head`) closes the pipe. The next write then failed with an
// unhandled EPIPE and a stack trace; the command now ends quietly with 141, as a program killed by SIGPIPE does. An
// ingest stopped this way is like one killed: what it committed stays, the document in flight rolls back.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.sigpipe);
  throw e;
});

const code = await main(process.argv);
// Flush stdout before exiting: a piped consumer must get every byte of the JSON.
process.stdout.write('', () => process.exit(code));
