// The scale a page is read at: small type enlarged, ordinary type reduced unless rules run under it, large type reduced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readingScale } from '../../src/extract/ocr-page.js';

test('reading scale: enlarge below 7 px, keep 7-14 px, reduce to 12 px above, to 20 px above 36 px', () => {
  assert.equal(readingScale(undefined, false), 1);
  assert.equal(readingScale(5, false), 1.5);
  assert.equal(readingScale(1, false), 4);
  assert.equal(readingScale(10, false), 1);
  assert.equal(readingScale(24, false), 0.5);
  assert.equal(readingScale(50, false), 0.4);
});

test('reading scale: ordinary type over rules (underlines, dot leaders) is read at its own size', () => {
  assert.equal(readingScale(24, true), 1);
  assert.equal(readingScale(5, true), 1.5);
  assert.equal(readingScale(50, true), 0.4);
});
