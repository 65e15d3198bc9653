// A scan under a stamped line of text (a court filing's header, a Bates number): the stamp is not the page's text layer
// but its label; the picture is read by OCR and the stamp kept as written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { layerWithOcrLines } from '../../src/extract/pdf-overlay.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import * as F from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const JPEG = readFileSync(path.join(ROOT, 'fixtures/docs/garden-rules.jpg'));
const STAMP = 'Case 1:24-cv-00321 Document 7 Filed 03/02/24 Page 2 of 9';
const dir = tempDir();
after(() => closeExtractors());

test('stamp and OCR: the stamp as written, then the lines OCR read that it does not already say', () => {
  const ocr = 'Case 1:24-cv-00321 Docurnent 7 Filed 03/02/24 Page 2 of 9\n\nCommunity Garden Rules\n\n|| ~ .\nCompost bins are for plant waste only.';
  assert.equal(layerWithOcrLines(STAMP, ocr, 88), `${STAMP}\n\nCommunity Garden Rules\n\nCompost bins are for plant waste only.`);
  // A photo's texture read as letters: tesseract is not confident of it, and it adds nothing.
  assert.equal(layerWithOcrLines(STAMP, 'sete tole cee eater opie', 31), STAMP);
  assert.equal(layerWithOcrLines(STAMP, STAMP, 95), STAMP);
});

test('pdf: a scan under a stamped header is read by OCR, the stamp kept as written; with OCR off a warning says so', async () => {
  const file = path.join(dir, 'stamped.pdf');
  writeFileSync(file, F.pdfStampedScan(JPEG, 1100, 520, STAMP));
  const d = await extractFile(file, defaultExtractOptions);
  assert.equal(d.pagesOcr, 1);
  const text = d.sections.map((s) => s.text).join('\n');
  assert.ok(text.startsWith(`${STAMP}\n`), text);
  assert.match(text, /Community Garden Rules/);
  assert.match(text, /Compost bins are for plant waste only/);
  assert.equal(text.split('Filed 03/02/24').length, 2, 'the stamp once');
  const off = await extractFile(file, { ...defaultExtractOptions, ocr: false });
  assert.equal(off.sections.map((s) => s.text).join('\n'), STAMP);
  assert.deepEqual(off.warnings, ['page 1: a scan under 1 line of text; OCR disabled']);
});

test('pdf: a stamp over a picture of half the page is the page\'s text; nothing is read by OCR', async () => {
  const file = path.join(dir, 'half.pdf');
  writeFileSync(file, F.pdfStampedScan(JPEG, 1100, 520, STAMP, 306));
  const d = await extractFile(file, defaultExtractOptions);
  assert.equal(d.pagesOcr, 0);
  assert.equal(d.sections.map((s) => s.text).join('\n'), STAMP);
  assert.deepEqual(d.warnings, []);
});

test('pdf: a scan wrapped in a scaled form (as stamping tools wrap a page) counts at the size it is drawn', async () => {
  const file = path.join(dir, 'in-form.pdf');
  writeFileSync(file, F.pdfStampedScanInForm(JPEG, 1100, 520, STAMP));
  const d = await extractFile(file, { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(d.warnings, ['page 1: a scan under 1 line of text; OCR disabled']);
});
