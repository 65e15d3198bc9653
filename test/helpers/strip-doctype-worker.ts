// Runs stripDoctype in a worker thread: a test can give up on a regex stuck backtracking, which the main thread can't.
import { parentPort, workerData } from 'node:worker_threads';
import { stripDoctype } from '../../src/extract/xml.js';

const inputs = workerData as string[];
const t0 = performance.now();
const out = inputs.map((s) => stripDoctype(s));
parentPort!.postMessage({ out, ms: performance.now() - t0 });
