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
}

/**
 * Wall time of `node bin/docproc.js search <q> --mode m --db file --json` per mode, modes rotated per query;
 * one untimed run per mode first, so the page cache is warm (the goal is stated on a warm cache).
 */
export function cliLatencies(db: string, home: string, texts: string[], modes: SearchMode[] = ['keyword', 'vector', 'hybrid']): { nodeStart: Latency; modes: CliLatency[] } {
  const env = { ...process.env, DOCPROC_HOME: home };
  const run = (q: string, mode: SearchMode): number => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'search', q, '--mode', mode, '--db', db, '--json'], { env, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`docproc search --mode ${mode} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  for (const m of modes) run(texts[0] ?? 'warm up', m);
  const ms = new Map<SearchMode, number[]>(modes.map((m) => [m, []]));
  texts.forEach((t, qi) => {
    for (let k = 0; k < modes.length; k++) {
      const m = modes[(qi + k) % modes.length]!;
      ms.get(m)!.push(run(t, m));
    }
  });
  // The floor: a bare node process, timed the same way.
  const start: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    start.push(performance.now() - t0);
  }
  return { nodeStart: latency(start), modes: modes.map((m) => ({ mode: m, ...latency(ms.get(m)!) })) };
}
