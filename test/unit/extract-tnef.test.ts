// TNEF ("winmail.dat"): subject, body (plain, or HTML from the MAPI properties), attachments by name; a stream cut
// short keeps what came before; found by its signature, as a file and as an e-mail's attachment.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { readTnef } from '../../src/extract/tnef-read.js';
import { extractFile, detectType, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { tempDir } from '../helpers/temp.js';

after(() => closeExtractors());
const TMP = tempDir('docproc-tnef-');
const opts = { ...defaultExtractOptions, ocr: false };
const file = (name: string, data: Buffer | string) => {
  const p = path.join(TMP, name);
  writeFileSync(p, data);
  return p;
};

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
/** One attribute: level, tag, length, data, checksum (the sum of the data's bytes). */
const attr = (level: number, tag: number, data: Buffer) => Buffer.concat([Buffer.from([level]), u32(tag), u32(data.length), data, u16(data.reduce((s, x) => (s + x) & 0xffff, 0))]);
const cstr = (s: string) => Buffer.from(`${s}\0`, 'latin1');
const padded = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
/** A MAPI property list of variable-length values (PT_UNICODE 0x1F, PT_BINARY 0x102). */
const props = (...list: [type: number, id: number, value: Buffer][]) =>
  Buffer.concat([u32(list.length), ...list.map(([type, id, v]) => Buffer.concat([u16(type), u16(id), u32(1), u32(v.length), padded(v)]))]);
const stream = (...attrs: Buffer[]) => Buffer.concat([u32(0x223e9f78), u16(0x1234), ...attrs]);

const WINMAIL = stream(
  attr(1, 0x00018004, cstr('Harbour minutes')),
  attr(1, 0x0002800c, cstr('The minutes of the harbour board are attached.')),
  attr(2, 0x00069002, Buffer.alloc(14)),
  attr(2, 0x00018010, cstr('NOTES~1.TXT')),
  attr(2, 0x0006800f, Buffer.from('Dredging of the north channel starts in March.\n')),
  attr(2, 0x00069005, props([0x1f, 0x3707, Buffer.from('Harbour notes.txt\0', 'utf16le')])),
  attr(2, 0x00069002, Buffer.alloc(14)),
  attr(2, 0x00018010, cstr('fees.csv')),
  attr(2, 0x0006800f, Buffer.from('berth,fee\nnorth quay,40\n')),
);

test('a TNEF stream: subject, body, and each attachment with its long name and data', () => {
  const t = readTnef(WINMAIL);
  assert.equal(t.subject, 'Harbour minutes');
  assert.equal(t.body, 'The minutes of the harbour board are attached.');
  assert.deepEqual(t.attachments.map((a) => [a.name, a.data?.toString()]), [
    ['Harbour notes.txt', 'Dredging of the north channel starts in March.\n'],
    ['fees.csv', 'berth,fee\nnorth quay,40\n'],
  ]);
  // The body in the message's MAPI properties, as HTML.
  const html = readTnef(stream(attr(1, 0x00069003, props([0x102, 0x1013, Buffer.from('<p>Tide <b>tables</b></p>')]))));
  assert.equal(html.html?.toString(), '<p>Tide <b>tables</b></p>');
  // A property list claiming four billion properties in a few bytes ends where its bytes do.
  assert.deepEqual(readTnef(stream(attr(1, 0x00069003, Buffer.concat([u32(0xffffffff), u16(0x1f), u16(0x3001), u32(1), u32(999)])))).attachments, []);
  assert.throws(() => readTnef(Buffer.from('not tnef at all')), /not a TNEF stream/);
  // 8-bit strings in the sender's code page (attOemCodepage), here Windows-1251.
  const cyrillic = readTnef(stream(attr(1, 0x00069007, Buffer.concat([u32(1251), u32(0)])), attr(1, 0x00018004, Buffer.concat([iconv.encode('Отчёт за май', 'cp1251'), Buffer.from([0])]))));
  assert.equal(cyrillic.subject, 'Отчёт за май');
});

test('winmail.dat is found by its signature and read like an e-mail, attachments by their own extractors', async () => {
  const p = file('winmail.dat', WINMAIL);
  assert.equal((await detectType(p)).type, 'tnef');
  const d = await extractFile(p, opts);
  const text = d.sections.map((s) => s.text).join('\n');
  assert.match(text, /Attachments: Harbour notes\.txt, fees\.csv/);
  assert.match(text, /The minutes of the harbour board are attached\./);
  assert.equal(d.sections.find((s) => /Dredging of the north channel/.test(s.text))?.loc.heading, 'Harbour notes.txt');
  assert.match(text, /north quay/);
  // Cut inside its last attribute: what came before is read, with a warning.
  const cut = await extractFile(file('cut.dat', WINMAIL.subarray(0, WINMAIL.length - 10)), opts);
  assert.match(cut.sections.map((s) => s.text).join('\n'), /Dredging of the north channel/);
  assert.ok(cut.warnings.includes('tnef: the stream ends inside an attribute; read up to it'));
});

test('an e-mail whose attachment is winmail.dat reads the attachments inside it', async () => {
  const eml = [
    'From: clerk@example.org', 'To: board@example.org', 'Subject: Minutes', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="x"', '', '--x', 'Content-Type: text/plain', '', 'See attached.', '--x',
    'Content-Type: application/ms-tnef; name="winmail.dat"', 'Content-Disposition: attachment; filename="winmail.dat"',
    'Content-Transfer-Encoding: base64', '', WINMAIL.toString('base64'), '--x--', '',
  ].join('\r\n');
  const d = await extractFile(file('minutes.eml', eml), opts);
  assert.equal(d.sections.find((s) => /Dredging of the north channel/.test(s.text))?.loc.heading, 'winmail.dat › Harbour notes.txt');
});
