// Upside-down pages from ink above and below each line's core, before any reading; and which languages it applies to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas } from '@napi-rs/canvas';
import { inkMask, toGrey, withoutPictures } from '../../src/extract/ocr-prep.js';
import { estimateSkew } from '../../src/extract/ocr-skew.js';
import { inkWay, latinScript, lineVotes, looksUpsideDown, quarterTurnFromInk } from '../../src/extract/ocr-orient.js';
import { rotateCanvas } from '../../scripts/make-ocr-rotations.js';

const LINES = ['The quick brown fox jumps over the lazy dog again.', 'Harbour tides run hardest after the new moon.',
  'Keep to the north side of the channel at ebb.', 'Visiting yachts moor on the inner pontoon.', 'Fuel is sold on Friday afternoons only.'];

/** Text lines drawn with @napi-rs/canvas, turned clockwise by `deg`; `picture` adds a dark block and fewer lines. */
function page(deg: number, o: { lines?: number; picture?: boolean; columns?: boolean } = {}) {
  const c = createCanvas(1000, 700);
  const g = c.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, 1000, 700);
  g.fillStyle = '#000';
  if (o.picture) g.fillRect(500, 300, 450, 350);
  g.font = '26px serif';
  if (o.columns) {
    // Two columns side by side, in large and small type, the small lines just under the large ones' baselines: in a
    // whole-row profile each pair is one line with heavy ink below its core, as upside down.
    for (let i = 0; i < 11; i++) g.fillText(LINES[i % LINES.length]!.slice(0, 30), 40, 60 + i * 56);
    g.font = '15px serif';
    for (let i = 0; i < 11; i++) g.fillText(LINES[(i + 2) % LINES.length]!.slice(0, 20), 560, 66 + i * 56);
  } else for (let i = 0; i < (o.lines ?? 5); i++) g.fillText(LINES[i % LINES.length]!, 40, 80 + i * 56);
  const r = deg ? rotateCanvas(c, deg) : c;
  // As ocrPixels measures lines: without the pictures.
  const m = withoutPictures(inkMask(toGrey(r.getContext('2d').getImageData(0, 0, r.width, r.height).data, r.width, r.height), 1600));
  return { m, skew: estimateSkew(m) };
}

test('upright and skewed pages are not upside down; turned 180° (and skewed) they are', () => {
  for (const deg of [0, 4, -9]) {
    const up = page(deg);
    assert.equal(looksUpsideDown(up.m, up.skew), false, `${deg}°`);
    const down = page(deg + 180);
    assert.equal(looksUpsideDown(down.m, down.skew), true, `${deg + 180}°: votes ${JSON.stringify(lineVotes(down.m, down.skew.angleDeg))}`);
  }
});

test('a lean upside down (more than twice the votes down): turned pages lean, upright ones, sideways ones and two lines do not', () => {
  for (const [deg, leans] of [[0, false], [4, false], [-9, false], [180, true], [174, true], [189, true]] as const) {
    const p = page(deg);
    assert.equal(inkWay(p.m, p.skew).leansDown, leans, `${deg}°: votes ${JSON.stringify(lineVotes(p.m, p.skew.angleDeg))}`);
  }
  const sideways = page(90);
  assert.equal(inkWay(sideways.m, sideways.skew).leansDown, false);
  const two = page(180, { lines: 2 });
  assert.equal(inkWay(two.m, two.skew).leansDown, false);
});

test('no guess from too few lines, from a sideways page, or from a blank one', () => {
  const two = page(180, { lines: 2 });
  assert.equal(looksUpsideDown(two.m, two.skew), false);
  const sideways = page(90);
  assert.equal(sideways.skew.sideways, true);
  assert.equal(looksUpsideDown(sideways.m, sideways.skew), false);
  const blank = inkMask(toGrey(new Uint8Array(200 * 100 * 4).fill(255), 200, 100), 1600);
  assert.equal(looksUpsideDown(blank, { angleDeg: 0, sideways: false }), false);
});

test('ink orientation: up for upright pages (a doubtful reading of them skips OSD), down when turned, no say on two lines or sideways', () => {
  for (const [deg, way] of [[0, 'up'], [6, 'up'], [180, 'down'], [174, 'down']] as const) {
    const p = page(deg);
    assert.equal(inkWay(p.m, p.skew).way, way, `${deg}°`);
  }
  const two = page(0, { lines: 2 });
  assert.equal(inkWay(two.m, two.skew).way, undefined);
  const sideways = page(90);
  assert.equal(inkWay(sideways.m, sideways.skew).way, undefined);
});

test('a dark picture beside the lines does not vote', () => {
  const p = page(0, { picture: true });
  assert.equal(looksUpsideDown(p.m, p.skew), false);
  const flipped = page(180, { picture: true });
  assert.equal(looksUpsideDown(flipped.m, flipped.skew), true, JSON.stringify(lineVotes(flipped.m, flipped.skew.angleDeg)));
});

test('two columns of different type vote by column: upright is upright, turned 180° is upside down', () => {
  const up = page(0, { columns: true });
  assert.equal(looksUpsideDown(up.m, up.skew), false, JSON.stringify(lineVotes(up.m, up.skew.angleDeg)));
  const down = page(180, { columns: true });
  assert.equal(looksUpsideDown(down.m, down.skew), true, JSON.stringify(lineVotes(down.m, down.skew.angleDeg)));
});

test('a sideways page: the quarter turn that sets its ascenders on top (a page turned 90° clockwise needs 270° more)', () => {
  for (const [deg, turn] of [[90, 270], [270, 90], [97, 270], [-95, 90]] as const) {
    const p = page(deg);
    assert.equal(p.skew.sideways, true, `${deg}°`);
    assert.equal(quarterTurnFromInk(p.m, p.skew), turn, `${deg}°`);
  }
  const upright = page(0);
  assert.equal(quarterTurnFromInk(upright.m, upright.skew), undefined);
  const two = page(90, { lines: 2 });
  assert.equal(quarterTurnFromInk(two.m, two.skew), undefined);
});

test('only Latin-script languages are guessed', () => {
  assert.equal(latinScript('eng'), true);
  assert.equal(latinScript('eng+deu+fra'), true);
  assert.equal(latinScript('eng+chi_sim'), false);
  assert.equal(latinScript('hin'), false);
});
