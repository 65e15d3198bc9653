// A map's place names: page segmentation finds few of its lines, so the page is read once more for sparse text and the
// words tesseract is sure of are added. A page of text is read once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { observeRecognize } from '../../src/extract/ocr.js';
import { withNewLines } from '../../src/extract/pdf-overlay.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
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
  // Native tesseract (page segmentation) reads five of the twelve names here.
  for (const name of ['Bramblecombe', 'Saltmarsh', 'Harrowgate', 'Kestrel Point', 'Millbrook', 'Wyvern Bay', 'Copperfield']) assert.ok(text.includes(name), name);
  // Each name once: the sparse reading adds only lines the page reading did not say.
  assert.equal(text.split('Kestrel Point').length, 2);
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
