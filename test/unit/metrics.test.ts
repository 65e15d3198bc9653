// Retrieval metrics against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, mrrAtK, ndcgAtK, percentile, recallAtK } from '../../scripts/retrieval/metrics.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);
const rel = (...ids: string[]): Map<string, number> => new Map(ids.map((id) => [id, 1]));

test('nDCG@10: relevant at ranks 1 and 3 of two relevant', () => {
  // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309297535714575
  close(ndcgAtK(['a', 'x', 'b'], rel('a', 'b'), 10), 1.5 / (1 + 1 / Math.log2(3)));
});

test('nDCG: perfect, empty and out-of-cutoff rankings', () => {
  close(ndcgAtK(['a', 'b'], rel('a', 'b'), 10), 1);
  close(ndcgAtK([], rel('a'), 10), 0);
  close(ndcgAtK(['x', 'y', 'a'], rel('a'), 2), 0);
  // one relevant at rank 2: 1/log2(3) / 1
  close(ndcgAtK(['x', 'a'], rel('a'), 10), 1 / Math.log2(3));
});

test('nDCG uses graded relevance and ignores grade 0', () => {
  const r = new Map([['a', 2], ['b', 1], ['z', 0]]);
  // ranking b, a: DCG = 1 + 2/log2(3); IDCG = 2 + 1/log2(3)
  close(ndcgAtK(['b', 'a', 'z'], r, 10), (1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3)));
});

test('Recall@k counts relevant found within the cutoff', () => {
  close(recallAtK(['a', 'x', 'b'], rel('a', 'b', 'c', 'd'), 100), 0.5);
  close(recallAtK(['a', 'x', 'b'], rel('a', 'b'), 2), 0.5);
  close(recallAtK(['x'], new Map(), 100), 0);
});

test('MRR@k is the reciprocal rank of the first relevant, 0 past k', () => {
  close(mrrAtK(['x', 'y', 'a', 'b'], rel('a', 'b'), 10), 1 / 3);
  close(mrrAtK(['a'], rel('a'), 10), 1);
  close(mrrAtK(['x', 'y', 'a'], rel('a'), 2), 0);
});

test('mean and nearest-rank percentile', () => {
  close(mean([1, 2, 3, 4]), 2.5);
  close(mean([]), 0);
  close(percentile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 95), 10);
  close(percentile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 50), 5);
});
