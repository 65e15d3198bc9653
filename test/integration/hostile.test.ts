// Hostile inputs through the real ExtractPool + extractors: each ends in a bounded, reported status; good files still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError } from '../../src/errors.js';
// options.js, not index.js: keeps the extractors out of the parent, whose memory is asserted on.
import { defaultExtractOptions } from '../../src/extract/options.js';
import { ExtractPool, type ExtractOutcome } from '../../src/extract/pool.js';
import * as F from '../helpers/hostile-fixtures.js';

type Status = 'ok' | FileError['status'];
interface Case {
  file: string;
  make: (path: string) => Promise<unknown>;
  /** Outcomes that count as handled; anything else (or a crash) fails the test. */
  accept: Status[];
  /** Checks on the text when the file was extracted. */
  text?: (t: string) => void;
  warning?: RegExp;
  limitMs?: number;
}

const MAX_RSS_MB = 1536;
// Detection may already refuse a bomb and call it a plain (unsupported) zip: safe, if not the clearest reason.
const BOMB: Status[] = ['failed', 'skipped', 'quarantined'];
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

const hostile: Case[] = [
  { file: 'zip-bomb.docx', make: (p) => F.writeFile(p, F.buildZip(swap(F.docxEntries(F.docxBody('x')), 'word/document.xml', { raw: zeros }))), accept: BOMB },
  { file: 'zip-bomb-lying.xlsx', make: (p) => F.writeFile(p, F.buildZip(swap(F.xlsxEntries(sheetWithSst), 'xl/worksheets/sheet1.xml', { raw: zeros, declaredSize: 1000 }))), accept: BOMB },
  { file: 'zip-bomb-lying.pptx', make: (p) => F.writeFile(p, F.buildZip(swap(F.pptxEntries(F.slideXml('x')), 'ppt/slides/slide1.xml', { raw: zeros, declaredSize: 5000 }))), accept: BOMB },
  { file: 'overlap.docx', make: (p) => F.writeFile(p, overlapped(F.docxEntries(bigPart(F.docxBody)), 'word/document.xml')), accept: BOMB },
  { file: 'overlap.xlsx', make: (p) => F.writeFile(p, overlapped(F.xlsxEntries(sheetWithSst, bigPart(SST)), 'xl/sharedStrings.xml')), accept: BOMB },
  { file: 'overlap.pptx', make: (p) => F.writeFile(p, overlapped(F.pptxEntries(bigPart(F.slideXml)), 'ppt/slides/slide1.xml')), accept: BOMB },
  { file: 'laughs.xml', make: write(`<?xml version="1.0"?>${F.laughsDoctype('lolz')}<lolz>&lol10;</lolz>`), accept: ['ok', 'failed', 'skipped', 'empty', 'quarantined'], text: noBigLaughs },
  { file: 'laughs.docx', make: (p) => F.writeFile(p, F.buildZip(F.docxEntries(F.docxBody('&lol10;', F.laughsDoctype('w:document'))))), accept: ['ok', 'failed', 'skipped', 'empty', 'quarantined'], text: noBigLaughs },
  { file: 'laughs.xlsx', make: (p) => F.writeFile(p, F.buildZip(F.xlsxEntries(sheetWithSst, SST('&lol10;', F.laughsDoctype('sst'))))), accept: ['ok', 'failed', 'skipped', 'empty', 'quarantined'], text: noBigLaughs },
  { file: 'laughs.pptx', make: (p) => F.writeFile(p, F.buildZip(F.pptxEntries(F.slideXml('&lol10;', F.laughsDoctype('p:sld'))))), accept: ['ok', 'failed', 'skipped', 'empty', 'quarantined'], text: noBigLaughs },
  { file: 'xxe.xml', make: write(`<?xml version="1.0"?>${F.XXE_DOCTYPE('r')}<r>before &xxe; after</r>`), accept: ['ok', 'failed', 'skipped', 'empty'], text: noPasswd },
  { file: 'xxe.docx', make: (p) => F.writeFile(p, F.buildZip(F.docxEntries(F.docxBody('before &xxe; after', F.XXE_DOCTYPE('w:document'))))), accept: ['ok', 'failed', 'skipped', 'empty'], text: noPasswd },
  { file: 'xxe.xlsx', make: (p) => F.writeFile(p, F.buildZip(F.xlsxEntries(sheetWithSst, SST('before &xxe; after', F.XXE_DOCTYPE('sst'))))), accept: ['ok', 'failed', 'skipped', 'empty'], text: noPasswd },
  { file: 'xxe.pptx', make: (p) => F.writeFile(p, F.buildZip(F.pptxEntries(F.slideXml('before &xxe; after', F.XXE_DOCTYPE('p:sld'))))), accept: ['ok', 'failed', 'skipped', 'empty'], text: noPasswd },
  { file: 'huge-dims.png', make: write(F.pngHeader(40000, 40000)), accept: ['failed', 'skipped', 'empty', 'ok'], text: (t) => assert.equal(t, '') },
  {
    file: 'sparse.xlsx',
    make: (p) => F.writeFile(p, F.buildZip(F.xlsxEntries(F.sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>hello</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>world</t></is></c></row>', 'A1:XFD1048576')))),
    accept: ['ok', 'failed', 'skipped'],
    text: (t) => { assert.match(t, /hello/); assert.ok(t.length < 10_000, `sparse sheet blew up to ${t.length} chars`); },
  },
  { file: 'pages-loop.pdf', make: write(F.pdfSelfRefPages()), accept: ['ok', 'failed', 'empty'], limitMs: 30_000 },
  { file: 'pages-count.pdf', make: write(F.pdfHugeCount()), accept: ['ok', 'failed', 'empty'], text: (t) => assert.match(t, /Only page/), limitMs: 30_000 },
  {
    file: 'huge-line.txt',
    make: (p) => F.writeHugeLine(p, 200 * 1024 * 1024),
    accept: ['ok'],
    warning: /truncat/,
    text: (t) => assert.ok(t.length > 0 && t.length <= defaultExtractOptions.maxChars, `${t.length} chars`),
  },
];

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
    assert.ok(c.accept.includes(d.status), `${c.file}: unexpected ${d.status} ${d.reason}`);
    if (d.status !== 'ok') assert.ok(d.reason.length > 0, 'a failure must carry a reason');
    if (d.status === 'quarantined') assert.match(d.reason, /^(timeout|memory)/, 'a crash is not an acceptable way to handle input');
    if (d.status === 'ok' && c.text) c.text(d.text);
    if (d.status === 'ok' && c.warning) assert.ok(d.warnings.some((w) => c.warning!.test(w)), `no warning ${c.warning}`);
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
  assert.ok(!(await inFlight).ok);
});
