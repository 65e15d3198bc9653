// Hostile inputs through the real ExtractPool + extractors: each ends in a bounded, reported status; good files still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError } from '../../src/errors.js';
// options.js, not index.js: keeps the extractors out of the parent, whose memory is asserted on.
import { defaultExtractOptions } from '../../src/extract/options.js';
import { ExtractPool, type ExtractOutcome } from '../../src/extract/pool.js';
import * as F from '../helpers/hostile-fixtures.js';
import * as O from '../helpers/ole-hostile.js';
import { parseCfb, rootEntry } from '../../src/extract/cfb.js';
import { writeCfb, type CfbTree } from '../../src/extract/cfb-write.js';

type Status = 'ok' | FileError['status'];
/** The one outcome each input has: extracted ('ok'), or a status and the start of its reason. */
type Expect = 'ok' | { status: FileError['status']; reason: RegExp };
interface Case {
  file: string;
  make: (path: string) => Promise<unknown>;
  expect: Expect;
  /** Checks on the text when the file was extracted. */
  text?: (t: string) => void;
  warning?: RegExp;
  limitMs?: number;
}

const MAX_RSS_MB = 1536;
const PPT = 'test/data/ppt/lighthouse-rota.ppt';
const bomb = (reason: RegExp): Expect => ({ status: 'failed', reason });
const TIMEOUT_MS = 60_000;
let dir = '';
let cleanup = async () => {};
let zeros: Awaited<ReturnType<typeof F.deflatedZeros>>;
const pool = new ExtractPool({
  size: 2,
  timeoutMs: TIMEOUT_MS,
  maxMemoryMB: 1024,
  // Large enough that the 200 MB line reaches the text extractor instead of being skipped for size.
  extractOptions: { ...defaultExtractOptions, maxFileBytes: 300 * 1024 * 1024 },
});
const summary: string[] = [];

before(async () => {
  ({ dir, cleanup } = await F.makeTmpDir());
  zeros = await F.deflatedZeros(2 * 1024 ** 3);
});
after(async () => {
  await pool.close();
  await cleanup();
  process.stderr.write(`hostile summary (peak child RSS ${Math.round(pool.peakChildRssMB)} MB):\n${summary.join('\n')}\n`);
});

const write = (data: Buffer | string) => (p: string) => F.writeFile(p, data);
const swap = (entries: F.ZipEntry[], name: string, e: Partial<F.ZipEntry>) => entries.map((x) => (x.name === name ? { ...x, ...e, data: undefined } : x));
const noBigLaughs = (t: string) => assert.ok(t.length < 100_000 && !/(lol){1000}/.test(t), `entities expanded: ${t.length} chars`);
const noPasswd = (t: string) => assert.doesNotMatch(t, /root:.*:0:0/, 'XXE leaked /etc/passwd');
const overlapped = (entries: F.ZipEntry[], part: string) => {
  // One ~1 MB part referenced by 600 extra central-directory records: 600 MB from a ~2 MB file.
  const idx = entries.findIndex((e) => e.name === part);
  return F.buildZip(entries, Array.from({ length: 600 }, (_, i) => ({ name: `media/image${i}.png`, sameAs: idx })));
};
const bigPart = (wrap: (s: string) => string) => wrap(randomBytes(512 * 1024).toString('hex'));
const SST = (s: string, prolog = '') => `<?xml version="1.0" encoding="UTF-8"?>${prolog}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>${s}</t></si></sst>`;
const sheetWithSst = F.sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>');

// A part that inflates to 2 GB while its directory record claims 1,000 bytes: what mammoth and SheetJS would inflate.
const lyingPart = (name: string) => ({ name, raw: zeros, declaredSize: 1000 });
const LYING = (part: string) => new RegExp(`^zip-bomb: entry ${part.replace(/[.[\]]/g, '\\$&')} inflates past its declared 1000 bytes$`);
const OVERLAP = (part: string) => new RegExp(`^zip-bomb: entries ${part.replace(/\./g, '\\.')} and media/image0\\.png overlap$`);

const hostile: Case[] = [
  { file: 'zip-bomb.docx', make: (p) => F.writeFile(p, F.buildZip(swap(F.docxEntries(F.docxBody('x')), 'word/document.xml', { raw: zeros }))), expect: bomb(/^zip-bomb: entry word\/document\.xml ratio \d+ > 100$/) },
  { file: 'zip-bomb-lying.xlsx', make: (p) => F.writeFile(p, F.buildZip(swap(F.xlsxEntries(sheetWithSst), 'xl/worksheets/sheet1.xml', { raw: zeros, declaredSize: 1000 }))), expect: bomb(LYING('xl/worksheets/sheet1.xml')) },
  { file: 'zip-bomb-lying.pptx', make: (p) => F.writeFile(p, F.buildZip(swap(F.pptxEntries(F.slideXml('x')), 'ppt/slides/slide1.xml', { raw: zeros, declaredSize: 5000 }))), expect: bomb(/^zip-bomb: entry ppt\/slides\/slide1\.xml inflates past its declared 5000 bytes$/) },
  // The main part is fine; a part only mammoth or SheetJS reads is the bomb.
  { file: 'bomb-styles.docx', make: (p) => F.writeFile(p, F.buildZip([...F.docxEntries(F.docxBody('x')), lyingPart('word/styles.xml')])), expect: bomb(LYING('word/styles.xml')) },
  { file: 'bomb-numbering.docx', make: (p) => F.writeFile(p, F.buildZip([...F.docxEntries(F.docxBody('x')), lyingPart('word/numbering.xml')])), expect: bomb(LYING('word/numbering.xml')) },
  // Pictures and embedded objects are never inflated (no text comes from them): a lying or 2 GB one cannot hurt, and a
  // chart's EMF preview (ratio 130-670 in real files) no longer fails its document as a bomb.
  { file: 'bomb-media.docx', make: (p) => F.writeFile(p, F.buildZip([...F.docxEntries(F.docxBody('Text beside a lying picture')), lyingPart('word/media/image1.png')])), expect: 'ok', text: (t) => assert.match(t, /Text beside a lying picture/) },
  { file: 'huge-emf.docx', make: (p) => F.writeFile(p, F.buildZip([...F.docxEntries(F.docxBody('Text beside a chart preview')), { name: 'word/media/image1.emf', raw: zeros }])), expect: 'ok', text: (t) => assert.match(t, /Text beside a chart preview/) },
  { file: 'huge-emf.xlsx', make: (p) => F.writeFile(p, F.buildZip([...F.xlsxEntries(sheetWithSst), { name: 'xl/media/image1.emf', raw: zeros }])), expect: 'ok' },
  { file: 'huge-emf.pptx', make: (p) => F.writeFile(p, F.buildZip([...F.pptxEntries(F.slideXml('Slide beside a chart preview')), { name: 'ppt/media/image1.emf', raw: zeros }])), expect: 'ok', text: (t) => assert.match(t, /Slide beside a chart preview/) },
  { file: 'bomb-sst.xlsx', make: (p) => F.writeFile(p, F.buildZip([...F.xlsxEntries(sheetWithSst), lyingPart('xl/sharedStrings.xml')])), expect: bomb(LYING('xl/sharedStrings.xml')) },
  { file: 'bomb-styles.xlsx', make: (p) => F.writeFile(p, F.buildZip([...F.xlsxEntries(sheetWithSst, SST('v')), lyingPart('xl/styles.xml')])), expect: bomb(LYING('xl/styles.xml')) },
  { file: 'overlap.docx', make: (p) => F.writeFile(p, overlapped(F.docxEntries(bigPart(F.docxBody)), 'word/document.xml')), expect: bomb(OVERLAP('word/document.xml')) },
  { file: 'overlap.xlsx', make: (p) => F.writeFile(p, overlapped(F.xlsxEntries(sheetWithSst, bigPart(SST)), 'xl/sharedStrings.xml')), expect: bomb(OVERLAP('xl/sharedStrings.xml')) },
  { file: 'overlap.pptx', make: (p) => F.writeFile(p, overlapped(F.pptxEntries(bigPart(F.slideXml)), 'ppt/slides/slide1.xml')), expect: bomb(OVERLAP('ppt/slides/slide1.xml')) },
  { file: 'laughs.xml', make: write(`<?xml version="1.0"?>${F.laughsDoctype('lolz')}<lolz>&lol10;</lolz>`), expect: 'ok', text: noBigLaughs },
  // mammoth's own XML parser refuses the undeclared entity once the DOCTYPE is gone.
  { file: 'laughs.docx', make: (p) => F.writeFile(p, F.buildZip(F.docxEntries(F.docxBody('&lol10;', F.laughsDoctype('w:document'))))), expect: { status: 'failed', reason: /^corrupt: docx: .*entity not found:&lol10;/ } },
  { file: 'laughs.xlsx', make: (p) => F.writeFile(p, F.buildZip(F.xlsxEntries(sheetWithSst, SST('&lol10;', F.laughsDoctype('sst'))))), expect: 'ok', text: noBigLaughs },
  { file: 'laughs.pptx', make: (p) => F.writeFile(p, F.buildZip(F.pptxEntries(F.slideXml('&lol10;', F.laughsDoctype('p:sld'))))), expect: 'ok', text: noBigLaughs },
  { file: 'xxe.xml', make: write(`<?xml version="1.0"?>${F.XXE_DOCTYPE('r')}<r>before &xxe; after</r>`), expect: 'ok', text: noPasswd },
  { file: 'xxe.docx', make: (p) => F.writeFile(p, F.buildZip(F.docxEntries(F.docxBody('before &xxe; after', F.XXE_DOCTYPE('w:document'))))), expect: { status: 'failed', reason: /^corrupt: docx: .*entity not found:&xxe;/ } },
  { file: 'xxe.xlsx', make: (p) => F.writeFile(p, F.buildZip(F.xlsxEntries(sheetWithSst, SST('before &xxe; after', F.XXE_DOCTYPE('sst'))))), expect: 'ok', text: noPasswd },
  { file: 'xxe.pptx', make: (p) => F.writeFile(p, F.buildZip(F.pptxEntries(F.slideXml('before &xxe; after', F.XXE_DOCTYPE('p:sld'))))), expect: 'ok', text: noPasswd },
  { file: 'huge-dims.png', make: write(F.pngHeader(40000, 40000)), expect: { status: 'failed', reason: /^image-too-large: png: 40000x40000 = 1600000000 pixels > 50000000$/ } },
  {
    file: 'sparse.xlsx',
    make: (p) => F.writeFile(p, F.buildZip(F.xlsxEntries(F.sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>hello</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>world</t></is></c></row>', 'A1:XFD1048576')))),
    expect: { status: 'failed', reason: /^too-large: every non-empty sheet exceeds maxCells 2000000$/ },
  },
  // Its page tree holds itself: no page can be reached through it, so the tree is rebuilt from the page objects.
  {
    file: 'pages-loop.pdf', make: write(F.pdfSelfRefPages()), expect: 'ok', limitMs: 30_000,
    warning: /^damaged PDF \(no readable page \(page 1: .*circular reference.*\)\): read through a page tree rebuilt from the 1 page object found/,
    text: (t) => assert.equal(t, 'Loop'),
  },
  // Cut short inside a picture after its document part: the directory is gone; the document is read.
  {
    file: 'cut-short.docx', make: write(F.buildZip([...F.docxEntries(F.docxBody('Read before the cut')), { name: 'word/media/image1.png', data: randomBytes(3000) }]).subarray(0, -2000)), expect: 'ok',
    warning: /^damaged zip \(End of central directory record signature not found\..*\): read through the 3 entries found whole before the damage; what followed is missing$/,
    text: (t) => assert.equal(t, 'Read before the cut'),
  },
  // Cut short inside its third page: the page tree, catalog and cross-references are gone; two pages are read.
  {
    file: 'cut-short.pdf', make: write(F.pdfCutShort()), expect: 'ok',
    warning: /^damaged PDF \(Invalid PDF structure\.\): read through a page tree rebuilt from the 3 page objects found, in the file's order; pages the damage took are missing$/,
    text: (t) => assert.equal(t, 'First page survives\nSecond page survives'),
  },
  // No page objects to rebuild from: as corrupt as before.
  { file: 'no-pages.pdf', make: write('%PDF-1.4\n1 0 obj\n<< /Producer (nothing else) >>\nendobj\n'), expect: { status: 'failed', reason: /^corrupt: invalid PDF: Invalid PDF structure\.$/ } },
  { file: 'pages-count.pdf', make: write(F.pdfHugeCount()), expect: 'ok', text: (t) => assert.match(t, /Only page/), limitMs: 30_000 },
  // Drawn-twice detection once compared each run with every earlier run of its string: 19 s here, growing as its square.
  { file: 'many-runs.pdf', make: write(F.pdfManyRuns()), expect: 'ok', text: (t) => assert.equal(t.match(/a/g)?.length, 316 * 316), limitMs: 60_000 },
  // Its image is left out of the page's rendering, with a warning; the page's own word still counts.
  { file: 'huge-image.pdf', make: write(F.pdfHugeImage()), expect: 'ok', warning: /^page 1: 1 image over 40 megapixels left out of OCR \(a larger workerMemoryMB reads more\)$/, text: (t) => assert.match(t, /Scan/) },
  // 80,000 fields and list labels after 1 MB of text: each field's code was taken out of the body by copying it.
  { file: 'many-fields.rtf', make: write(`{\\rtf1 ${'x'.repeat(1_000_000)}${'{\\field{\\*\\fldinst HYPERLINK "https://example.com"}{\\fldrslt link}}{\\listtext 1.\\tab}'.repeat(80_000)}}`), expect: 'ok', text: (t) => assert.equal(t.match(/link/g)?.length, 80_000), limitMs: 60_000 },
  // A mailbox of 200,000 empty messages, and one whose only separator-like line is 5 MB long with no date in it.
  { file: 'many-messages.mbox', make: write(`${'From a Mon Jun  1 00:00:00 2026\n\n'.repeat(200_000)}From a Mon Jun  1 00:00:00 2026\nSubject: last\n\nThe last message survives\n`), expect: 'ok', text: (t) => assert.match(t, /The last message survives/) },
  { file: 'long-separator.mbox', make: write(`From ${'x'.repeat(5_000_000)}\nSubject: s\n\nBody after a long line\n`), expect: 'ok', text: (t) => assert.match(t, /Body after a long line/) },
  // OLE2 (.msg, .doc): every chain and directory link is checked before msgreader / word-extractor, which would loop.
  ...oleCases('msg', 'harbour-festival.msg', '__substg1.0_1000001F'),
  ...oleCases('doc', 'parish-newsletter.doc', 'WordDocument'),
  ...oleCases('ppt', PPT, 'PowerPoint Document'),
  { file: 'word6-bad-pieces.doc', make: write(readFileSync(join(O.ROOT, 'test/data/doc/word6-bad-pieces.doc'))), expect: { status: 'failed', reason: /^corrupt: doc: Word 6 piece table lies outside the file$/ } },
  // A document embedded in a document embedded in ... twelve deep: read to the attachment depth limit, then listed.
  { file: 'nested-objects.doc', make: write(nestedObjects(12)), expect: 'ok', warning: /^attachment .*: not read: nested deeper than 5 levels$/, text: (t) => assert.match(t, /See the attached notes\.[^]*See the attached notes\./) },
  {
    file: 'huge-line.txt',
    make: (p) => F.writeHugeLine(p, 200 * 1024 * 1024),
    expect: 'ok',
    warning: /truncat/,
    text: (t) => assert.ok(t.length > 0 && t.length <= defaultExtractOptions.maxChars, `${t.length} chars`),
  },
];

/** A Word 6 document whose ObjectPool holds a Word 6 document whose ObjectPool holds ..., `depth` levels. */
function nestedObjects(depth: number): Buffer {
  const src = parseCfb(readFileSync(join(O.ROOT, 'test/data/doc/word6-objects.doc')));
  const word = src.read(rootEntry(src, 'WordDocument')!);
  let tree: CfbTree = new Map([['WordDocument', word]]);
  for (let i = 0; i < depth; i++) tree = new Map<string, Buffer | CfbTree>([['WordDocument', word], ['ObjectPool', new Map([[`_${i + 1}`, tree]])]]);
  return writeCfb(tree)!;
}

/** The four broken compound files, made from a fixture (a name under fixtures/docs, or a path from the repo root). */
function oleCases(type: string, fixture: string, stream: string): Case[] {
  const src = () => (fixture.includes('/') ? readFileSync(join(O.ROOT, fixture)) : O.fixture(fixture));
  const corrupt = (detail: string) => ({ status: 'failed' as const, reason: new RegExp(`^corrupt: ${type}: OLE2 ${detail}$`) });
  const size = () => src().length;
  return [
    { file: `truncated.${type}`, make: (p) => F.writeFile(p, O.truncated(src(), 6000)), expect: corrupt('truncated: (FAT sector \\d+|sector \\d+ of the directory) lies past the end of the file \\(6000 bytes\\)') },
    { file: `fat-loop.${type}`, make: (p) => F.writeFile(p, O.fatLoop(src()).data), expect: corrupt(`sector chain loop: sector ${O.fatLoop(src()).sector} repeats in the chain of the directory`) },
    { file: `directory-loop.${type}`, make: (p) => F.writeFile(p, O.directoryLoop(src()).data), expect: corrupt(`directory loop: entry ${O.directoryLoop(src()).id} \\('[^']+'\\) is reached twice`) },
    { file: `huge-stream.${type}`, make: (p) => F.writeFile(p, O.hugeStream(src(), stream)), expect: corrupt(`stream '${stream}' declares 4294967280 bytes in a ${size()}-byte file`) },
  ];
}

function describe(o: ExtractOutcome): { status: Status; reason: string; text: string; warnings: string[] } {
  if (o.ok) return { status: 'ok', reason: '', text: o.doc.sections.map((s) => s.text).join('\n'), warnings: o.doc.warnings };
  const status = o.error instanceof FileError ? o.error.status : 'failed';
  return { status, reason: o.error.message, text: '', warnings: [] };
}

for (const c of hostile) {
  test(`hostile: ${c.file}`, async () => {
    const path = join(dir, c.file);
    await c.make(path);
    const t0 = Date.now();
    const out = await pool.extractWithStats(path);
    const ms = Date.now() - t0;
    await rm(path, { force: true }); // the 200 MB file must not outlive its test
    const d = describe(out);
    summary.push(`  ${c.file}: ${d.status} ${d.reason} ${ms}ms ${out.peakRssMB}MB${d.warnings.length ? ` [${d.warnings.join('; ')}]` : ''}`);
    if (c.expect === 'ok') {
      assert.equal(d.status, 'ok', `${c.file}: ${d.reason}`);
      c.text?.(d.text);
      if (c.warning) assert.ok(d.warnings.some((w) => c.warning!.test(w)), `no warning ${c.warning}`);
    } else {
      assert.equal(d.status, c.expect.status, `${c.file}: ${d.status} ${d.reason}`);
      assert.match(d.reason, c.expect.reason);
    }
    assert.ok(ms < (c.limitMs ?? TIMEOUT_MS + 5000), `${ms} ms`);
    assert.ok(out.peakRssMB < MAX_RSS_MB, `child peak RSS ${out.peakRssMB} MB`);
    assert.ok(process.memoryUsage().rss / 2 ** 20 < MAX_RSS_MB, 'parent RSS unbounded');
  });
}

const good: { file: string; make: (p: string) => Promise<unknown>; expect: RegExp }[] = [
  { file: 'good.txt', make: write('Plain good text, still fine.\n'), expect: /Plain good text/ },
  { file: 'good.docx', make: (p) => F.writeFile(p, F.buildZip(F.docxEntries(F.docxBody('Good docx paragraph')))), expect: /Good docx paragraph/ },
  { file: 'good.xlsx', make: (p) => F.writeFile(p, F.buildZip(F.xlsxEntries(sheetWithSst, SST('Good cell value')))), expect: /Good cell value/ },
  { file: 'good.pptx', make: (p) => F.writeFile(p, F.buildZip(F.pptxEntries(F.slideXml('Good slide title')))), expect: /Good slide title/ },
  { file: 'good.pdf', make: write(F.pdfGood()), expect: /Hello from a good PDF/ },
  { file: 'good.msg', make: write(O.fixture('harbour-festival.msg')), expect: /The harbour festival opens on Saturday/ },
  { file: 'good.doc', make: write(O.fixture('parish-newsletter.doc')), expect: /The bell tower scaffolding comes down in April/ },
  { file: 'good.ppt', make: write(readFileSync(join(O.ROOT, PPT))), expect: /Remind the keepers about the new paraffin store/ },
];

test('good files still extract after the hostile ones, also while a bomb is in flight', async () => {
  const bomb = join(dir, 'again.xlsx');
  await F.writeFile(bomb, F.buildZip(swap(F.xlsxEntries(sheetWithSst), 'xl/worksheets/sheet1.xml', { raw: zeros, declaredSize: 1000 })));
  const inFlight = pool.extractWithStats(bomb);
  for (const g of good) {
    const path = join(dir, g.file);
    await g.make(path);
    const out = await pool.extractWithStats(path);
    assert.ok(out.ok, `${g.file}: ${out.ok ? '' : out.error.message}`);
    assert.match(out.doc.sections.map((s) => s.text).join('\n'), g.expect);
  }
  const bombed = describe(await inFlight);
  assert.equal(bombed.status, 'failed', bombed.reason);
  assert.match(bombed.reason, LYING('xl/worksheets/sheet1.xml'));
});
