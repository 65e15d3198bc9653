// XPS packages through the real extractor: UTF-16 pages, glyph runs placed through canvas transforms and read by the
// PDF layout (columns, a running footer once, words split over runs), documents and pages in sequence order,
// interleaved pieces, turned text after its page, and a lying page refused before it is parsed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildZip, type ZipEntry } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';
import { FileError } from '../../src/errors.js';

const TMP = tempDir('docproc-xps-');
const opts = { ...defaultExtractOptions, ocr: false };
after(() => closeExtractors());

const NS = 'xmlns="http://schemas.microsoft.com/xps/2005/06"';
const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
/** A glyph run at (x, y) in 10-pt type, each glyph 0.5 em wide (Indices gives the advances, as XPS writers do). */
const glyphs = (text: string, x: number, y: number, extra = '') =>
  `<Glyphs FontUri="/f.odttf" FontRenderingEmSize="10" OriginX="${x}" OriginY="${y}" UnicodeString="${text}" Indices="${[...text].map(() => '1,50').join(';')}"${extra}/>`;
const page = (body: string) => `<FixedPage ${NS} Width="816" Height="1056">${body}</FixedPage>`;

function xpsEntries(docs: Record<string, string>[], o: { utf16Pages?: boolean } = {}): ZipEntry[] {
  const entries: ZipEntry[] = [
    { name: '[Content_Types].xml', data: '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="fdseq" ContentType="application/vnd.ms-package.xps-fixeddocumentsequence+xml"/></Types>' },
    { name: '_rels/.rels', data: '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R0" Type="http://schemas.microsoft.com/xps/2005/06/fixedrepresentation" Target="/Seq.fdseq"/></Relationships>' },
    // Documents listed in another order than their folders' numbers: the sequence decides.
    { name: 'Seq.fdseq', data: `<FixedDocumentSequence ${NS}>${docs.map((_, i) => `<DocumentReference Source="/Documents/${docs.length - i}/Doc.fdoc"/>`).join('')}</FixedDocumentSequence>` },
  ];
  docs.forEach((pages, i) => {
    const dir = `Documents/${docs.length - i}`;
    entries.push({ name: `${dir}/Doc.fdoc`, data: `<FixedDocument ${NS}>${Object.keys(pages).map((p) => `<PageContent Source="Pages/${p}.fpage"/>`).join('')}</FixedDocument>` });
    for (const [name, body] of Object.entries(pages)) entries.push({ name: `${dir}/Pages/${name}.fpage`, data: o.utf16Pages ? utf16(page(body)) : page(body) });
  });
  return entries;
}

function write(name: string, entries: ZipEntry[]): string {
  const file = path.join(TMP, name);
  writeFileSync(file, buildZip(entries));
  return file;
}

const LEFT = ['Ferries leave the', 'island at six in', 'the morning and', 'come back from the', 'mainland at ten', 'past seven.'];
const RIGHT = ['Freight goes on', 'the evening boat', 'every weekday', 'and on Saturday', 'mornings before', 'the market.'];

test('an XPS document: UTF-16 pages read column by column through canvas transforms, a running footer once, sequence order', async () => {
  // Written row by row across both columns, as a print driver emits them; the canvas scales points to XPS units.
  const columns = (left: string[], right: string[]) =>
    `<Canvas RenderTransform="1.3333,0,0,1.3333,0,0">${left.map((l, i) => glyphs(l, 72, 100 + 14 * i) + glyphs(right[i] ?? '', 180, 100 + 14 * i)).join('')}</Canvas>`;
  const footer = glyphs('Harbour authority annual report', 200, 760);
  const file = write('report.xps', xpsEntries([
    { 1: columns(LEFT, RIGHT) + footer },
    {
      1: `<Canvas><Canvas.RenderTransform><MatrixTransform Matrix="1,0,0,1,0,40"/></Canvas.RenderTransform>${glyphs('{}{Tides} &amp; weather', 72, 100)}</Canvas>` +
        glyphs('Ferry', 72, 200) + glyphs('boats', 97, 200) + glyphs('run', 130, 200) + footer +
        glyphs('DRAFT', 20, 500, ' IsSideways="true"'),
    },
  ], { utf16Pages: true }));
  assert.equal((await detectType(file)).type, 'xps');
  const d = await extractFile(file, opts);
  assert.equal(d.type, 'xps');
  assert.equal(d.pages, 2);
  assert.deepEqual(d.sections.map((s) => [s.loc.page, s.text]), [
    [1, [...LEFT, ...RIGHT, 'Harbour authority annual report'].join('\n')],
    // Two runs that meet ("Ferry" ends at 97) are one word; a gap is a space. The footer is dropped as furniture,
    // and the turned "DRAFT" comes after the page.
    [2, '{Tides} & weather\nFerryboats run\nDRAFT'],
  ]);
});

test('an XPS page stored as interleaved pieces is joined; a UTF-16BE page is decoded; a document without pages fails as corrupt', async () => {
  const entries = xpsEntries([{ 1: glyphs('Pieced together', 72, 100) }]);
  const pieces = entries.flatMap((e) => {
    if (!e.name.endsWith('.fpage')) return [e];
    const xml = String(e.data);
    return [{ name: `${e.name}/[0].piece`, data: xml.slice(0, 40) }, { name: `${e.name}/[1].last.piece`, data: xml.slice(40) }];
  });
  const d = await extractFile(write('pieces.xps', pieces), opts);
  assert.deepEqual(d.sections.map((s) => s.text), ['Pieced together']);
  // UTF-16 big-endian, with its byte order mark: decoded as such, not as UTF-8.
  const be = xpsEntries([{ 1: glyphs('Big end first', 72, 100) }]).map((e) => (e.name.endsWith('.fpage') ? { ...e, data: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(String(e.data), 'utf16le').swap16()]) } : e));
  assert.deepEqual((await extractFile(write('be.xps', be), opts)).sections.map((s) => s.text), ['Big end first']);
  const empty = xpsEntries([]);
  await assert.rejects(extractFile(write('empty.xps', empty), opts), (e: unknown) => e instanceof FileError && e.status === 'failed' && /^corrupt/.test(e.message));
});

test('XPS geometry: nested transforms compose inner first, right-to-left runs read right to left, a ligature spans its letters', async () => {
  // "beta" is written first, through a translate (MatrixTransform element) around a scale (attribute): inner first, it
  // lands at x = 0.5 · 0 + 300, right of "alpha" (200); composed the other way round it would land at 150, before it.
  const nested = `<Canvas><Canvas.RenderTransform><MatrixTransform Matrix="1,0,0,1,300,0"/></Canvas.RenderTransform><Canvas RenderTransform="0.5,0,0,0.5,0,0">` +
    `<Glyphs FontRenderingEmSize="20" OriginX="0" OriginY="200" UnicodeString="beta" Indices="1,50;1,50;1,50;1,50"/></Canvas></Canvas>`;
  // Right-to-left runs, written in reading order: each run's origin is its right end and its glyphs run leftwards, so
  // "של" (200 to 190) and "ום" (190 to 180) meet and make one word; "עולם" is a word space further left.
  const rtl = (text: string, x: number) => `<Glyphs FontRenderingEmSize="10" OriginX="${x}" OriginY="150" BidiLevel="1" UnicodeString="${text}" Indices="${[...text].map(() => '1,50').join(';')}"/>`;
  const hebrew = rtl('של', 200) + rtl('ום', 190) + rtl('עולם', 170);
  // "effi" is drawn with an ffi ligature, (3:1): two glyphs, 1 em; "cient" starts where it ends.
  const ligature = `<Glyphs FontRenderingEmSize="10" OriginX="72" OriginY="250" UnicodeString="effi" Indices="1,50;(3:1)2,50"/>` + glyphs('cient', 82, 250);
  const file = write('geometry.xps', xpsEntries([{ 1: nested + glyphs('alpha', 200, 100) + hebrew + ligature }]));
  assert.deepEqual((await extractFile(file, opts)).sections.map((s) => s.text), ['alpha beta\nשלום עולם\nefficient']);
});

test('XPS part names: an ASCII escape kept in the item name, a non-ASCII one decoded, another case; UTF-16BE without a mark', async () => {
  const be = (xml: string) => Buffer.concat([Buffer.from(xml, 'utf16le').swap16(), Buffer.from([0x00])]); // odd length
  const entries: ZipEntry[] = [
    { name: '_rels/.rels', data: '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R0" Type="http://schemas.microsoft.com/xps/2005/06/fixedrepresentation" Target="/SEQ.FDSEQ"/></Relationships>' },
    { name: 'Seq.fdseq', data: `<FixedDocumentSequence ${NS}><DocumentReference Source="Doc.fdoc"/></FixedDocumentSequence>` },
    { name: 'Doc.fdoc', data: `<FixedDocument ${NS}><PageContent Source="My%20Page.fpage"/><PageContent Source="%C3%A9t%C3%A9.fpage"/><PageContent Source="Back.fpage"/></FixedDocument>` },
    { name: 'My%20Page.fpage', data: page(glyphs('Spring', 72, 100)) },
    { name: 'été.fpage', data: page(glyphs('Summer', 72, 100)) },
    { name: 'back.FPAGE', data: be(page(glyphs('Autumn', 72, 100))) },
  ];
  assert.deepEqual((await extractFile(write('names.xps', entries), opts)).sections.map((s) => s.text), ['Spring', 'Summer', 'Autumn']);
});

test('an XPS page that inflates past its declared size fails as zip-bomb before it is parsed', async () => {
  const entries = xpsEntries([{ 1: glyphs('fine', 72, 100) }]);
  const lying = entries.map((e) => (e.name.endsWith('.fpage') ? { ...e, data: `<x>${' '.repeat(200_000)}</x>`, declaredSize: 10 } : e));
  await assert.rejects(extractFile(write('lying.xps', lying), opts), (e: unknown) => e instanceof FileError && e.status === 'failed' && /^zip-bomb/.test(e.message));
});
