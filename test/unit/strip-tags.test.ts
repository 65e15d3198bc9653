// The XML fallback's tag stripper: the same result as the regex it replaces, in linear time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { stripTags } from '../../src/extract/formats/structured.js';

test('stripTags equals /<[^>]+>/g replaced by a space on tricky and random inputs', () => {
  const cases = ['', 'plain', '<a>x</a>', '<>', '<<>>', 'a<b', 'a>b', '<a<b>c>', '<>x<y>', 'x<', '<a>', 'one <b>two</b> <i>three'];
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let n = 0; n < 2000; n++) cases.push(Array.from({ length: Math.floor(rnd() * 12) }, () => '<>ab '[Math.floor(rnd() * 5)]).join(''));
  for (const c of cases) assert.equal(stripTags(c), c.replace(/<[^>]+>/g, ' '), JSON.stringify(c));
});

test('stripTags is linear: 700 KB of unclosed "<" finishes (the regex took minutes)', async () => {
  // In a worker, so a regression that hangs can be stopped instead of freezing the test run.
  const url = new URL('../../src/extract/formats/structured.js', import.meta.url).href;
  const code = `const { parentPort } = require('node:worker_threads'); import('${url}').then((m) => { const t = Date.now(); m.stripTags('<a'.repeat(350000)); parentPort.postMessage(Date.now() - t); });`;
  const worker = new Worker(code, { eval: true });
  const ms = await new Promise<number | 'timeout'>((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), 5000);
    worker.once('message', (m: number) => { clearTimeout(timer); resolve(m); });
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.notEqual(ms, 'timeout');
});
