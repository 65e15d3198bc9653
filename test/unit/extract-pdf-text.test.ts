// A PDF's text layer through the real extractor: spacing, glyphs mapped to nothing or to a soft hyphen, text drawn twice.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { onePagePdf } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { patchedWorkerSource } from '../../src/extract/pdfjs-load.js';

const TMP = tempDir('docproc-pdf-text-');
after(() => closeExtractors());

function pdfFile(name: string, pdf: Buffer): string {
  const file = path.join(TMP, name);
  writeFileSync(file, pdf);
  return file;
}

/** A ToUnicode map sending one code to one character (hex), as a PDF stream. */
function toUnicodeStream(code: string, unicode: string): string {
  const cmap = [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    `1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <${code}> <${unicode}> endbfchar`,
    'endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
  return `<< /Length ${cmap.length} >>\nstream\n${cmap}\nendstream`;
}

test('a PDF set with character spacing reads as words, as pdftotext reads it', async () => {
  // 3 Tc: a quarter em between glyphs, where pdf.js puts a space; the TJ line's 0.3 em gaps are letters set apart.
  const s = 'BT /F1 12 Tf 72 700 Td 3 Tc (Singapore harbour) Tj ET BT /F1 12 Tf 72 680 Td [(S) -300 (i) -300 (n) -300 (g) -300 (a)] TJ ET';
  const pdf = onePagePdf(s);
  const doc = await extractFile(pdfFile('spaced.pdf', pdf), { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(doc.sections.map((x) => x.text).join('\n').split('\n'), ['Singapore harbour', 'S i n g a']);
});

test('a space the PDF writes between words set closer than a word gap keeps them apart; one inside a kerned word does not', async () => {
  // Helvetica 9 pt: "Harbour" is 32.508 pt wide, "Sea" 16.011, "Pier" 15.507. A space item drawn at 20% (0.5 pt) or 1%
  // horizontal scale, then the next word 0.7 pt (0.078 em) or 0.05 pt (0.006 em) on.
  const word = (s: string, x: number, y: number, tz = 100) => `BT /F1 9 Tf ${tz} Tz 1 0 0 1 ${x} ${y} Tm (${s}) Tj ET`;
  const content = [
    word('Harbour', 72, 700), word(' ', 104.508, 700, 20), word('Master', 105.208, 700),
    word('Sea', 72, 680), word(' ', 88.011, 680, 1), word('wall', 88.061, 680),
    word('Pier', 72, 660), word('head', 87.507, 660),
    // A JSTOR layer's tight word gap: 0.3 pt (0.033 em), a space between.
    word('Quay', 72, 640), word(' ', 93.51, 640, 20), word('side', 93.81, 640),
  ].join('\n');
  const d = await extractFile(pdfFile('narrow-spaces.pdf', onePagePdf(content)), { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(d.sections.map((s) => s.text), ['Harbour Master\nSeawall\nPierhead\nQuay side']);
});

test('a glyph its font maps to no character (U+0000), set between two words in a font of its own, keeps them apart', async () => {
  // An Italian policy's apostrophes are drawn from a second font whose ToUnicode map sends them to U+0000: dropped,
  // "dell'impugnazione" read "dellimpugnazione". Helvetica 10 pt: "dell" is 15.56 pt wide, the quote 2.22 pt.
  const content = [
    'BT /F1 10 Tf 72 700 Td (dell) Tj ET', "BT /F2 10 Tf 87.56 700 Td (') Tj ET", 'BT /F1 10 Tf 89.78 700 Td (impugnazione) Tj ET',
  ].join('\n');
  const unmapped = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 7 0 R >>';
  const d = await extractFile(pdfFile('unmapped-apostrophe.pdf', onePagePdf(content, [unmapped], [toUnicodeStream('27', '0000')])), { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(d.sections.map((s) => s.text), ['dell impugnazione']);
});

test('text drawn twice in one place (a repeated block, a fake bold) is read once; the same words elsewhere are kept', async () => {
  const line = (s: string, x: number, y: number) => `BT /F1 10 Tf ${x} ${y} Td (${s}) Tj ET`;
  const content = [
    line('Tide tables for the outer harbour', 72, 700), line('Moorings are allocated weekly', 72, 686),
    line('Tide tables for the outer harbour', 72, 700), line('Moorings are allocated weekly', 72.3, 686.2),
    line('Tide tables for the outer harbour', 72, 600),
  ].join('\n');
  const d = await extractFile(pdfFile('drawn-twice.pdf', onePagePdf(content)), { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(d.sections.map((s) => s.text), ['Tide tables for the outer harbour\nMoorings are allocated weekly\nTide tables for the outer harbour']);
});

test('a hyphen its font maps to U+00AD (a soft hyphen) is read as a hyphen, and joins a word broken at a line end', async () => {
  // pdf.js drops \p{Cf} glyphs from page text: an IRS publication's "fed-" / "eral" read "fed" / "eral", "e-file" "efile".
  const content = 'BT /F2 10 Tf 72 700 Td (Use e\\255file for the fed\\255) Tj 0 -12 Td (eral return.) Tj ET';
  const shyFont = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode 7 0 R >>';
  const d = await extractFile(pdfFile('soft-hyphens.pdf', onePagePdf(content, [shyFont], [toUnicodeStream('AD', '00AD')])), { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(d.sections.map((s) => s.text), ['Use e-file for the federal\nreturn.']);
});

test('slanted type (an italic sheared from the upright font) is read in its line; text turned a quarter comes after', async () => {
  // Helvetica 10 pt: "the resinous extractives of" is 116.16 pt wide; the italic words are sheared 0.2 (about 11°).
  const at = (s: string, x: number, y: number, shear = 0) => `BT /F1 10 Tf 1 0 ${shear} 1 ${x} ${y} Tm (${s}) Tj ET`;
  const content = [
    at('the resinous extractives of', 72, 700), at('Can-', 190.9, 700, 0.2),
    at('nabis,', 72, 686, 0.2), at('sp. and synthetic substances', 101.5, 686),
    at('Page 4', 72, 100), 'BT /F1 10 Tf 0 1 -1 0 580 400 Tm (DRAFT) Tj ET',
  ].join('\n');
  const d = await extractFile(pdfFile('slanted.pdf', onePagePdf(content)), { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(d.sections.map((x) => x.text).join('\n').split('\n'), ['the resinous extractives of Cannabis,', 'sp. and synthetic substances', 'Page 4', 'DRAFT']);
});

test("pdf.js's worker is patched only where its format-mark test is found exactly once", () => {
  const line = 'if (category.isInvisibleFormatMark) {';
  assert.equal(patchedWorkerSource(`a\n${line}\ncontinue;`), 'a\nif (category.isInvisibleFormatMark && glyph.unicode !== "\\u00AD") {\ncontinue;');
  assert.equal(patchedWorkerSource('no such line'), undefined);
  assert.equal(patchedWorkerSource(`${line}\n${line}`), undefined);
});
