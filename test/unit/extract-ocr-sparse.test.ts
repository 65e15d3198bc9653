// A map's place names: page segmentation finds few of its lines, so the page is read once more for sparse text and the
// words tesseract is sure of are added. A page of text is read once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { observeRecognize } from '../../src/extract/ocr.js';
import { withNewLines } from '../../src/extract/pdf-overlay.js';
import { toGrey } from '../../src/extract/ocr-prep.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = tempDir();
after(() => closeExtractors());

async function readings(file: string): Promise<{ text: string; readings: number }> {
  let n = 0;
  observeRecognize(() => n++);
  try {
    const doc = await extractFile(path.join(ROOT, file), defaultExtractOptions);
    return { text: doc.sections.map((s) => s.text).join('\n'), readings: n };
  } finally {
    observeRecognize(undefined);
  }
}

test('a map (scripts/make_fixtures_pages.py) is read once more for sparse text, and its place names are found', async () => {
  const { text, readings: n } = await readings('test/data/scans/trail-map.png');
  assert.equal(n, 2);
  // Native tesseract (page segmentation) reads five of the twelve names here. The sparse reading, of the names alone
  // (roads, rivers and woods cleared), finds the others; "Thornbury" reads "Thombury".
  const names = ['Bramblecombe', 'Oakhurst', 'Fenwick Ferry', 'Saltmarsh', 'Harrowgate', 'Kestrel Point', 'Millbrook', 'Ashby Cross', 'Wyvern Bay', 'Larkspur', 'Copperfield'];
  for (const name of names) assert.ok(text.includes(name), name);
  // Each name once: the sparse reading adds only lines the page reading did not say.
  assert.equal(text.split('Kestrel Point').length, 2);
});

test('a table of figures in a dark frame, under a dark header row, is read once: its digits count as read', async () => {
  // The frame and the header outweigh the text's ink, as on a map; counted by letters alone (0.2 a mark), its figures
  // were taken for text the reading missed, and a screenshot of a bank's table was read twice (2.5-3.4× native's time).
  const { createCanvas } = await import('@napi-rs/canvas');
  const [W, H] = [1000, 640];
  const c = createCanvas(W, H);
  const g = c.getContext('2d');
  g.fillStyle = '#2b2b2b';
  g.fillRect(0, 0, W, H);
  g.fillStyle = '#ffffff';
  g.fillRect(40, 40, W - 80, H - 80);
  g.fillStyle = '#111111';
  g.fillRect(40, 40, W - 80, 70);
  g.fillStyle = '#ffffff';
  g.font = 'bold 22px serif';
  g.fillText('Quarter figures (Rs. in 000)', 60, 85);
  g.fillStyle = '#000000';
  g.font = '20px serif';
  ['Cash', 'Loans', 'Deposits', 'Assets', 'Capital', 'Reserves', 'Bonds', 'Other', 'Total'].forEach((row, i) => {
    const y = 150 + i * 48;
    g.fillText(`${i + 1}.${i + 2}`, 60, y);
    g.fillText(row, 130, y);
    [[7919, 1234, 331, 7], [4421, 2345, 577, 4], [3301, 3456, 239, 9]].forEach(([a, b, m, d], col) =>
      g.fillText(`${((i * a! + b!) % 9000) + 1000},${((i * m!) % 900) + 100}.${i}${d}`, [420, 620, 800][col]!, y));
    g.fillRect(50, y + 14, W - 100, 2);
  });
  writeFileSync(path.join(dir, 'figures.png'), c.toBuffer('image/png'));
  const { text, readings: n } = await readings(path.relative(ROOT, path.join(dir, 'figures.png')));
  assert.equal(n, 1);
  assert.match(text, /Deposits/);
});

test('a page of text is read once', async () => {
  const { text, readings: n } = await readings('fixtures/docs/garden-rules.jpg');
  assert.equal(n, 1);
  assert.match(text, /Compost bins are for plant waste only/);
});

test('lines added to a reading: new ones holding a real word, in their order', () => {
  assert.equal(withNewLines('Tarnose\n\nBAIONA', 'BAIONA\nAutobideak ===\n~~\nErrepide nagusiak\nTarnose'), 'Tarnose\n\nBAIONA\n\nAutobideak ===\nErrepide nagusiak');
  assert.equal(withNewLines('Tarnose', 'Tarnose\n||'), 'Tarnose');
});

test('an image at its own size reaches the engine pixel for pixel (no resampling blur on the way)', async () => {
  const { createCanvas } = await import('@napi-rs/canvas');
  const c = createCanvas(900, 300);
  const g = c.getContext('2d');
  g.fillStyle = '#f7f8fa';
  g.fillRect(0, 0, 900, 300);
  g.fillStyle = '#1e2230';
  g.font = '24px sans-serif';
  for (let i = 0; i < 4; i++) g.fillText('Visiting yachts pay the daily rate of 28 pounds.', 20.3, 60 + i * 50);
  const png = c.toBuffer('image/png');
  const own = toGrey(g.getImageData(0, 0, 900, 300).data, 900, 300).data;
  const file = path.join(dir, 'screenshot.png');
  writeFileSync(file, png);
  const seen: Buffer[] = [];
  observeRecognize((img) => seen.push(img));
  try {
    await extractFile(file, defaultExtractOptions);
  } finally {
    observeRecognize(undefined);
  }
  // Read at its own size (12-pixel glyphs), so the first image is the file's grey as it is.
  const pgm = seen[0]!;
  const pixels = pgm.subarray(pgm.length - 900 * 300);
  assert.ok(pgm.toString('latin1', 0, 12).startsWith('P5\n900 300\n'));
  assert.ok(Buffer.from(own).equals(pixels));
});
