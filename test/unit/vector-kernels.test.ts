// The WebAssembly kernels of the SQLite vector first pass, against plain JavaScript doing the same sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { SignScorer } from '../../src/store/sqlite/vector-kernels.js';
import { VECTOR_KERNELS_WASM } from '../../src/store/sqlite/vector-kernels-bytes.js';

/** A deterministic pseudo-random stream in [-1, 1). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

test('the embedded bytes are vector-kernels.wat compiled (node scripts/build-wasm.mjs)', async () => {
  const { compileWat } = (await import('../../../scripts/build-wasm.mjs' as string)) as { compileWat: (f: string) => Promise<Buffer> };
  const wat = fileURLToPath(new URL('../../../src/store/sqlite/vector-kernels.wat', import.meta.url));
  assert.equal((await compileWat(wat)).toString('base64'), VECTOR_KERNELS_WASM);
});

test('sign scores and the top-m selection match the JavaScript sums, ties to the lower id', () => {
  const rnd = stream(7);
  const words = 3;
  const blockSlots = 8;
  const slots = 4 * blockSlots;
  const table = Float32Array.from({ length: words * 4 * 256 }, () => rnd());
  const codes = Uint32Array.from({ length: slots * words }, () => Math.floor((rnd() + 1) * 2 ** 31) >>> 0);
  // Slot 5 repeats slot 3's code: equal scores, so the lower id must win a place at the boundary.
  for (let w = 0; w < words; w++) codes[5 * words + w] = codes[3 * words + w]!;
  const expected = Array.from({ length: slots }, (_, i) => {
    let s0 = 0;
    let s1 = 0;
    for (let w = 0; w < words; w++) {
      const x = codes[i * words + w]!;
      const tb = w * 1024;
      s0 += table[tb + (x & 255)]! + table[tb + 256 + ((x >>> 8) & 255)]!;
      s1 += table[tb + 512 + ((x >>> 16) & 255)]! + table[tb + 768 + (x >>> 24)]!;
    }
    return s0 + s1;
  });
  const scorer = new SignScorer(table, words, blockSlots, slots);
  const bytes = new Uint8Array(codes.buffer);
  for (let b = 0; b < slots / blockSlots; b++) scorer.score(bytes.subarray(b * blockSlots * words * 4, (b + 1) * blockSlots * words * 4), b * blockSlots);
  assert.deepEqual(Array.from(scorer.scores()), expected);

  const keep = scorer.keep().fill(1);
  keep[0] = 0; // a free slot never competes
  const order = [...Array(slots).keys()].filter((i) => keep[i]).sort((a, b) => expected[b]! - expected[a]! || a - b);
  for (const m of [1, 5, 12, slots - 1, slots + 3]) assert.deepEqual(scorer.top(m), order.slice(0, m), `m=${m}`);
  const rank3 = order.indexOf(3);
  assert.deepEqual(scorer.top(rank3 + 1), order.slice(0, rank3 + 1));
  assert.ok(order.indexOf(5) === rank3 + 1, 'slot 5 ties slot 3 and comes after it');
});
