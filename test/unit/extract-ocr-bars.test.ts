// Light text on dark bars made dark on white before OCR; a page in negative read as its positive; bars with no light
// text left alone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { components, inkMask, medianGlyphHeight, paperLevel, toGrey } from '../../src/extract/ocr-prep.js';
import { liftBars } from '../../src/extract/ocr-bars.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { observeRecognize } from '../../src/extract/ocr.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
after(() => closeExtractors());

/** A screenshot: a dark menu bar with light labels, a rounded blue button, and lines of dark text on white. */
function screenshot(negative = false) {
  const c = createCanvas(900, 420);
  const g = c.getContext('2d');
  g.fillStyle = negative ? '#111' : '#fff';
  g.fillRect(0, 0, 900, 420);
  g.fillStyle = '#1f2430';
  g.fillRect(0, 0, 900, 48);
  g.fillStyle = '#eef';
  g.font = '18px sans-serif';
  g.fillText('Harbour Office  |  Berth Bookings  |  Tide Tables  |  Contact', 20, 31);
  g.fillStyle = '#2a62c9';
  g.beginPath();
  g.roundRect(500, 340, 360, 50, 20);
  g.fill();
  g.fillStyle = '#fff';
  g.fillText('Confirm the Saturday ferry crew list', 520, 371);
  g.fillStyle = negative ? '#eee' : '#222';
  for (let i = 0; i < 5; i++) g.fillText('Visiting yachts pay the daily rate including water and power.', 20, 100 + i * 40);
  return { canvas: c, grey: toGrey(g.getImageData(0, 0, 900, 420).data, 900, 420) };
}

test('a dark bar and a coloured button: white behind their letters, which turn dark; the rest of the page as it was', () => {
  const { grey } = screenshot();
  const m = inkMask(grey, 1600);
  const parts = components(m);
  const lifted = liftBars(grey, m, parts, medianGlyphHeight(m, parts), paperLevel(grey, m));
  const px = (x: number, y: number, img = lifted) => img.data[y * img.width + x]!;
  assert.ok(px(450, 4) > 240 && px(895, 45) > 240, 'the bar is white');
  assert.ok(px(700, 344) > 240, 'the button is white');
  assert.ok(px(502, 342) > 240, "the page beyond the button's rounded corner stays white");
  // The bar's letters are the darkest pixels in it now.
  let darkest = 255;
  for (let x = 20; x < 600; x++) for (let y = 14; y < 36; y++) darkest = Math.min(darkest, px(x, y));
  assert.ok(darkest < 30, `darkest letter pixel ${darkest}`);
  for (let y = 60; y < 300; y++) for (let x = 0; x < 900; x++) assert.equal(px(x, y), px(x, y, grey), 'the text lines are untouched');
});

test('a dark photo (a gradient, light highlights) is no bar: left as it is', () => {
  const c = createCanvas(900, 420);
  const g = c.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, 900, 420);
  const grad = g.createLinearGradient(250, 0, 850, 0);
  grad.addColorStop(0, '#000');
  grad.addColorStop(1, '#666');
  g.fillStyle = grad;
  g.fillRect(250, 40, 600, 300);
  g.fillStyle = '#eee';
  for (let i = 0; i < 6; i++) g.fillRect(300 + i * 90, 120, 30, 30);
  g.fillStyle = '#222';
  g.font = '18px sans-serif';
  for (let i = 0; i < 8; i++) g.fillText('Visiting yachts', 20, 60 + i * 40);
  const grey = toGrey(g.getImageData(0, 0, 900, 420).data, 900, 420);
  const m = inkMask(grey, 1600);
  const parts = components(m);
  assert.equal(liftBars(grey, m, parts, medianGlyphHeight(m, parts), paperLevel(grey, m)), grey);
});

test('a page in negative keeps its polarity: nothing is lifted', () => {
  const { grey } = screenshot(true);
  const m = inkMask(grey, 1600);
  const parts = components(m);
  assert.equal(liftBars(grey, m, parts, medianGlyphHeight(m, parts), paperLevel(grey, m)), grey);
});

test('a screenshot with a dark menu bar: its labels are read', async () => {
  const file = path.join(dir, 'menu.png');
  writeFileSync(file, screenshot().canvas.toBuffer('image/png'));
  const doc = await extractFile(file, defaultExtractOptions);
  const text = doc.sections.map((s) => s.text).join('\n');
  for (const label of ['Harbour Office', 'Berth Bookings', 'Tide Tables', 'Contact', 'Saturday ferry']) assert.ok(text.includes(label), `${label} in ${text}`);
});

test('a page in negative is handed to the engine as its positive (dark text on light), and read whole', async () => {
  const file = path.join(dir, 'negative.png');
  writeFileSync(file, screenshot(true).canvas.toBuffer('image/png'));
  const seen: number[] = [];
  observeRecognize((img) => seen.push(medianOfPgm(img)));
  try {
    const doc = await extractFile(file, defaultExtractOptions);
    const text = doc.sections.map((s) => s.text).join('\n');
    for (const words of ['Visiting yachts pay the daily rate', 'Berth Bookings', 'Saturday ferry']) assert.ok(text.includes(words), `${words} in ${text}`);
  } finally {
    observeRecognize(undefined);
  }
  assert.ok(seen.length > 0 && seen.every((m) => m > 200), `median grey of what was read: ${seen.join(', ')}`);
});

/** The median grey of a binary PGM (P5, 8 bits), as ocr-page encodes it. */
function medianOfPgm(img: Buffer): number {
  const head = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(img.subarray(0, 40).toString('latin1'));
  assert.ok(head, 'a PGM');
  const px = img.subarray(head[0].length);
  const hist = new Uint32Array(256);
  for (const v of px) hist[v]!++;
  for (let v = 0, seen = 0; v < 256; v++) if ((seen += hist[v]!) >= px.length / 2) return v;
  return 255;
}
