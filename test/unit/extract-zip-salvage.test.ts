// A zip cut short (no central directory): the entries found whole behind their local headers, a data descriptor's
// sizes, what is left out; an Office package made readable (content types); and files cut short through the real
// extractors, with their warnings, the limits still holding.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { tempDir } from '../helpers/temp.js';
import * as F from '../helpers/hostile-fixtures.js';
import { repairPackage, salvageZip } from '../../src/extract/zip-salvage.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import type { VettedEntry } from '../../src/extract/zip.js';

const TMP = tempDir('docproc-zip-salvage-');
after(() => closeExtractors());
const opts = { ...defaultExtractOptions, ocr: false };

/** The zip up to `keep` bytes into the entry `name`'s data (or its whole local part): its directory is gone. */
function cutInside(zip: Buffer, name: string, keep = 5): Buffer {
  const at = zip.indexOf(Buffer.from(name)) + name.length;
  return zip.subarray(0, at + keep);
}
const file = (name: string, data: Buffer) => {
  const p = path.join(TMP, name);
  writeFileSync(p, data);
  return p;
};
const text = (e: VettedEntry) => (e.method === 8 ? inflateRawSync(e.compressed) : e.compressed).toString('utf8');

test('the entries before the cut are found whole; the one cut is not', () => {
  const zip = F.buildZip([{ name: 'a.txt', data: 'first entry' }, { name: 'dir/b.txt', data: 'second entry' }, { name: 'c.txt', data: 'third entry, cut' }]);
  const found = salvageZip(cutInside(zip, 'c.txt'), 100)!;
  assert.equal(found.entries, 2);
  assert.equal(found.skipped, 0);
  // The new zip has a directory: read back with the usual reader below; here, its local parts.
  assert.ok(found.data!.includes(Buffer.from('dir/b.txt')));
  assert.ok(!found.data!.includes(Buffer.from('c.txt')));
  assert.equal(salvageZip(zip.subarray(0, 20), 100), undefined);
  assert.equal(salvageZip(Buffer.from('not a zip at all'), 100), undefined);
});

test('a name without the UTF-8 flag is read as CP437, as the usual reader reads it', () => {
  // An old Windows zipper's "Grün.txt": ü is 0x81 in CP437 (and a control character in latin1).
  const zip = F.buildZip([{ name: 'Gr_n.txt', data: 'umlaut' }, { name: 'cut.txt', data: 'cut here' }]);
  zip[zip.indexOf('Gr_n.txt') + 2] = 0x81;
  const found = salvageZip(cutInside(zip, 'cut.txt'), 100)!;
  assert.equal(found.entries, 1);
  assert.ok(found.data!.includes(Buffer.from('Grün.txt', 'utf8')));
});

test('sizes given after the data (a data descriptor) are found, past a look-alike signature in the data', () => {
  const data = Buffer.concat([Buffer.from('before PK\x07\x08 inside the data, and after')]);
  const deflated = deflateRawSync(data);
  const head = Buffer.alloc(30);
  head.writeUInt32LE(0x04034b50, 0);
  head.writeUInt16LE(20, 4);
  head.writeUInt16LE(0x0008, 6); // sizes after the data
  head.writeUInt16LE(8, 8);
  head.writeUInt16LE(5, 26);
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc32(data), 4);
  descriptor.writeUInt32LE(deflated.length, 8);
  descriptor.writeUInt32LE(data.length, 12);
  const found = salvageZip(Buffer.concat([head, Buffer.from('d.txt'), deflated, descriptor, Buffer.from('PK\x03\x04 cut')]), 100)!;
  assert.equal(found.entries, 1);
  // Its central record carries the descriptor's sizes.
  const cen = found.data!.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  assert.equal(found.data!.readUInt32LE(cen + 20), deflated.length);
  assert.equal(found.data!.readUInt32LE(cen + 24), data.length);
});

test('a zip64 entry\'s data descriptor (8-byte sizes) is read as such, and the entry after it found', () => {
  const data = Buffer.from('streamed by a zip64 writer');
  const deflated = deflateRawSync(data);
  const extra = Buffer.alloc(20);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(16, 2);
  const head = Buffer.alloc(30);
  head.writeUInt32LE(0x04034b50, 0);
  head.writeUInt16LE(45, 4);
  head.writeUInt16LE(0x0008, 6);
  head.writeUInt16LE(8, 8);
  head.writeUInt32LE(0xffffffff, 18);
  head.writeUInt32LE(0xffffffff, 22);
  head.writeUInt16LE(5, 26);
  head.writeUInt16LE(extra.length, 28);
  const descriptor = Buffer.alloc(24);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc32(data), 4);
  descriptor.writeBigUInt64LE(BigInt(deflated.length), 8);
  descriptor.writeBigUInt64LE(BigInt(data.length), 16);
  const next = F.buildZip([{ name: 'f.txt', data: 'the entry after it' }]);
  const found = salvageZip(Buffer.concat([head, Buffer.from('e.txt'), extra, deflated, descriptor, next.subarray(0, next.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])))]), 100)!;
  assert.equal(found.entries, 2);
  const cen = found.data!.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  assert.equal(found.data!.readUInt32LE(cen + 24), data.length);
});

test('encrypted entries and unknown methods are counted, not kept; the entry cap holds', () => {
  const zip = F.buildZip([{ name: 'secret.txt', data: 'x', encrypted: true }, { name: 'odd.txt', data: 'y', method: 99 }, { name: 'ok.txt', data: 'z' }, { name: 'late.txt', data: 'w' }]);
  const found = salvageZip(zip, 100)!;
  assert.equal(found.entries, 2);
  assert.equal(found.skipped, 2);
  assert.equal(salvageZip(zip, 3)!.entries, 1);
  // Nothing whole but encrypted entries: no zip to read, and what was found says why.
  assert.deepEqual(salvageZip(F.buildZip([{ name: 'secret.txt', data: 'x', encrypted: true }]), 100), { data: undefined, entries: 0, skipped: 1, encrypted: 1 });
});

test('a password-protected zip cut short fails as encrypted, not as corrupt', async () => {
  const zip = F.buildZip([{ name: 'a.txt', data: 'x', encrypted: true }, { name: 'b.txt', data: 'y', encrypted: true }]);
  await assert.rejects(extractFile(file('locked.zip', cutInside(zip, 'b.txt')), opts), (e: Error & { reason?: string }) => {
    assert.equal(e.reason, 'encrypted');
    assert.match(e.message, /a damaged zip whose entries are all encrypted \(End of central directory/);
    return true;
  });
});

test('an Office package gets content types where they were cut, and loses the listings of parts it lacks', () => {
  const entry = (name: string, s: string): VettedEntry => ({ name, method: 0, crc: 0, size: s.length, compressed: Buffer.from(s) });
  const made = repairPackage([entry('xl/workbook.xml', '<workbook/>')]);
  const ct = made.find((e) => e.name === '[Content_Types].xml')!;
  assert.match(text(ct), /<Override PartName="\/xl\/workbook\.xml" ContentType="application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\.main\+xml"\/>/);
  assert.equal(ct.crc, crc32(ct.compressed));
  const listed = '<Types><Override PartName="/xl/workbook.xml" ContentType="a"/><Override PartName="/xl/styles.xml" ContentType="b"/></Types>';
  const kept = repairPackage([entry('[Content_Types].xml', listed), entry('xl/workbook.xml', '<workbook/>')]);
  assert.equal(text(kept[0]!), '<Types><Override PartName="/xl/workbook.xml" ContentType="a"/></Types>');
  // Overrides written out in full (<Override ...></Override>) are dropped whole; a look-alike tag name is not one.
  const full = '<Types><OverrideX PartName="/gone.xml"/><Override PartName="/gone.xml" ContentType="b">\n</Override><Override PartName="/xl/workbook.xml"></Override></Types>';
  assert.equal(text(repairPackage([entry('[Content_Types].xml', full), entry('xl/workbook.xml', '<workbook/>')])[0]!),
    '<Types><OverrideX PartName="/gone.xml"/><Override PartName="/xl/workbook.xml"></Override></Types>');
  // Nothing to mend: the same entries.
  const whole = [entry('[Content_Types].xml', '<Types><Override PartName="/a.xml"/></Types>'), entry('a.xml', '<a/>')];
  assert.deepEqual(repairPackage(whole), whole);
});

test('content types of many unclosed <Override tags are scanned in linear time', () => {
  const entry = (name: string, s: string): VettedEntry => ({ name, method: 0, crc: 0, size: s.length, compressed: Buffer.from(s) });
  const hostile = `<Types>${'<Override PartName="/gone.xml" '.repeat(200_000)}`;
  const t0 = process.hrtime.bigint();
  repairPackage([entry('[Content_Types].xml', hostile), entry('a.xml', '<a/>')]);
  // Quadratic, this takes minutes; a generous bound that load cannot reach.
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e9 < 10);
});

test('a .docx cut inside a later part reads its document, with a warning; an .xlsx cut before its styles reads its cells', async () => {
  const docx = F.buildZip([...F.docxEntries(F.docxBody('The lifeboat drill is on Tuesday')), { name: 'word/media/image1.png', data: randomBytes(4000) }]);
  const d = await extractFile(file('cut.docx', cutInside(docx, 'word/media/image1.png', 40)), opts);
  assert.match(d.sections.map((s) => s.text).join('\n'), /The lifeboat drill is on Tuesday/);
  assert.equal(d.type, 'docx');
  assert.match(d.warnings[0]!, /^damaged zip \(End of central directory record signature not found\..*\): read through the 3 entries found whole before the damage; what followed is missing$/);
  const sst = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Tide gauge readings</t></si></sst>';
  const entries = F.xlsxEntries(F.sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), sst);
  // The content types list a styles part that the cut took.
  entries[0] = { name: '[Content_Types].xml', data: String(entries[0]!.data).replace('</Types>', '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>') };
  const xlsx = F.buildZip([...entries, { name: 'xl/styles.xml', data: '<styleSheet/>' }]);
  const x = await extractFile(file('cut.xlsx', cutInside(xlsx, 'xl/styles.xml')), opts);
  assert.match(x.sections.map((s) => s.text).join('\n'), /Tide gauge readings/);
  assert.match(x.warnings[0]!, /^damaged zip/);
});

test('a cut .docx whose document is lost fails saying the zip was damaged; the limits hold for salvaged entries', async () => {
  const docx = F.buildZip(F.docxEntries(F.docxBody('Gone with the cut')));
  await assert.rejects(extractFile(file('lost.docx', cutInside(docx, 'word/document.xml')), opts), (e: Error) => {
    assert.match(e.message, /^corrupt: docx without word\/document\.xml; a damaged zip \(End of central directory record signature not found\..*\), read through the entries before the damage$/);
    return true;
  });
  // Nothing left that tells the kind (no manifest, no main part): the name decides, and it fails as a damaged .docx.
  const bare = F.buildZip([{ name: 'docProps/app.xml', data: '<Properties/>' }, { name: 'word/document.xml', data: 'Gone with the cut' }]);
  await assert.rejects(extractFile(file('bare.docx', cutInside(bare, 'word/document.xml')), opts), /corrupt: docx without word\/document\.xml; a damaged zip/);
  // A document part that says 20 bytes and inflates to 2 MB: a bomb, directory or none.
  const zeros = deflateRawSync(Buffer.alloc(2_000_000));
  const lying = F.buildZip([...F.docxEntries({ deflated: zeros, crc: 0, size: 2_000_000 }, 20), { name: 'word/styles.xml', data: '<w:styles/>' }]);
  await assert.rejects(extractFile(file('bomb.docx', cutInside(lying, 'word/styles.xml')), opts), /zip-bomb: entry word\/document\.xml inflates past its declared 20 bytes/);
});

/** The zip with its end record pointing `by` bytes past its directory (a writer that counted a prepended stub, or data descriptors, into the offset). */
function misplacedDirectory(zip: Buffer, by = 32): Buffer {
  const out = Buffer.from(zip);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  out.writeUInt32LE(out.readUInt32LE(eocd + 16) + by, eocd + 16);
  return out;
}

test('a zip whose directory is not where its end record says is read through its local headers, with a warning', async () => {
  const zip = F.buildZip([{ name: 'notes.txt', data: 'the ferry leaves at nine' }, { name: 'docs/more.txt', data: 'and returns at six' }]);
  const d = await extractFile(file('misplaced.zip', misplacedDirectory(zip)), opts);
  const all = d.sections.map((s) => s.text).join('\n');
  assert.match(all, /the ferry leaves at nine/);
  assert.match(all, /and returns at six/);
  assert.ok(d.warnings.some((w) => /^damaged zip \(bad zip directory: /.test(w)), d.warnings.join('; '));
  // A .docx so damaged reads too.
  const docx = F.buildZip(F.docxEntries(F.docxBody('Timetable behind a misplaced directory')));
  const w = await extractFile(file('misplaced.docx', misplacedDirectory(docx)), opts);
  assert.match(w.sections.map((s) => s.text).join('\n'), /Timetable behind a misplaced directory/);
});
