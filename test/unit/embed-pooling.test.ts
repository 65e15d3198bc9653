// Unit tests for the pooling/normalisation math used by the embedder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageNormalized, clsPool, cosine, l2Normalize, meanPool } from '../../src/embed/pooling.js';

const close = (a: ArrayLike<number>, b: number[], eps = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < eps, `dim ${i}: ${a[i]} vs ${b[i]}`);
};

// hidden: batch 2, seq 3, dims 2
const hidden = new Float32Array([1, 2, 3, 4, 100, 100, /* row 1 */ 5, 6, 7, 8, 9, 10]);

test('meanPool averages only the unmasked tokens of its row', () => {
  const mask = [1, 1, 0, 1, 1, 1];
  close(meanPool(hidden, 0, 3, 2, mask), [2, 3]);
  close(meanPool(hidden, 1, 3, 2, mask), [7, 8]);
  close(meanPool(hidden, 0, 3, 2, new BigInt64Array([1n, 0n, 0n, 0n, 0n, 0n])), [1, 2]);
});

test('clsPool takes the first token of the row', () => {
  close(clsPool(hidden, 1, 3, 2), [5, 6]);
});

test('l2Normalize gives unit length and leaves zero vectors alone', () => {
  close(l2Normalize(new Float32Array([3, 4])), [0.6, 0.8]);
  close(l2Normalize(new Float32Array([0, 0])), [0, 0]);
});

test('averageNormalized averages then re-normalises; one vector passes through', () => {
  const a = new Float32Array([1, 0]);
  const b = new Float32Array([0, 1]);
  close(averageNormalized([a, b]), [Math.SQRT1_2, Math.SQRT1_2]);
  assert.equal(averageNormalized([a]), a);
  assert.throws(() => averageNormalized([]));
});

test('cosine', () => {
  assert.ok(Math.abs(cosine([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
});
