// Part 3: 1, 2 and 4 concurrent `docproc ingest` processes (the real CLI and model) over one tree into a
// fresh Postgres schema each run; wall time until the last exits, and the index must hold each file once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPg, dropSchema } from './stores.js';
import { progress, round } from './stats.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/docproc.js');

export interface WorkerRun {
  processes: number;
  round: number;
  wallSeconds: number;
  filesPerSec: number;
  files: number;
  /** Documents in the schema afterwards, and how many of them are indexed. */
  documents: number;
  indexed: number;
  countOk: boolean;
  /** `indexed` of each process's summary: how the files were shared out (sums to files when none was done twice). */
  indexedByProcess: number[];
  exitCodes: number[];
}

interface Proc {
  code: number;
  summary?: { indexed: number };
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n').filter((l) => l.startsWith('{'));
      const summary = lines.map((l) => JSON.parse(l) as { event?: string; indexed: number }).find((e) => e.event === 'summary');
      resolve({ code: code ?? -1, summary, stderr: err.slice(-2000) });
    });
  });
}

export async function concurrentWorkers(o: { dir: string; files: number; pgUrl: string; counts: number[]; rounds: number }): Promise<WorkerRun[]> {
  const runs: WorkerRun[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const counts = r % 2 === 0 ? o.counts : [...o.counts].reverse();
    for (const n of counts) {
      const schema = `bench_workers_${process.pid}_${r}_${n}`;
      await dropSchema(o.pgUrl, schema);
      const t0 = Date.now();
      const procs = await Promise.all(Array.from({ length: n }, () =>
        runCli(['ingest', o.dir, '--db', o.pgUrl, '--pg-schema', schema, '--json'], { ...process.env })));
      const wall = (Date.now() - t0) / 1000;
      const store = await openPg(o.pgUrl, schema, { readonly: true });
      const stats = await store.stats();
      await store.close();
      const documents = Object.values(stats.documents).reduce((a, b) => a + b, 0);
      const indexed = stats.documents.indexed ?? 0;
      const run: WorkerRun = {
        processes: n, round: r, wallSeconds: round(wall, 2), filesPerSec: round(o.files / wall, 2), files: o.files, documents, indexed,
        countOk: indexed === o.files && documents === o.files,
        indexedByProcess: procs.map((p) => p.summary?.indexed ?? -1), exitCodes: procs.map((p) => p.code),
      };
      for (const p of procs) if (p.code !== 0) progress(`a docproc ingest exited ${p.code}: ${p.stderr}`);
      progress(`${n} process(es), round ${r}: ${run.wallSeconds} s, ${run.filesPerSec} files/s, ${indexed}/${o.files} indexed, per process ${run.indexedByProcess.join('+')}`);
      runs.push(run);
      await dropSchema(o.pgUrl, schema);
    }
  }
  return runs;
}
