// A damaged PDF's page tree rebuilt from its page objects: which objects count as pages, in what order, within the
// page cap; and the rebuilt file read by the real PDF extractor, page order and warnings included.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { rebuildPageTree } from '../../src/extract/pdf-salvage.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { pdfCutShort } from '../helpers/hostile-fixtures.js';

const TMP = tempDir('docproc-pdf-salvage-');
after(() => closeExtractors());

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
/** The rebuilt tree's kids: the last /Kids in the file. */
const kids = (data: Uint8Array) => [...Buffer.from(data).toString('latin1').matchAll(/\/Kids \[([^\]]*)\]/g)].at(-1)?.[1];

test('page objects found, inner page-tree nodes and stream data not taken for pages', () => {
  const pdf = [
    '%PDF-1.7',
    '12 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj',
    '3 0 obj\n<</Type/Page/Contents 4 0 R>>\nendobj',
    // Data that reads like a page dictionary, inside a stream: not a page.
    '4 0 obj\n<< /Length 30 >>\nstream\n<< /Type /Page >> and more\nendstream\nendobj',
    '7 2 obj <<\n/MediaBox [0 0 10 10] /Type /Page\n>> endobj',
    '9 0 obj\n<< /Type /PageLabel >>\nendobj',
  ].join('\n');
  const r = rebuildPageTree(bytes(pdf), 100)!;
  assert.equal(r.pages, 2);
  assert.equal(r.leftOut, 0);
  assert.equal(kids(r.data), '3 0 R 7 2 R');
  const tail = Buffer.from(r.data).toString('latin1').slice(pdf.length);
  // New objects are numbered past every object in the file.
  assert.match(tail, /^\n13 0 obj\n<< \/Type \/Pages \/Kids \[3 0 R 7 2 R\] \/Count 2 >>\nendobj\n14 0 obj\n<< \/Type \/Catalog \/Pages 13 0 R >>\nendobj\ntrailer\n<< \/Root 14 0 R \/Size 15 >>\n%%EOF\n$/);
});

test('a file with cross-references gets an incremental update: its own table, pointing at the new objects, the file\'s before it', () => {
  const pdf = '%PDF-1.4\n1 0 obj\n<< /Type /Page >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 9 0 R >>\nstartxref\n44\n%%EOF\n';
  const r = rebuildPageTree(bytes(pdf), 10)!;
  const out = Buffer.from(r.data).toString('latin1');
  const tail = out.slice(pdf.length);
  const m = /^\nxref\n2 2\n(\d{10}) 00000 n \n(\d{10}) 00000 n \ntrailer\n<< \/Root 3 0 R \/Size 4 \/Prev 44 >>\nstartxref\n(\d+)\n%%EOF\n$/.exec(tail.slice(tail.indexOf('\nxref')));
  assert.ok(m, tail);
  assert.ok(out.startsWith('2 0 obj\n<< /Type /Pages /Kids [1 0 R] /Count 1 >>', Number(m[1])));
  assert.ok(out.startsWith('3 0 obj\n<< /Type /Catalog /Pages 2 0 R >>', Number(m[2])));
  assert.ok(out.startsWith('xref\n2 2', Number(m[3])));
});

test('a page saved again later keeps its first place; pages past the cap are counted, not listed', () => {
  const page = (n: number) => `${n} 0 obj\n<< /Type /Page >>\nendobj`;
  const r = rebuildPageTree(bytes(['%PDF-1.4', page(5), page(6), page(7), page(5)].join('\n')), 2)!;
  assert.equal(kids(r.data), '5 0 R 6 0 R');
  assert.equal(r.pages, 2);
  assert.equal(r.leftOut, 1);
});

test('no page objects: nothing to rebuild', () => {
  assert.equal(rebuildPageTree(bytes('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), 10), undefined);
  assert.equal(rebuildPageTree(new Uint8Array(0), 10), undefined);
});

test('a PDF cut short is read through the rebuilt tree, its pages in order, with a warning; the page cap holds', async () => {
  const file = path.join(TMP, 'cut.pdf');
  writeFileSync(file, pdfCutShort());
  const doc = await extractFile(file, { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(doc.sections.map((s) => [s.loc.page, s.text]), [[1, 'First page survives'], [2, 'Second page survives']]);
  assert.equal(doc.pages, 3);
  assert.match(doc.warnings[0]!, /^damaged PDF \(Invalid PDF structure\.\): read through a page tree rebuilt from the 3 page objects found/);
  const capped = await extractFile(file, { ...defaultExtractOptions, ocr: false, maxPages: 1 });
  assert.deepEqual(capped.sections.map((s) => s.text), ['First page survives']);
  assert.match(capped.warnings[0]!, /from the 3 page objects found, in the file's order; page cap: read 1 of them;/);
});
