// A damaged PDF 1.5 whose pages, fonts and catalog live in compressed object streams: the object streams that survive
// are read by their own index and their objects written out again, so the rebuilt page tree finds the pages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { tempDir } from '../helpers/temp.js';
import { rebuildPageTree } from '../../src/extract/pdf-salvage.js';
import { streamedObjects } from '../../src/extract/pdf-object-streams.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';

const TMP = tempDir('docproc-pdf-objstm-');
after(() => closeExtractors());

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const tail = (data: Uint8Array, from: number) => Buffer.from(data).toString('latin1').slice(from);

/** An object stream holding `objects` (number → body), as `num 0 obj`, its data deflated unless `raw`. */
function objectStream(num: number, objects: [number, string][], opts: { raw?: boolean; dict?: string } = {}): string {
  let index = '';
  let body = '';
  for (const [n, text] of objects) {
    index += `${n} ${body.length} `;
    body += `${text}\n`;
  }
  const plain = index + body;
  const data = opts.raw ? plain : deflateSync(latin1(plain)).toString('latin1');
  const filter = opts.raw ? '' : ' /Filter /FlateDecode';
  return `${num} 0 obj\n<< /Type /ObjStm /N ${objects.length} /First ${index.length}${filter} /Length ${data.length}${opts.dict ?? ''} >>\nstream\n${data}\nendstream\nendobj\n`;
}

const content = (num: number, text: string) => {
  const s = `BT /F1 24 Tf 72 700 Td (${text}) Tj ET`;
  return `${num} 0 obj\n<< /Length ${s.length} >>\nstream\n${s}\nendstream\nendobj\n`;
};
const page = (contents: number) => `<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] /Contents ${contents} 0 R /Resources << /Font << /F1 1 0 R >> >> >>`;

/**
 * As Word or pdfTeX write a PDF 1.5: page contents as plain streams, every dictionary (font, pages, tree, catalog) in
 * an object stream, and the cross-reference stream last: the part a cut takes.
 */
function pdf15(): { whole: string; cut: string } {
  const head = '%PDF-1.5\n' + content(6, 'Streamed page one') + content(7, 'Streamed page two');
  const stm = objectStream(8, [
    [1, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
    [2, page(6)],
    [3, page(7)],
    [4, '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>'],
    [5, '<< /Type /Catalog /Pages 4 0 R >>'],
  ]);
  const cut = head + stm;
  return { whole: `${cut}9 0 obj\n<< /Type /XRef /Size 10 /Root 5 0 R /W [1 4 2] /Length 70 >>\nstream\n`, cut };
}

test('a PDF 1.5 cut before its cross-reference stream is read through the objects of its object stream', async () => {
  const file = path.join(TMP, 'objstm-cut.pdf');
  writeFileSync(file, latin1(pdf15().whole));
  const doc = await extractFile(file, { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(doc.sections.map((s) => [s.loc.page, s.text]), [[1, 'Streamed page one'], [2, 'Streamed page two']]);
  assert.match(doc.warnings[0]!, /^damaged PDF .*: read through a page tree rebuilt from the 2 page objects found/);
});

test('streamed objects are written out plain before the new tree; the streamed catalog is replaced, not written', () => {
  const { cut } = pdf15();
  const r = rebuildPageTree(new Uint8Array(latin1(cut)), 10)!;
  assert.equal(r.pages, 2);
  const t = tail(r.data, cut.length);
  assert.ok(t.startsWith('\n1 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n2 0 obj\n'), t);
  assert.ok(t.indexOf('4 0 obj\n<< /Type /Pages /Kids [2 0 R 3 0 R]') < t.indexOf('9 0 obj\n<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>'));
  // Object 5 (the catalog) appears once, as the new catalog over the new tree (9), past the number in use (8).
  assert.deepEqual([...t.matchAll(/\n5 0 obj\n(.*)\n/g)].map((m) => m[1]), ['<< /Type /Catalog /Pages 9 0 R >>']);
});

test('a streamed object written plain later is stale: the plain copy stays the one read', () => {
  const { cut } = pdf15();
  const later = `${cut}3 0 obj\n<< /Type /Page /Parent 4 0 R /Contents 6 0 R >>\nendobj\n`;
  const t = tail(rebuildPageTree(new Uint8Array(latin1(later)), 10)!.data, later.length);
  assert.doesNotMatch(t, /\n3 0 obj\n/);
  assert.match(t, /\n2 0 obj\n/);
});

test('an encrypted file\'s object streams are not read', () => {
  const { cut } = pdf15();
  const enc = `${cut}trailer\n<< /Encrypt 20 0 R /ID [<01> <02>] >>\n`;
  assert.equal(rebuildPageTree(new Uint8Array(latin1(enc)), 10), undefined);
});

const budget = (left = 1e6, streams = 100) => ({ left, streams });
/** The objects of the object stream that `pdf` (a Buffer or text) holds, read to its end. */
const readStream = (pdf: Buffer | string, b = budget()) => {
  const buf = typeof pdf === 'string' ? latin1(pdf) : pdf;
  const text = buf.toString('latin1');
  return streamedObjects(buf, text.slice(0, text.indexOf('stream\n')), text.indexOf('stream\n') + 6, buf.length, b);
};

test('an object stream cut short gives the objects wholly inside it', () => {
  const stm = objectStream(8, [[1, '<< /A 1 >>'], [2, '<< /B 2 >>'], [3, '<< /C 3 >>']], { raw: true });
  assert.deepEqual(readStream(stm).map((o) => o.body), ['<< /A 1 >>', '<< /B 2 >>', '<< /C 3 >>']);
  // Cut inside the third object: the second ends where the third starts, the third may be cut and is left out.
  assert.deepEqual(readStream(latin1(stm).subarray(0, stm.indexOf('<< /C') + 3)).map((o) => o.num), [1, 2]);
  // Deflated and cut: what inflates is read.
  const z = objectStream(8, [[1, '<< /A 1 >>'], [2, `<< /B (${'x'.repeat(5000)}) >>`], [3, '<< /C 3 >>']]);
  assert.ok(readStream(latin1(z).subarray(0, z.indexOf('stream\n') + 26)).length < 3);
  // With its /Length wrong or indirect, a stream ends at its endstream.
  assert.equal(readStream(stm.replace(/\/Length \d+/, '/Length 9 0 R')).length, 3);
});

test('filters other than Flate, predictors and an index that does not add up give nothing', () => {
  const objs: [number, string][] = [[1, '<< /A 1 >>']];
  assert.equal(readStream(objectStream(8, objs)).length, 1);
  assert.equal(readStream(objectStream(8, objs).replace('/FlateDecode', '/LZWDecode')).length, 0);
  assert.equal(readStream(objectStream(8, objs, { dict: ' /DecodeParms << /Predictor 12 /Columns 4 >>' })).length, 0);
  assert.equal(readStream(objectStream(8, objs).replace('/N 1', '/N 0')).length, 0);
  assert.equal(readStream(objectStream(8, [[0, '<< /A 1 >>']])).length, 0);
  // An index said to run past the data is not read through.
  assert.equal(readStream(objectStream(8, objs).replace(/\/First \d+/, '/First 9999999999')).length, 0);
});

test('hostile object streams: every try is charged to the budget, read or not, and the streams tried are capped', () => {
  const big = objectStream(8, [[1, `(${'y'.repeat(100_000)})`]]);
  // Inflating past what is left: not read, and the cap it could have reached is spent.
  const small = budget(1000);
  assert.equal(readStream(big, small).length, 0);
  assert.ok(small.left <= 0);
  const b = budget();
  readStream(big, b);
  assert.ok(b.left < 1e6 - 100_000);
  assert.equal(b.streams, 99);
  assert.equal(readStream(objectStream(8, [[1, '<< /A 1 >>']]), budget(1e6, 0)).length, 0);
  // Unfiltered data is held to the same cap.
  assert.equal(readStream(objectStream(8, [[1, `(${'z'.repeat(5000)})`]], { raw: true }), budget(1000)).length, 0);
});

test('a stream that fails to inflate is charged what its bytes could have inflated to, not the whole cap', () => {
  // Four damaged streams of eight bytes used to spend the whole budget (16 MB each), and the page after them was lost.
  const corrupt = '<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 8 >>\nstream\n\x78\x9c\xff\xff\xff\xff\xff\xff\nendstream';
  const b = { left: 64 * 1024 * 1024, streams: 4096 };
  for (let i = 0; i < 10; i++) assert.equal(readStream(corrupt, b).length, 0);
  assert.ok(b.left > 63 * 1024 * 1024, `${b.left} left`);
  assert.equal(readStream(objectStream(8, [[1, '<< /A 1 >>']]), b).length, 1);
});

test('pages found in an object stream stand where the stream does; a missing object referenced with two generations gets no null', () => {
  const { cut } = pdf15();
  const later = `${cut}10 0 obj\n<< /Type /Page /Parent 4 0 R /Contents 6 0 R /Annots [12 0 R 12 1 R] >>\nendobj\n`;
  const r = rebuildPageTree(new Uint8Array(latin1(later)), 10)!;
  const t = tail(r.data, later.length);
  assert.match(t, /\/Kids \[2 0 R 3 0 R 10 0 R\]/);
  assert.doesNotMatch(t, /\n12 \d obj/);
});

/**
 * A fast-web-view file cut short: its first cross-reference stream survives and lists the page's second content
 * stream at an offset past the cut. pdf.js failed the whole page on that entry ("Bad (uncompressed) XRef entry"); the
 * object is now null, as a reference to a missing object reads, and the first content stream's text is read.
 */
function linearizedCut(): string {
  const head = '%PDF-1.5\n';
  const page = '1 0 obj\n<< /Type /Page /MediaBox [0 0 612 792] /Contents [2 0 R 4 0 R] /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>\nendobj\n';
  const text = 'BT /F1 24 Tf 72 700 Td (First contents survive) Tj ET';
  const body = `${page}2 0 obj\n<< /Length ${text.length} >>\nstream\n${text}\nendstream\nendobj\n`;
  // Entries for objects 0-4, [type, offset (4 bytes), generation (2 bytes)]: object 4, the second contents, at 900000.
  const entry = (type: number, offset: number, gen: number) => Buffer.from([type, offset >>> 24, (offset >>> 16) & 255, (offset >>> 8) & 255, offset & 255, gen >> 8, gen & 255]);
  const rows = Buffer.concat([entry(0, 0, 65535), entry(1, head.length, 0), entry(1, head.length + page.length, 0), entry(0, 0, 0), entry(1, 900_000, 0)]).toString('latin1');
  const xref = `3 0 obj\n<< /Type /XRef /W [1 4 2] /Index [0 5] /Size 5 /Length ${rows.length} >>\nstream\n${rows}\nendstream\nendobj\n`;
  return head + body + xref;
}

test('an object a surviving table lists past the cut is null: the rest of the page naming it is read', async () => {
  const pdf = linearizedCut();
  const t = tail(rebuildPageTree(new Uint8Array(latin1(pdf)), 10)!.data, pdf.length);
  assert.match(t, /^\n4 0 obj\nnull\nendobj\n5 0 obj\n<< \/Type \/Pages \/Kids \[1 0 R\]/);
  const file = path.join(TMP, 'linearized-cut.pdf');
  writeFileSync(file, latin1(pdf));
  const doc = await extractFile(file, { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(doc.sections.map((s) => s.text), ['First contents survive']);
});

test('no null objects while an object stream could not be read: its objects may still be found through a table', () => {
  const { cut } = pdf15();
  const unreadable = `${cut}${objectStream(10, [[11, '<< /A 1 >>']]).replace('/FlateDecode', '/LZWDecode')}12 0 obj\n<< /X 13 0 R >>\nendobj\n`;
  const t = tail(rebuildPageTree(new Uint8Array(latin1(unreadable)), 10)!.data, unreadable.length);
  assert.doesNotMatch(t, /\nnull\n/);
  const readable = `${cut}12 0 obj\n<< /X 13 0 R >>\nendobj\n`;
  assert.match(tail(rebuildPageTree(new Uint8Array(latin1(readable)), 10)!.data, readable.length), /\n13 0 obj\nnull\nendobj\n/);
});
