// Runs extractFile on every fixture in fixtures/docs and checks expected snippets and locations.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, defaultExtractOptions, closeExtractors, extractorVersions } from '../../src/extract/index.js';
import type { ExtractedDoc } from '../../src/pipeline/types.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = path.join(ROOT, 'fixtures/docs');
// Expected snippets live outside fixtures/ so that `docproc ingest fixtures` sees documents only.
const EXPECTED = path.join(ROOT, 'test/data/expected');
const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim();
const opts = { ...defaultExtractOptions };
const cache = new Map<string, Promise<ExtractedDoc>>();
const extract = (name: string) => {
  if (!cache.has(name)) cache.set(name, extractFile(path.join(DOCS, name), opts));
  return cache.get(name)!;
};
const sectionWith = (d: ExtractedDoc, s: string) => d.sections.find((x) => norm(x.text).includes(norm(s)));

after(() => closeExtractors());

const fixtures = readdirSync(DOCS).filter((f) => existsSync(path.join(EXPECTED, f + '.expected.txt')));

test('every fixture has an expected list', () => {
  assert.ok(fixtures.length >= 12, `found ${fixtures.length} fixtures`);
});

for (const f of fixtures) {
  test(`fixture ${f}: expected snippets`, async () => {
    const doc = await extract(f);
    const all = norm(doc.sections.map((s) => s.text).join('\n'));
    const snippets = readFileSync(path.join(EXPECTED, f + '.expected.txt'), 'utf8').split('\n').filter((l) => l.trim());
    for (const s of snippets) assert.ok(all.includes(norm(s)), `${f}: missing "${s}"\n--- got:\n${all.slice(0, 2000)}`);
    for (const s of doc.sections) {
      assert.equal(s.text, s.text.normalize('NFC'));
      assert.ok(!s.text.includes('\u0000'));
    }
    assert.ok(extractorVersions[doc.type], `no version for ${doc.type}`);
  });
}

test('pdf: one section per page with loc.page', async () => {
  const d = await extract('orbital-mechanics.pdf');
  assert.equal(d.type, 'pdf');
  assert.equal(d.pages, 3);
  assert.equal(d.pagesOcr, 0);
  assert.equal(sectionWith(d, 'Hohmann transfer uses two engine burns')?.loc.page, 2);
  assert.equal(sectionWith(d, 'Lagrange Points')?.loc.page, 3);
});

test('scanned pdf: OCR fills the page without a text layer', async () => {
  const d = await extract('scanned-notice.pdf');
  assert.equal(d.pagesOcr, 1);
  assert.equal(sectionWith(d, 'WATER MAIN REPAIR')?.loc.page, 1);
});

test('scanned pdf with ocr off: empty + warning', async () => {
  const d = await extractFile(path.join(DOCS, 'scanned-notice.pdf'), { ...opts, ocr: false });
  assert.equal(d.sections.length, 0);
  assert.deepEqual(d.warnings, ['no text layer on 1 page; OCR disabled']);
});

test('markdown: headings become loc.heading, code fences are not headings', async () => {
  const d = await extract('sourdough.md');
  assert.equal(sectionWith(d, 'stretch-and-folds')?.loc.heading, 'Bulk Fermentation');
  assert.equal(sectionWith(d, 'Dutch oven')?.loc.heading, 'Baking');
  assert.ok(!d.sections.some((s) => s.loc.heading?.includes('not a heading')));
  assert.deepEqual(sectionWith(d, 'rye flour')?.loc, { heading: 'Feeding the Starter', line: 5 });
});

test('docx: headings and tables', async () => {
  const d = await extract('beekeeping.docx');
  assert.equal(sectionWith(d, 'Queen cells along the bottom')?.loc.heading, 'Swarm Control');
  assert.equal(sectionWith(d, 'mouse guard')?.loc.heading, 'Winter Preparation');
});

test('xlsx: per sheet, header applied, empty sheet skipped', async () => {
  const d = await extract('kayak-rentals.xlsx');
  assert.equal(sectionWith(d, 'Lake Bohinj')?.loc.sheet, 'Locations');
  assert.equal(sectionWith(d, 'Tandem kayak')?.loc.sheet, 'Prices');
  assert.ok(!d.sections.some((s) => s.loc.sheet === 'Empty'));
});

test('xlsb (the binary workbook): detected from its package, read like the xlsx it was saved from', async () => {
  const XLSX = await import('@e965/xlsx');
  const xlsb = path.join(tempDir('docproc-xlsb-'), 'kayak-rentals.xlsb');
  writeFileSync(xlsb, XLSX.write(XLSX.read(readFileSync(path.join(DOCS, 'kayak-rentals.xlsx'))), { bookType: 'xlsb', type: 'buffer' }));
  const d = await extractFile(xlsb, opts);
  assert.equal(d.type, 'xlsb');
  assert.equal(sectionWith(d, 'Lake Bohinj')?.loc.sheet, 'Locations');
  assert.equal(sectionWith(d, 'Tandem kayak')?.loc.sheet, 'Prices');
});

test('xls saved by Excel 2.x to 4.0 (a bare BIFF stream, no OLE2 container) is detected and read', async () => {
  const XLSX = await import('@e965/xlsx');
  const dir = tempDir('docproc-biff-');
  const book = XLSX.read(readFileSync(path.join(DOCS, 'kayak-rentals.xlsx')));
  // SheetJS writes Excel 3 and 4 streams too, though its typings name only biff2.
  const write = (bookType: string) => XLSX.write(book, { bookType, type: 'buffer' } as unknown as Parameters<typeof XLSX.write>[1]);
  for (const bookType of ['biff2', 'biff3', 'biff4']) {
    const file = path.join(dir, `${bookType}.xls`);
    writeFileSync(file, write(bookType));
    const d = await extractFile(file, opts);
    assert.equal(d.type, 'xls', bookType);
    assert.ok(sectionWith(d, 'Tandem kayak'), bookType);
  }
});

test('spreadsheet cell comments are read after their sheet\'s rows, named by cell (xlsx and xls)', async () => {
  const XLSX = await import('@e965/xlsx');
  const dir = tempDir('docproc-comments-');
  const ws = XLSX.utils.aoa_to_sheet([['Boat', 'Hours'], ['Tandem kayak', 4]]);
  ws['B2']!.c = [{ a: 'Ines', t: 'Includes the sunset trip on Friday' }];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, ws, 'Log');
  for (const bookType of ['xlsx', 'xls'] as const) {
    const file = path.join(dir, `log.${bookType}`);
    writeFileSync(file, XLSX.write(book, { bookType, type: 'buffer' }));
    const d = await extractFile(file, opts);
    const notes = sectionWith(d, 'sunset trip');
    assert.equal(notes?.loc.sheet, 'Log', bookType);
    assert.match(notes!.text, /^Comments\nB2: (Ines:\n)?Includes the sunset trip on Friday$/, bookType);
  }
});

// shapes.xls: LibreOffice's Excel 97 export of shapes.fods beside it (`soffice --headless --convert-to xls shapes.fods`).
test('xls: text boxes and shapes are read before the sheet\'s rows, its note once, after them', async () => {
  const d = await extractFile(path.join(ROOT, 'test/data/xls/shapes.xls'), opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.sheet, s.text]), [
    ['Harvest', 'Quince yields fell after the late frost\nOrchard manager: Ilse Varga'],
    ['Harvest', 'Fruit | Crates\nFruit: Quince; Crates: 12'],
    ['Harvest', 'Comments\nB2: Counted by hand on Friday'],
  ]);
});

test('pptx: slides, table, notes', async () => {
  const d = await extract('volcanoes.pptx');
  assert.equal(sectionWith(d, 'Viscous andesitic magma')?.loc.slide, 1);
  assert.equal(sectionWith(d, 'tenfold increase')?.loc.slide, 2);
  assert.equal(d.pages, 2);
});

test('html: charset, scripts dropped, headings', async () => {
  const d = await extract('bird-migration-cp1252.html');
  const all = d.sections.map((s) => s.text).join('\n');
  assert.ok(!all.includes('must not be extracted'));
  assert.ok(!all.includes('color: #333'));
  assert.equal(sectionWith(d, '25 € per day')?.loc.heading, 'Observers’ costs');
  const u = await extract('ferry-timetable-utf16.html');
  assert.equal(sectionWith(u, 'Kirkwall')?.loc.heading, 'Island Ferry Timetable');
});

test('csv: delimiter, quoted field, row numbers', async () => {
  const d = await extract('cheese-inventory.csv');
  assert.equal(sectionWith(d, 'Comté')?.loc.line, 1);
  assert.ok(norm(d.sections.map((s) => s.text).join('\n')).includes('Cheese: Manchego; Origin: La Mancha, Spain'));
});

test('image: OCR of a rotated, noisy photo', async () => {
  const d = await extract('garden-rules.jpg');
  assert.equal(d.type, 'jpeg');
  assert.equal(d.pagesOcr, 1);
});
