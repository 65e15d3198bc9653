// Child processes timed for the OCR benchmarks: wall seconds, and CPU seconds (user + system) from /usr/bin/time,
// which other load on the machine disturbs less.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Seconds { wall: number; cpu: number }

/** A child process's standard output and times. */
export async function runTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<[string, Seconds]> {
  const t0 = performance.now();
  const r = await run('/usr/bin/time', ['-f', 'BENCH-CPU %U %S', cmd, ...args], { env, maxBuffer: 64 << 20 });
  const m = /BENCH-CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return [r.stdout, { wall: (performance.now() - t0) / 1000, cpu: m ? Number(m[1]) + Number(m[2]) : NaN }];
}
