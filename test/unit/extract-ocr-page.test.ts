// The scale and resolution a page is read at: small type enlarged, ordinary type reduced unless ruled, large type
// reduced; the resolution declared, else one guessed from the glyphs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readingDpi, readingScale, retryTurn } from '../../src/extract/ocr-page.js';
import { joinContractions } from '../../src/extract/ocr.js';

test('reading scale: enlarge below 7 px, keep 7-14 px, reduce to 12 px above, to 20 px above 36 px', () => {
  assert.equal(readingScale(undefined, false), 1);
  assert.equal(readingScale(5, false), 1.5);
  assert.equal(readingScale(1, false), 4);
  assert.equal(readingScale(10, false), 1);
  assert.equal(readingScale(24, false), 0.5);
  assert.equal(readingScale(50, false), 0.4);
});

test('reading scale: a page to be levelled is enlarged to 9 px below it, since the rotation blurs small type', () => {
  assert.equal(readingScale(6, false, true), 1.5);
  assert.equal(readingScale(8, false, true), 1.125);
  assert.equal(readingScale(1, false, true), 4);
  assert.equal(readingScale(9, false, true), 1);
  assert.equal(readingScale(24, false, true), 0.5);
});

test('reading scale: ordinary type over rules (underlines, dot leaders) is read at its own size', () => {
  assert.equal(readingScale(24, true), 1);
  assert.equal(readingScale(5, true), 1.5);
  assert.equal(readingScale(50, true), 0.4);
});

test('reading resolution: the declared one scaled with the page, else 13 dpi per pixel of glyph, else none', () => {
  assert.equal(readingDpi(300, 24, 0.5), 150);
  assert.equal(readingDpi(72, 5, 1.5), 108);
  // No declared resolution: a 300 dpi page's 24 px glyphs say 312, read at half size 156.
  assert.equal(readingDpi(undefined, 24, 0.5), 156);
  assert.equal(readingDpi(undefined, 12, 1), 156);
  assert.equal(readingDpi(undefined, undefined, 1), undefined);
});

test('reading resolution: a 72 or 96 dpi placeholder is overruled by glyphs that say twice as much, a true one is not', () => {
  // A phone photo or a 300 dpi page saved as "72 dpi": glyphs of 24 px say 312.
  assert.equal(readingDpi(72, 24, 0.5), 156);
  assert.equal(readingDpi(96, 24, 0.5), 156);
  // A true 72 dpi scan (5 px glyphs: 65) and a 96 dpi one (10 px: 130, under twice 96) keep theirs.
  assert.equal(readingDpi(72, 5, 1.5), 108);
  assert.equal(readingDpi(96, 10, 1), 96);
  // Above 96 a declared resolution is believed whatever the glyphs say (large type at 300 dpi).
  assert.equal(readingDpi(300, 60, 1 / 3), 100);
  assert.equal(readingDpi(undefined, undefined, 1), undefined);
});

test('OCR text: a space tesseract set after an apostrophe is taken out of contractions and possessives only', () => {
  assert.equal(joinContractions('you’ ll hear the Sequencer’ s click; don\' t'), 'you’ll hear the Sequencer’s click; don\'t');
  assert.equal(joinContractions('the pilots’ ledger'), 'the pilots’ ledger');
  assert.equal(joinContractions('‘the tide’ said'), '‘the tide’ said');
  // A plural possessive before a word that starts like a contraction keeps its space.
  assert.equal(joinContractions('the players’ re-election, the workers’ t-shirts'), 'the players’ re-election, the workers’ t-shirts');
});

test('after a doubtful reading: a turn OSD is sure of, else the other way round where the way up was a guess, else none', () => {
  assert.equal(retryTurn({ degrees: 180, confidence: 4 }, false), 180);
  assert.equal(retryTurn({ degrees: 90, confidence: 2 }, true), 90);
  assert.equal(retryTurn({ degrees: 0, confidence: 9 }, true), 180, 'OSD sure the guess was right: on small type it can be wrong');
  assert.equal(retryTurn({ degrees: 0, confidence: 9 }, false), 0);
  assert.equal(retryTurn({ degrees: 270, confidence: 0.2 }, true), 180);
  assert.equal(retryTurn(undefined, true), 180);
  assert.equal(retryTurn({ degrees: 270, confidence: 0.2 }, false), 0);
  assert.equal(retryTurn(undefined, false), 0);
});
