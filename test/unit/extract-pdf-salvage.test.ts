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
  const out = Buffer.from(r.data).toString('latin1');
  // New objects are numbered past every object in the file; the cross-reference offset points at no table (the
  // trailer), so that pdf.js reads the file object by object rather than by its own tables.
  const m = /^\n13 0 obj\n<< \/Type \/Pages \/Kids \[3 0 R 7 2 R\] \/Count 2 >>\nendobj\n14 0 obj\n<< \/Type \/Catalog \/Pages 13 0 R >>\nendobj\ntrailer\n<< \/Root 14 0 R \/Size 15 >>\nstartxref\n(\d+)\n%%EOF\n$/.exec(out.slice(pdf.length));
  assert.ok(m, out.slice(pdf.length));
  assert.ok(out.startsWith('trailer\n', Number(m[1])));
});

test('every catalog the file names is replaced by one over the new tree; an encrypted file\'s keys are carried over', () => {
  const pdf = [
    '%PDF-1.6',
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm 8 0 R >>\nendobj',
    '2 0 obj\n<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>\nendobj',
    '3 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj',
    '4 0 obj\n<< /Type /XRef /Root 6 0 R /Size 9 /Length 0 >>\nstream\n\nendstream\nendobj',
    'trailer\n<< /Size 5 /Root 1 0 R /Encrypt 5 0 R /ID [<ab01> <cd02>] >>\nstartxref\n9\n%%EOF',
  ].join('\n');
  const tail = Buffer.from(rebuildPageTree(bytes(pdf), 10)!.data).toString('latin1').slice(pdf.length);
  // The new objects come past every number in use: /Size 9 (objects up to 8), references to 6 and 8.
  assert.ok(tail.startsWith('\n9 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n'), tail);
  const catalog = '<< /Type /Catalog /Pages 9 0 R >>';
  for (const n of [10, 1, 6]) assert.ok(tail.includes(`\n${n} 0 obj\n${catalog}\nendobj\n`), `${n}: ${tail}`);
  assert.match(tail, /\ntrailer\n<< \/Root 10 0 R \/Size 11 \/Encrypt 5 0 R \/ID \[<ab01> <cd02>\] >>\n/);
});

test('a page saved again later keeps its first place; pages past the cap are counted, not listed', () => {
  const page = (n: number) => `${n} 0 obj\n<< /Type /Page >>\nendobj`;
  const r = rebuildPageTree(bytes(['%PDF-1.4', page(5), page(6), page(7), page(5)].join('\n')), 2)!;
  assert.equal(kids(r.data), '5 0 R 6 0 R');
  assert.equal(r.pages, 2);
  assert.equal(r.leftOut, 1);
});

test('a /Root that names a page leaves the page in place; an object number past the format\'s limit takes no number', () => {
  const pdf = ['%PDF-1.4', '3 0 obj\n<< /Type /Page >>\nendobj', '99999999999 0 obj\n<< /Type /Font >>\nendobj', 'trailer\n<< /Root 3 0 R >>'].join('\n');
  const tail = Buffer.from(rebuildPageTree(bytes(pdf), 10)!.data).toString('latin1').slice(pdf.length);
  assert.ok(tail.startsWith('\n4 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n5 0 obj\n'), tail);
  assert.doesNotMatch(tail, /\n3 0 obj/);
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
