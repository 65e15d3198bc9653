// bench:ocr's summary against the goal: recall where a true text allows the comparison, time wherever native ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goalSummary, renderGoal } from '../../scripts/ocr-bench/goal.js';

const row = (file: string, recall: number, cpu: number, native?: { recall?: number; cpu: number }) => ({
  file,
  docproc: { recall, perPage: { cpu } },
  ...(native ? { native: { ...(native.recall !== undefined ? { recall: native.recall } : {}), perPage: { cpu: native.cpu } } } : {}),
});

test('the goal summary counts recall against native only with a true text, and time wherever native ran', () => {
  const s = goalSummary([
    row('scan.png', 0.95, 1.0, { recall: 0.9, cpu: 0.8 }),
    row('map.png', 0.5, 2.0, { recall: 0.6, cpu: 1.0 }),
    // Native gave up on this one quickly.
    row('turned.png', 1, 3.0, { recall: 0, cpu: 1.0 }),
    // Native's reading as the reference: no recall to compare, time still counts; 1.504× shows as 1.50 and is within.
    row('photo.jpg', 1, 1.504, { cpu: 1.0 }),
    row('no-native.tif', 0.99, 1.0),
  ]);
  assert.deepEqual(s.recall, { compared: 3, atLeastNative: 2, below: [{ file: 'map.png', recall: 0.5, native: 0.6 }] });
  assert.deepEqual(s.time, {
    compared: 4,
    within: 2,
    over: [{ file: 'map.png', ratio: 2, readsMore: false }, { file: 'turned.png', ratio: 3, readsMore: true }],
  });
  assert.equal(
    renderGoal(s),
    [
      "recall at least native's: 2 of 3 files with a true text (below: map.png 50.0% < 60.0%)",
      "CPU per page within 1.5× native's: 2 of 4 files",
      '  over, reading more of the true text than native: turned.png 3.00×',
      '  over, reading no more than native (or no true text to tell): map.png 2.00×',
    ].join('\n'),
  );
});
