// Runs the built CLI as a child process, the way users and cron run it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const binPath = path.join(repoRoot, 'bin/docproc.js');
export const fixturesDir = path.join(repoRoot, 'fixtures');

/** The shared model cache: scripts/run-tests.mjs fills it before the tests start. */
export function testHome(): string {
  return process.env['DOCPROC_TEST_HOME'] ?? path.join(repoRoot, '.docproc-home');
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCPROC_HOME: testHome(), ...extra };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

export function spawnCli(args: string[], o: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [binPath, ...args], { cwd: o.cwd, env: cliEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, o);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function parseNdjson(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function summaryOf(stdout: string): Record<string, number | boolean | null> {
  const s = parseNdjson(stdout).find((e) => e['event'] === 'summary');
  if (!s) throw new Error(`no summary event in: ${stdout}`);
  return s as Record<string, number | boolean | null>;
}

export { tempDir } from './temp.js';
