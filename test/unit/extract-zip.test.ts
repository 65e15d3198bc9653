// Zip vetting: every entry a parser may read is inflated under the caps first; the parser gets a rebuilt zip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { ZipArchive, withZip } from '../../src/extract/zip.js';
import { writeZip } from '../../src/extract/zip-write.js';
import { isOpaquePart } from '../../src/extract/zip-directory.js';
import { writeCfb } from '../../src/extract/cfb-write.js';
import { FileError } from '../../src/errors.js';
import * as F from '../helpers/hostile-fixtures.js';
import * as O from '../helpers/ole-hostile.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = path.join(ROOT, 'fixtures/docs');
const opts = { ...defaultExtractOptions, ocr: false };
const limits = defaultExtractOptions.zip;
const target = (absPath: string) => ({ absPath, opts: { zip: limits }, warnings: [] as string[] });
let dir = '';
const file = (name: string, data: Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};
async function rejects(p: Promise<unknown>, status: string, message: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FileError, String(e));
    assert.equal(e.status, status, e.message);
    assert.match(e.message, message);
    return true;
  });
}
// 200 KB of real XML whose directory record claims 10 bytes: small enough to run in-process, the shape of a bomb.
const lying = (name: string): F.ZipEntry => ({ name, data: `<x>${' '.repeat(200_000)}</x>`, declaredSize: 10 });
const SST = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>shared</t></si></sst>';
const sheet = F.sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>');

before(() => {
  dir = tempDir('docproc-zip-');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeExtractors();
});

test('docx: a lying styles.xml, numbering.xml, footnotes.xml or core.xml fails as zip-bomb though document.xml is fine; a lying picture is never inflated', async () => {
  for (const part of ['word/styles.xml', 'word/numbering.xml', 'word/footnotes.xml', 'docProps/core.xml']) {
    const p = file('lying.docx', F.buildZip([...F.docxEntries(F.docxBody('fine')), lying(part)]));
    await rejects(extractFile(p, opts), 'failed', new RegExp(`^zip-bomb: entry ${part.replace(/\./g, '\\.')} inflates past its declared 10 bytes$`));
  }
  const picture = file('lying-picture.docx', F.buildZip([...F.docxEntries(F.docxBody('fine')), lying('word/media/image1.png')]));
  assert.match((await extractFile(picture, opts)).sections.map((s) => s.text).join('\n'), /fine/);
  // Detection reads the manifest too: a lying one leaves the type to the extension, and the docx extractor says why.
  const ct = file('lying-ct.docx', F.buildZip(F.docxEntries(F.docxBody('fine')).map((e) => (e.name === '[Content_Types].xml' ? { ...e, declaredSize: 10 } : e))));
  await rejects(extractFile(ct, opts), 'failed', /^zip-bomb: entry \[Content_Types\]\.xml inflates past its declared 10 bytes$/);
});

test('xlsx: a lying sharedStrings.xml, styles.xml or theme fails as zip-bomb though the sheet is fine', async () => {
  const p1 = file('lying-sst.xlsx', F.buildZip(F.xlsxEntries(sheet, SST).map((e) => (e.name === 'xl/sharedStrings.xml' ? lying(e.name) : e))));
  await rejects(extractFile(p1, opts), 'failed', /^zip-bomb: entry xl\/sharedStrings\.xml inflates past its declared 10 bytes$/);
  for (const part of ['xl/styles.xml', 'xl/theme/theme1.xml', 'xl/comments1.xml']) {
    const p = file('lying.xlsx', F.buildZip([...F.xlsxEntries(sheet, SST), lying(part)]));
    await rejects(extractFile(p, opts), 'failed', new RegExp(`^zip-bomb: entry ${part.replace(/\./g, '\\.')} inflates past its declared 10 bytes$`));
  }
});

test('well-formed docx and xlsx with extra parts still extract through the rebuilt zip', async () => {
  const styles = '<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>';
  const docx = file('ok.docx', F.buildZip([...F.docxEntries(F.docxBody('Pollen stores are full')), { name: 'word/styles.xml', data: styles }, { name: 'word/media/', data: '' }]));
  assert.match((await extractFile(docx, opts)).sections.map((s) => s.text).join('\n'), /Pollen stores are full/);
  const xlsx = file('ok.xlsx', F.buildZip(F.xlsxEntries(sheet, SST)));
  assert.match((await extractFile(xlsx, opts)).sections.map((s) => s.text).join('\n'), /shared/);
});

test('the rebuilt zip holds every entry with the same bytes, pictures and embedded objects empty', async () => {
  for (const name of ['beekeeping.docx', 'kayak-rentals.xlsx', 'volcanoes.pptx']) {
    const src = path.join(DOCS, name);
    const rebuilt = file(`rebuilt-${name}`, await withZip(target(src), async (z) => writeZip(await z.vetAll())));
    await withZip(target(src), async (a) =>
      withZip(target(rebuilt), async (b) => {
        assert.deepEqual(b.names(), a.names());
        for (const n of a.names()) {
          const want = isOpaquePart(n) ? Buffer.alloc(0) : await a.read(n);
          assert.ok((await b.read(n)).equals(want), `${name}: ${n}`);
        }
      }),
    );
  }
  assert.deepEqual(['word/media/image1.emf', 'xl/embeddings/oleObject1.bin', 'docProps/thumbnail.jpeg', 'word/document.xml', 'xl/media.xml'].map(isOpaquePart), [true, true, true, false, false]);
  // A binary workbook's record parts are read, and vetted; its printer settings and macros are not.
  const bin = ['xl/workbook.bin', 'xl/worksheets/sheet1.bin', 'xl/sharedStrings.bin', 'xl/printerSettings/printerSettings1.bin', 'xl/vbaProject.bin', 'word/vbaProject.bin'];
  assert.deepEqual(bin.map(isOpaquePart), [false, false, false, true, true, true]);
});

test('xlsb: a lying record part fails as zip-bomb before SheetJS sees it', async () => {
  const ct = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>';
  const p = file('lying.xlsb', F.buildZip([{ name: '[Content_Types].xml', data: ct }, lying('xl/workbook.bin')]));
  await rejects(extractFile(p, opts), 'failed', /^zip-bomb: entry xl\/workbook\.bin inflates past its declared 10 bytes$/);
});

test('duplicate names, overlapping entries and short entries are refused before any parser sees them', async () => {
  const twice = file('twice.docx', F.buildZip([...F.docxEntries(F.docxBody('a')), { name: 'word/document.xml', data: F.docxBody('b') }]));
  await rejects(ZipArchive.open(twice, limits), 'failed', /^corrupt: duplicate zip entry word\/document\.xml$/);
  const entries = F.docxEntries(F.docxBody('a'));
  const overlap = file('overlap.docx', F.buildZip(entries, [{ name: 'word/styles.xml', sameAs: 2 }]));
  await rejects(ZipArchive.open(overlap, limits), 'failed', /^zip-bomb: entries word\/document\.xml and word\/styles\.xml overlap$/);
  const short = file('short.docx', F.buildZip(entries.map((e) => (e.name === 'word/document.xml' ? { ...e, declaredSize: 100_000 } : e))));
  await rejects(extractFile(short, opts), 'failed', /^corrupt: zip entry word\/document\.xml: \d+ bytes, 100000 declared$/);
});

/** The compound file Word stores as word/embeddings/oleObjectN.bin around a packaged file. */
const oleObjectBin = (fileName: string, data: Buffer): Buffer => writeCfb(new Map([['\u0001Ole10Native', O.ole10Native(fileName, data)]]))!;

test('docx, xlsx and pptx: embedded objects (a packaged file, a workbook) are read after the document as attachments; a lying one is a warning', async () => {
  const workbook = F.buildZip(F.xlsxEntries(sheet, SST));
  const objects: F.ZipEntry[] = [
    { name: 'word/embeddings/oleObject1.bin', data: oleObjectBin('minutes.txt', Buffer.from('The pier fund reached its target.\n')) },
    { name: 'word/embeddings/Microsoft_Excel_Worksheet2.xlsx', data: workbook },
  ];
  const docx = await extractFile(file('objects.docx', F.buildZip([...F.docxEntries(F.docxBody('See the attached figures')), ...objects])), opts);
  assert.deepEqual(
    docx.sections.map((s) => [s.loc.heading, s.text]),
    [
      [undefined, 'See the attached figures'],
      ['Microsoft_Excel_Worksheet2.xlsx', 'shared'],
      ['minutes.txt', 'The pier fund reached its target.'],
    ],
  );
  const pptx = await extractFile(file('objects.pptx', F.buildZip([...F.pptxEntries(F.slideXml('Figures')), { name: 'ppt/embeddings/Microsoft_Excel_Worksheet1.xlsx', data: workbook }])), opts);
  assert.deepEqual(pptx.sections.map((s) => s.text), ['Figures', 'shared']);
  const xlsx = await extractFile(file('objects.xlsx', F.buildZip([...F.xlsxEntries(sheet, SST), { name: 'xl/embeddings/oleObject1.bin', data: oleObjectBin('note.txt', Buffer.from('Audited in March.\n')) }])), opts);
  assert.deepEqual(xlsx.sections.map((s) => s.text), ['shared', 'Audited in March.']);
  const liar = await extractFile(file('lying-object.docx', F.buildZip([...F.docxEntries(F.docxBody('Text stays')), lying('word/embeddings/oleObject1.bin')])), opts);
  assert.deepEqual(liar.sections.map((s) => s.text), ['Text stays']);
  assert.deepEqual(liar.warnings, ['attachment oleObject1.bin: failed: zip-bomb: entry word/embeddings/oleObject1.bin inflates past its declared 10 bytes']);
});

test('docx: headers and footers follow the body, each line once; tab stops, field codes, drawing positions and page numbers left out', async () => {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"';
  const part = (root: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?><w:${root} ${W}>${body}</w:${root}>`;
  const p = (inner: string) => `<w:p><w:pPr><w:tabs><w:tab w:val="center" w:pos="4680"/></w:tabs></w:pPr>${inner}</w:p>`;
  const run = (t: string) => `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">${t}</w:t></w:r>`;
  const box = (t: string) =>
    `<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor xmlns:wp="wp"><wp:positionH><wp:posOffset>2642235</wp:posOffset></wp:positionH></wp:anchor><w:txbxContent>${p(run(t))}</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>${p(run(t))}</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>`;
  const header = part('hdr', p(run('Harbour Trust') + '<w:r><w:tab/></w:r>' + run('Minutes')) + p(box('Draft for the board')));
  const pageField = p(`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE \\* MERGEFORMAT</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>${run('3')}<w:r><w:fldChar w:fldCharType="end"/></w:r>`);
  const footer = part('ftr', p(run('Confidential')) + pageField + `<w:tbl><w:tr><w:tc>${p(run('Ref. HT-204'))}</w:tc><w:tc>${p(run('May 2024'))}</w:tc></w:tr></w:tbl>`);
  const entries = [
    ...F.docxEntries(F.docxBody('The pier opens in June.')),
    { name: 'word/header1.xml', data: header },
    { name: 'word/footer2.xml', data: footer },
    { name: 'word/footer1.xml', data: part('ftr', p(run('Confidential'))) },
  ];
  const d = await extractFile(file('margins.docx', F.buildZip(entries)), opts);
  assert.deepEqual(
    d.sections.map((s) => [s.loc.heading, s.text]),
    [
      [undefined, 'The pier opens in June.'],
      ['Header', 'Harbour Trust Minutes\nDraft for the board'],
      ['Footer', 'Confidential\nRef. HT-204 | May 2024'],
    ],
  );
});

test('odt: footnotes, endnotes and comments after the body; master-page headers and footers; alt text on lines of its own; encrypted is a status', async () => {
  const NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"';
  const note = (cls: string, n: number, body: string) => `<text:note text:note-class="${cls}"><text:note-citation>${n}</text:note-citation><text:note-body><text:p>${body}</text:p></text:note-body></text:note>`;
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS}><office:body><office:text>
    <text:h text:outline-level="1">Harbour report<office:annotation><dc:creator>Ana</dc:creator><dc:date>2024-05-01T10:00:00</dc:date><text:p>Check the tonnage.</text:p></office:annotation></text:h>
    <text:p>The pier opens in June.${note('footnote', 1, 'Weather permitting.')} Fees rise in July.${note('endnote', 1, 'Set by the council.')}</text:p>
    <text:p><draw:frame><svg:title>Map of the pier</svg:title><draw:text-box><text:p>Berths 1 to 9</text:p></draw:text-box></draw:frame></text:p>
  </office:text></office:body></office:document-content>`;
  const styles = `<?xml version="1.0" encoding="UTF-8"?><office:document-styles ${NS}><office:master-styles><style:master-page style:name="Standard">
    <style:header><text:p>Harbour Trust</text:p></style:header><style:header-first><text:p>Harbour Trust</text:p></style:header-first>
    <style:footer><text:p>Confidential</text:p><text:p><text:page-number>4</text:page-number></text:p></style:footer>
  </style:master-page></office:master-styles></office:document-styles>`;
  const manifest = (extra = '') => `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">${extra}</manifest:file-entry></manifest:manifest>`;
  const odt = (m: string) => [
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    { name: 'content.xml', data: content },
    { name: 'styles.xml', data: styles },
    { name: 'META-INF/manifest.xml', data: m },
  ];
  const d = await extractFile(file('report.odt', F.buildZip(odt(manifest()))), opts);
  assert.deepEqual(
    d.sections.map((s) => [s.loc.heading, s.text]),
    [
      ['Harbour report', 'Harbour report\nThe pier opens in June. Fees rise in July.\n\nMap of the pier\n\nBerths 1 to 9'],
      ['Footnotes', 'Weather permitting.'],
      ['Endnotes', 'Set by the council.'],
      ['Comments', 'Check the tonnage.'],
      ['Header', 'Harbour Trust'],
      ['Footer', 'Confidential'],
    ],
  );
  const locked = manifest('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>');
  await rejects(extractFile(file('locked.odt', F.buildZip(odt(locked))), opts), 'failed', /^encrypted: password-protected OpenDocument file$/);
});

test('docx, pptx and odt whose text is in a picture (a scan pasted in) are read by OCR; logos in a document with text are not', async () => {
  const jpeg = readFileSync(path.join(DOCS, 'garden-rules.jpg'));
  const scan = { name: 'word/media/image1.jpeg', data: jpeg };
  const docx = file('pasted-scan.docx', F.buildZip([...F.docxEntries(F.docxBody('')), scan]));
  const d = await extractFile(docx, { ...defaultExtractOptions, ocr: true });
  assert.equal(d.sections[0]?.loc.heading, 'image1.jpeg');
  assert.match(d.sections.map((s) => s.text).join('\n'), /Community Garden Rules/);
  const off = await extractFile(docx, opts);
  assert.deepEqual(off.warnings, ['1 picture not read: the text is sparse and OCR is disabled']);
  const pptx = file('photographed.pptx', F.buildZip([...F.pptxEntries(F.slideXml('')), { name: 'ppt/media/image1.jpeg', data: jpeg }]));
  const p = await extractFile(pptx, { ...defaultExtractOptions, ocr: true });
  assert.match(p.sections.map((s) => s.text).join('\n'), /Community Garden Rules/);
  const content = '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>Scanned notice</text:p></office:text></office:body></office:document-content>';
  const odt = file('scan.odt', F.buildZip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' }, { name: 'content.xml', data: content }, { name: 'Pictures/10000000000004E0.jpg', data: jpeg }]));
  const o = await extractFile(odt, { ...defaultExtractOptions, ocr: true });
  assert.deepEqual(o.sections.map((s) => s.loc.heading), [undefined, '10000000000004E0.jpg']);
  assert.match(o.sections[1]!.text, /Community Garden Rules/);
  // A page of text with the same picture in it: the text is the document, the picture is not read.
  const long = 'The allotment committee met on Tuesday to agree the rules for the coming season and the plot fees. '.repeat(3);
  const report = file('report.docx', F.buildZip([...F.docxEntries(F.docxBody(long)), scan]));
  const withText = await extractFile(report, { ...defaultExtractOptions, ocr: true });
  assert.deepEqual(withText.sections.map((s) => s.loc.heading), [undefined]);
  // Asked to (ocrPictures), the picture is read as well, after the document's own text.
  const asked = await extractFile(report, { ...defaultExtractOptions, ocr: true, ocrPictures: true });
  assert.deepEqual(asked.sections.map((s) => s.loc.heading), [undefined, 'image1.jpeg']);
  assert.match(asked.sections[1]!.text, /Community Garden Rules/);
  const askedOff = await extractFile(report, { ...opts, ocrPictures: true });
  assert.deepEqual(askedOff.warnings, ['1 picture not read: OCR is disabled']);
});

test('pptx: text of the masters and layouts (a text box, the footer) once after the slides; prompts, fields with their labels ("Page ‹#›") and lines slides say are not', async () => {
  const sp = (text: string, ph?: string) => `<p:sp><p:nvSpPr><p:cNvPr id="2" name="s"/><p:cNvSpPr/><p:nvPr>${ph ? `<p:ph type="${ph}"/>` : ''}</p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp>`;
  const master = `<?xml version="1.0" encoding="UTF-8"?><p:sldMaster xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>${sp('Click to edit Master title style', 'title')}${sp('‹#›', 'sldNum')}${sp('Harbour Trust', 'ftr')}${sp('Confidential: crew only')}${sp('Tide tables')}</p:spTree></p:cSld></p:sldMaster>`;
  const layout = master.replace(/sldMaster/g, 'sldLayout').replace('Confidential: crew only', 'Page <a:fld type="slidenum"><a:t>‹#›</a:t></a:fld>');
  const rel = (type: string, target: string) => `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/></Relationships>`;
  const entries = [
    ...F.pptxEntries(F.slideXml('Tide tables')),
    { name: 'ppt/slides/_rels/slide1.xml.rels', data: rel('slideLayout', '../slideLayouts/slideLayout1.xml') },
    { name: 'ppt/slideLayouts/_rels/slideLayout1.xml.rels', data: rel('slideMaster', '../slideMasters/slideMaster1.xml') },
    { name: 'ppt/slideMasters/slideMaster1.xml', data: master },
    { name: 'ppt/slideLayouts/slideLayout1.xml', data: layout },
    // A layout no slide uses is not read.
    { name: 'ppt/slideLayouts/slideLayout2.xml', data: master.replace(/sldMaster/g, 'sldLayout').replace('Confidential: crew only', 'Use this layout for section 2') },
  ];
  const d = await extractFile(file('master.pptx', F.buildZip(entries)), opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.slide ?? s.loc.heading, s.text]), [[1, 'Tide tables'], ['Slide masters', 'Harbour Trust\nConfidential: crew only']]);
  // A field beside real text: the field goes, the text stays; a line left with only a label goes.
  const withText = master
    .replace('Confidential: crew only', 'Emergency line 0800 555 0199</a:t></a:r><a:br/><a:r><a:t>Updated </a:t></a:r><a:fld type="datetime1"><a:t>03/02/2024</a:t></a:fld><a:r><a:t>')
    .replace('>Harbour Trust<', '>Harbour Trust · Slide </a:t></a:r><a:fld type="slidenum"><a:t>‹#›</a:t></a:fld><a:r><a:t><');
  const e = await extractFile(file('master-fields.pptx', F.buildZip([...entries.filter((x) => x.name !== 'ppt/slideMasters/slideMaster1.xml'), { name: 'ppt/slideMasters/slideMaster1.xml', data: withText }])), opts);
  assert.equal(e.sections.at(-1)!.text, 'Harbour Trust · Slide\nEmergency line 0800 555 0199\nHarbour Trust');
});

test('odp: each page is a section located by its slide number, notes with it', async () => {
  const NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"';
  const page = (title: string, note: string) =>
    `<draw:page><draw:frame><draw:text-box><text:p>${title}</text:p></draw:text-box></draw:frame><presentation:notes><draw:frame><draw:text-box><text:p>${note}</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>`;
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS}><office:body><office:presentation>${page('Tide tables', 'Print them large')}${page('Ferry fares', 'Ask the purser')}</office:presentation></office:body></office:document-content>`;
  const odp = file('deck.odp', F.buildZip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.presentation' }, { name: 'content.xml', data: content }, { name: 'META-INF/manifest.xml', data: '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>' }]));
  const d = await extractFile(odp, opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.slide, s.text]), [[1, 'Tide tables\nPrint them large'], [2, 'Ferry fares\nAsk the purser']]);
});
