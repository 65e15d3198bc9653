// `docproc search` end to end from the shell: process start, config, index open, model load, query, output.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { SearchMode } from '../../src/search/index.js';
import { latency, type Latency } from './stats.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/docproc.js');

export interface CliLatency extends Latency {
  mode: SearchMode;
  /** `this build`, or a baseline named on the command line. */
  variant: string;
}

/** A docproc to time: its bin/docproc.js and the index it searches (a baseline may need an index of its schema). */
export interface CliTarget {
  name: string;
  bin: string;
  db: string;
}

/** `--cli-baseline /old/bin/docproc.js=/old/index.db`: an older build timed in the same rotation. */
export function parseBaseline(spec: string): CliTarget {
  const [b, db] = spec.split('=');
  if (!b || !db) throw new Error(`--cli-baseline: not BIN=INDEX: ${spec}`);
  return { name: `baseline ${path.resolve(b)}`, bin: path.resolve(b), db: path.resolve(db) };
}

/**
 * Wall time of `node bin/docproc.js search <q> --mode m --db file --json` per mode and target, rotated per query;
 * one untimed run of each first, so the page cache is warm (the goal is stated on a warm cache).
 */
export function cliLatencies(db: string, home: string, texts: string[], baselines: CliTarget[] = [],
  modes: SearchMode[] = ['keyword', 'vector', 'hybrid']): { nodeStart: Latency; modes: CliLatency[] } {
  const env = { ...process.env, DOCPROC_HOME: home };
  const targets = [{ name: 'this build', bin, db }, ...baselines];
  const runs = targets.flatMap((t) => modes.map((mode) => ({ ...t, mode, ms: [] as number[] })));
  const once = (r: (typeof runs)[number], q: string): number => {
    const t0 = performance.now();
    const out = spawnSync(process.execPath, [r.bin, 'search', q, '--mode', r.mode, '--db', r.db, '--json'], { env, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (out.status !== 0) throw new Error(`${r.name}: docproc search --mode ${r.mode} exited ${out.status}: ${out.stderr}`);
    return ms;
  };
  for (const r of runs) once(r, texts[0] ?? 'warm up');
  texts.forEach((t, qi) => {
    for (let k = 0; k < runs.length; k++) {
      const r = runs[(qi + k) % runs.length]!;
      r.ms.push(once(r, t));
    }
  });
  // The floor: a bare node process, timed the same way.
  const start: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    start.push(performance.now() - t0);
  }
  return { nodeStart: latency(start), modes: runs.map((r) => ({ mode: r.mode, variant: r.name, ...latency(r.ms) })) };
}
