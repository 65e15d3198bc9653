// A PDF cut inside an object or inside its cross-reference table: the open object is closed and written again after
// the cut, and the open table is ended, so that the rebuilt tree and the page that object belongs to are read.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { buildPdf, pdfGood } from '../helpers/hostile-fixtures.js';
import { closeCutObject } from '../../src/extract/pdf-cut-object.js';
import { rebuildPageTree } from '../../src/extract/pdf-salvage.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';

const TMP = tempDir('docproc-pdf-cut-object-');
after(() => closeExtractors());
const read = async (name: string, data: Buffer) => {
  const file = path.join(TMP, name);
  writeFileSync(file, data);
  return extractFile(file, { ...defaultExtractOptions, ocr: false });
};

test('an open dictionary or array is closed after its last complete token', () => {
  assert.equal(closeCutObject('\n<< /Font << /F1 8 0 R >> /ProcSet [ /PDF /Text /Imag'), '\n<< /Font << /F1 8 0 R >> /ProcSet [ /PDF /Text /Imag ] >>');
  // A cut name keeps its part (a stand-in font is found by it); a dictionary gets a value for a key the cut left bare.
  assert.equal(closeCutObject('<< /Type /Font /BaseFont /Helvet'), '<< /Type /Font /BaseFont /Helvet null >>');
  assert.equal(closeCutObject('<< /Type /Page /Contents 5 0 R'), '<< /Type /Page /Contents 5 0 R null >>');
  // A cut string or keyword is dropped; strings, hex strings and comments hold no brackets.
  assert.equal(closeCutObject('<< /Title (a [ b \\) c'), '<< /Title null >>');
  assert.equal(closeCutObject('[ 1 0 R tru'), '[ 1 0 R ]');
  assert.equal(closeCutObject('<< /A <5b5b> % [ [\n/B [ 1'), '<< /A <5b5b> % [ [\n/B [ 1 ] >>');
});

test('nothing to close: a complete object, a number, a stream whose data was cut', () => {
  assert.equal(closeCutObject('<< /A 1 >>\n'), undefined);
  assert.equal(closeCutObject('42'), undefined);
  assert.equal(closeCutObject('<< /Length 90 >>\nstream\nBT /F1 12 Tf'), undefined);
});

const PAGE = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> /ProcSet [/PDF /Text /ImageB] >> >>';
const CONTENT = (t: string) => { const s = `BT /F1 24 Tf 72 700 Td (${t}) Tj ET`; return `<< /Length ${s.length} >>\nstream\n${s}\nendstream`; };

test('a PDF cut inside its page\'s dictionary reads the page (it failed: the new tree was read as more of it)', async () => {
  const pdf = buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [5 0 R] /Count 1 >>', CONTENT('Cut in the page dictionary'), '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>', PAGE]);
  const doc = await read('cut-page-dict.pdf', pdf.subarray(0, pdf.indexOf('/ImageB')));
  assert.deepEqual(doc.sections.map((s) => s.text), ['Cut in the page dictionary']);
  assert.match(doc.warnings[0]!, /^damaged PDF/);
});

test('a PDF cut inside its cross-reference table gets the table ended before the new objects', async () => {
  // pdf.js's recovery passes over a table to the next trailer and startxref: without an end of its own, those were the
  // new ones, and every object between was skipped (8 of 71 test PDFs cut to 80% failed so).
  const pdf = pdfGood();
  const table = pdf.indexOf('\nxref\n') + 1;
  const cut = pdf.subarray(0, table + 12);
  const tail = Buffer.from(rebuildPageTree(new Uint8Array(cut), 10)!.data).toString('latin1').slice(cut.length);
  assert.ok(tail.startsWith('\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n6 0 obj\n<< /Type /Pages /Kids [3 0 R]'), tail);
  // A table whose trailer survives, or no table at all, is left alone; `startxref` is not a table.
  for (const whole of [pdf, pdf.subarray(0, table - 5), pdf.subarray(0, pdf.lastIndexOf('%%EOF'))]) {
    const t = Buffer.from(rebuildPageTree(new Uint8Array(whole), 10)!.data).toString('latin1').slice(whole.length);
    assert.ok(t.startsWith('\n6 0 obj\n'), t);
  }
  const doc = await read('cut-in-xref.pdf', cut);
  assert.deepEqual(doc.sections.map((s) => s.text), ['Hello from a good PDF']);
  assert.match(doc.warnings[0]!, /^damaged PDF/);
});

test('the table is ended when the cut came right after its keyword or inside the trailer after it', async () => {
  const pdf = pdfGood();
  const table = pdf.indexOf('\nxref\n') + 1;
  for (const [name, end] of [['after-keyword', table + 4], ['in-trailer', pdf.indexOf('/Root 1 0', table) + 7]] as const) {
    const cut = pdf.subarray(0, end);
    const tail = Buffer.from(rebuildPageTree(new Uint8Array(cut), 10)!.data).toString('latin1').slice(cut.length);
    assert.ok(tail.startsWith('\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n'), `${name}: ${tail}`);
    assert.deepEqual((await read(`${name}.pdf`, cut)).sections.map((s) => s.text), ['Hello from a good PDF'], name);
  }
});

test('a cut later copy of an object (an incremental save\'s) is not closed: the whole earlier copy stays the one read', () => {
  const pdf = buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', PAGE]);
  const cut = Buffer.concat([pdf, Buffer.from('3 0 obj\n<< /Type /Page /Parent 2 0 R /Annots [ 6 0', 'latin1')]);
  const tail = Buffer.from(rebuildPageTree(new Uint8Array(cut), 10)!.data).toString('latin1').slice(cut.length);
  assert.doesNotMatch(tail, /\n3 0 obj\n/);
});
