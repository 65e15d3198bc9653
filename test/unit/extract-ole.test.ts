// Outlook .msg and Word .doc: fields, parts, attachments (also EML's), detection by OLE2 streams, CFB validation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

import path from 'node:path';
import { extractFile, defaultExtractOptions, closeExtractors, detectType } from '../../src/extract/index.js';
import { parseCfb, rootNames, CfbError, type CfbEntry } from '../../src/extract/cfb.js';
import { writeCfb, type CfbTree } from '../../src/extract/cfb-write.js';
import { MAX_ATTACHMENT_DEPTH } from '../../src/extract/attachments.js';
import type { ExtractedDoc } from '../../src/pipeline/types.js';
import * as H from '../helpers/ole-hostile.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir('docproc-ole-');
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeExtractors();
});
const opts = { ...defaultExtractOptions };
const file = (name: string, data: Buffer | string) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};
const fixturePath = (name: string) => file(name, H.fixture(name));
const byHeading = (d: ExtractedDoc, h: string) => d.sections.filter((s) => s.loc.heading === h).map((s) => s.text);

test('msg: sender, recipients, subject, date and attachments in the header section; plain body', async () => {
  const d = await extractFile(fixturePath('harbour-festival.msg'), opts);
  assert.equal(d.type, 'msg');
  assert.deepEqual(d.warnings, []);
  const subject = 'Harbour festival: programme and stall plan';
  assert.deepEqual(byHeading(d, subject), [
    [
      'From: Marta Kowalczyk <marta@example.org>',
      'To: Harbour Committee <committee@example.org>',
      'Cc: Tom Baines <tom.baines@example.org>',
      `Subject: ${subject}`,
      'Date: 2024-05-03T16:45:00Z',
      'Attachments: programme.csv, Stall plan for the quay',
    ].join('\n'),
    'Dear all,\n\nThe harbour festival opens on Saturday with the rowing regatta.\nPlease check the programme attached and the stall plan Ines sent.\n\nMarta',
  ]);
});

test('msg: a file attachment is read by its own extractor; an attached message recursively, HTML body and all', async () => {
  const d = await extractFile(fixturePath('harbour-festival.msg'), opts);
  assert.match(byHeading(d, 'programme.csv').join('\n'), /Event: Rowing regatta; Time: 10:00; Place: Outer harbour/);
  const inner = 'Stall plan for the quay';
  assert.match(byHeading(d, inner).join('\n'), /^From: Ines Duarte <ines@example\.org>\nTo: Harbour Committee <committee@example\.org>\nSubject: Stall plan for the quay\nDate: 2024-05-02T09:15:00Z\nAttachments: stall-rules\.txt$/);
  assert.deepEqual(byHeading(d, `${inner} › Stall plan`), ['Stall plan\n\nThe craft stalls line the north quay; food vans park by the ice house.']);
  assert.deepEqual(byHeading(d, `${inner} › stall-rules.txt`), ['Stalls must be packed away by ten in the evening.\nNo open flames near the nets.']);
});

test('msg: a body stored only as compressed RTF (encapsulated HTML, cp1252) is read from the RTF', async () => {
  const src = path.join(H.ROOT, 'test/data/msg/rtf-body.msg');
  const d = await extractFile(file('rtf-body.msg', readFileSync(src)), opts);
  assert.deepEqual(d.warnings, []);
  assert.match(d.sections[0]!.text, /^From: Rhys Morgan <rhys@example\.org>$/m);
  const body = d.sections.slice(1).map((s) => s.text).join('\n');
  // Read as the HTML it encapsulates (\fromhtml1), so its paragraphs are the HTML's: a blank line between them.
  assert.equal(body, 'The lifeboat crew meets on Tuesday at the café by the slipway.\n\nBring your own oilskins and a flask of tea.');
});

test('msg: an ANSI message (PT_STRING8) is read in the code page it names, not as Latin-1', async () => {
  const src = path.join(H.ROOT, 'test/data/msg/ansi-cp1251.msg');
  const d = await extractFile(file('ansi-cp1251.msg', readFileSync(src)), opts);
  assert.deepEqual(d.warnings, []);
  const head = d.sections[0]!.text;
  assert.match(head, /^From: Ольга Смирнова <olga@example\.org>$/m);
  assert.match(head, /^To: Причал <pier@example\.org>$/m);
  assert.match(head, /^Subject: Расписание парома на зиму$/m);
  const body = d.sections.slice(1).map((s) => s.text).join('\n');
  assert.equal(body, 'Первый паром отходит в 7:15, последний — в 19:40. Билеты «туда и обратно» стоят 12 €.');
});

test('msg: a body property of an unexpected type is passed over, not fatal (the header section still reads)', async () => {
  // The plain body retyped as binary (PT_BINARY, 0102): msgreader hands back bytes, and the message failed as corrupt.
  const msg = Buffer.from(H.fixture('harbour-festival.msg'));
  const from = Buffer.from('__substg1.0_1000001F', 'utf16le');
  for (let i = msg.indexOf(from); i >= 0; i = msg.indexOf(from, i + 1)) Buffer.from('__substg1.0_10000102', 'utf16le').copy(msg, i);
  const d = await extractFile(file('binary-body.msg', msg), opts);
  assert.equal(d.type, 'msg');
  assert.match(d.sections[0]!.text, /^From: Marta Kowalczyk <marta@example\.org>\n/);
});

test('msg: documents attached as OLE objects are read from their storages, two of one name each its own; one attached by reference is a warning', async () => {
  const d = await extractFile(file('ole-object.msg', readFileSync(path.join(H.ROOT, 'test/data/msg/ole-object.msg'))), opts);
  assert.deepEqual(byHeading(d, 'Quay repairs.doc'), ['Quay repairs start on Monday.', 'The slipway reopens on Friday.']);
  assert.deepEqual(d.warnings, ['attachment Tide tables.pdf: not read: the message holds no data for it (attached by reference, or an object with no file inside)']);
});

test('msg: attachments share the document character budget', async () => {
  const d = await extractFile(fixturePath('harbour-festival.msg'), { ...opts, maxChars: 400 });
  assert.ok(d.sections.reduce((n, s) => n + s.text.length, 0) <= 400);
  assert.ok(d.warnings.some((w) => /^truncated/.test(w)), d.warnings.join('; '));
});

test('doc: body, then header, footer, footnotes and endnotes as their own sections', async () => {
  const d = await extractFile(fixturePath('parish-newsletter.doc'), opts);
  assert.equal(d.type, 'doc');
  assert.deepEqual(d.warnings, []);
  assert.match(d.sections[0]!.text, /^Bell Tower Restoration\nThe bell tower scaffolding comes down in April, and the bells ring again at Easter\./);
  assert.deepEqual(
    d.sections.slice(1).map((s) => [s.loc.heading, s.text]),
    [
      ['Header', "St Brendan's Parish Newsletter, spring edition"],
      ['Footer', 'Printed by volunteers at the church hall'],
      ['Footnotes', 'Weather permitting, according to the stonemason.'],
      ['Endnotes', 'Figures audited by the parish treasurer in March.'],
    ],
  );
});

test('doc: an optional hyphen joins its word, a non-breaking hyphen stays (word-extractor wrote "undefined" and dropped it)', async () => {
  const d = await extractFile(fixturePath('parish-newsletter.doc'), opts);
  const body = d.sections[0]!.text;
  assert.match(body, /At Advent the choir sings well\u2011known carols at the Christmas market\./);
  assert.doesNotMatch(d.sections.map((s) => s.text).join('\n'), /undefined/);
});

const word6 = (name: string) => file(name, readFileSync(path.join(H.ROOT, 'test/data/doc', name)));

test('doc: Word 6/95 is read from its own layout: body (table rows as lines, field results without codes), footnotes, headers', async () => {
  const d = await extractFile(word6('word6-minutes.doc'), opts);
  assert.equal(d.type, 'doc');
  assert.deepEqual(d.warnings, []);
  assert.deepEqual(
    d.sections.map((s) => [s.loc.heading, s.text]),
    [
      [
        undefined,
        [
          'Minutes of the Allotment Society, March 1996',
          'Rents rise by a fifth from May; the \u201cHarvest Supper\u201d is on 14\u201315 September.',
          'Plot Holder',
          'Plot 7 Ren\u00e9e Walsh',
          'Seed orders go to our website by Friday.',
          'The water\u2011trough is repaired.',
        ].join('\n'),
      ],
      ['Footnotes', 'Agreed by a show of hands.'],
      ['Headers and footers', 'Allotment Society \u2013 minutes'],
    ],
  );
});

test('doc: a fast-saved Word 6 file (text in pieces, out of order) reads like the plain one; the code page follows the language', async () => {
  const plain = await extractFile(word6('word6-minutes.doc'), opts);
  const fast = await extractFile(word6('word6-fast-saved.doc'), opts);
  assert.deepEqual(fast.sections, plain.sections);
  const cyrillic = await extractFile(word6('word6-cp1251.doc'), opts);
  assert.deepEqual(cyrillic.sections.map((s) => s.text), ['\u041f\u0440\u043e\u0442\u043e\u043a\u043e\u043b \u0441\u043e\u0431\u0440\u0430\u043d\u0438\u044f \u0441\u0430\u0434\u043e\u0432\u043e\u0434\u043e\u0432']);
});

test('doc: an encrypted Word 6 file and one whose piece table points past the file fail with their reason', async () => {
  await assert.rejects(extractFile(word6('word6-encrypted.doc'), opts), /password-protected Word document/);
  await assert.rejects(extractFile(word6('word6-bad-pieces.doc'), opts), /corrupt: doc: Word 6 piece table lies outside the file|Word 6 piece table lies outside the file/);
});

test('doc: stream names are matched in any case, as MS-CFB compares them ("worddocument", "1table")', async () => {
  const lower = Buffer.from(H.fixture('parish-newsletter.doc'));
  for (const name of ['WordDocument', '1Table', '0Table']) {
    const from = Buffer.from(name, 'utf16le');
    for (let i = lower.indexOf(from); i >= 0; i = lower.indexOf(from, i + 1)) Buffer.from(name.toLowerCase(), 'utf16le').copy(lower, i);
  }
  const p = file('lower-case.doc', lower);
  assert.equal((await detectType(p)).type, 'doc');
  const d = await extractFile(p, opts);
  assert.match(d.sections[0]!.text, /^Bell Tower Restoration/);
});

test('doc: embedded objects are read as attachments: a packaged file, an RTF object, a whole Word document; a link or a lying package is nothing to read', async () => {
  const d = await extractFile(word6('word6-objects.doc'), opts);
  assert.deepEqual(
    d.sections.map((s) => [s.loc.heading, s.text]),
    [
      [undefined, 'See the attached notes.'],
      ['notes.txt', 'Bring gloves for the hedge on Saturday.'],
      ['Rich Text Document', 'The compost bins are full.'],
      ['Microsoft Word 6.0 Document', 'The shed key is under the third pot.'],
    ],
  );
  // A package whose declared size is past its stream is not a package: nothing of it is trusted or read.
  assert.deepEqual(d.warnings, []);
});

test('cfb writer: a storage written out reads back stream for stream (empty, mini and regular streams, nested storages)', () => {
  const big = Buffer.alloc(9000, 7);
  const tree: CfbTree = new Map<string, Buffer | CfbTree>([
    ['WordDocument', Buffer.from('first stream')],
    ['Data', Buffer.alloc(0)],
    ['\u0003ObjInfo', Buffer.from([0, 0, 3, 0])],
    ['Big', big],
    ['Inner', new Map<string, Buffer | CfbTree>([['Leaf', Buffer.from('leaf bytes')]])],
  ]);
  const cfb = parseCfb(writeCfb(tree)!);
  const read = (e: CfbEntry): unknown =>
    e.kind === 'stream' ? cfb.read(e).toString('hex') : Object.fromEntries(e.children.map((id) => cfb.entries.get(id)!).map((c) => [c.name, read(c)]));
  const want = (t: CfbTree): unknown => Object.fromEntries([...t].map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : want(v)]));
  assert.deepEqual(read(cfb.root), want(tree));
});

test('detection: OLE2 files are classified by their root streams, whatever their name', async () => {
  assert.equal((await detectType(fixturePath('harbour-festival.msg'))).type, 'msg');
  assert.equal((await detectType(fixturePath('parish-newsletter.doc'))).type, 'doc');
  const renamed = await detectType(file('newsletter.msg', H.fixture('parish-newsletter.doc')));
  assert.deepEqual(renamed, { type: 'doc', mime: 'application/msword', mismatch: 'type-mismatch: extension .msg but content is doc' });
  // The .msg holds a stream named like Word's ('WordDocument' appears nowhere at its root): still a message.
  assert.deepEqual(rootNames(parseCfb(H.fixture('harbour-festival.msg'))).filter((n) => !n.startsWith('__')), []);
});

test('cfb: reads streams of a valid file; each structural defect is named', () => {
  const msg = H.fixture('harbour-festival.msg');
  const cfb = parseCfb(msg);
  const subject = [...cfb.entries.values()].find((e) => e.name === '__substg1.0_0037001F' && cfb.root.children.includes(e.id))!;
  assert.equal(cfb.read(subject).toString('utf16le'), 'Harbour festival: programme and stall plan');
  const err = (b: Buffer) => {
    try {
      parseCfb(b);
    } catch (e) {
      assert.ok(e instanceof CfbError);
      return e.message;
    }
    return 'parsed';
  };
  assert.match(err(H.truncated(msg, 7424)), /^OLE2 truncated: sector \d+ of the directory lies past the end of the file \(7424 bytes\)$/);
  assert.match(err(H.truncated(msg, 300)), /^OLE2 header: not a compound file$/);
  const loop = H.fatLoop(msg);
  assert.equal(err(loop.data), `OLE2 sector chain loop: sector ${loop.sector} repeats in the chain of the directory`);
  const dl = H.directoryLoop(msg);
  assert.equal(err(dl.data), `OLE2 directory loop: entry ${dl.id} ('${dl.name}') is reached twice`);
  assert.equal(err(H.hugeStream(msg, '__substg1.0_1000001F')), `OLE2 stream '__substg1.0_1000001F' declares 4294967280 bytes in a ${msg.length}-byte file`);
  const doc = H.fixture('parish-newsletter.doc');
  assert.equal(err(H.hugeStream(doc, 'WordDocument', 8000)), `OLE2 stream 'WordDocument' declares 8000 bytes but its chain holds ${cfbChainBytes(doc, 'WordDocument')}`);
});

function cfbChainBytes(doc: Buffer, name: string): number {
  const cfb = parseCfb(doc);
  const e = [...cfb.entries.values()].find((x) => x.name === name)!;
  return Math.ceil(e.size / 512) * 512;
}

const eml = (parts: string[]) =>
  ['From: a@example.org', 'To: b@example.org', 'Subject: Nested', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="BB"', '',
    ...parts.flatMap((p) => ['--BB', p]), '--BB--', ''].join('\r\n');
const attached = (name: string, data: Buffer, type = 'application/octet-stream') =>
  [`Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '', data.toString('base64')].join('\r\n');
const textPart = (s: string) => ['Content-Type: text/plain; charset=utf-8', '', s].join('\r\n');

test('eml: attachments are read like .msg ones, a .msg inside an .eml included', async () => {
  const p = file('with-msg.eml', eml([textPart('See the forwarded mail.'), attached('festival.msg', H.fixture('harbour-festival.msg'), 'application/vnd.ms-outlook')]));
  const d = await extractFile(p, opts);
  assert.deepEqual(d.warnings, []);
  assert.match(byHeading(d, 'festival.msg › programme.csv').join('\n'), /Event: Sea shanty choir; Time: 15:30; Place: Fish market/);
  assert.match(byHeading(d, 'festival.msg › Stall plan for the quay › stall-rules.txt').join('\n'), /No open flames near the nets\./);
});

test('eml: a broken attachment is a warning on its message; nesting stops at the depth limit', async () => {
  const broken = file('broken-att.eml', eml([textPart('Body text stays.'), attached('old.doc', H.truncated(H.fixture('parish-newsletter.doc'), 6000))]));
  const d = await extractFile(broken, opts);
  assert.match(d.sections.map((s) => s.text).join('\n'), /Body text stays\./);
  assert.equal(d.warnings.length, 1);
  assert.match(d.warnings[0]!, /^attachment old\.doc: failed: corrupt: doc: OLE2 truncated: sector \d+ of the directory lies past the end of the file \(6000 bytes\)$/);
  let inner = eml([textPart('Innermost words.')]);
  for (let i = 0; i <= MAX_ATTACHMENT_DEPTH; i++) inner = eml([textPart(`Level ${i}`), attached(`level${i}.eml`, Buffer.from(inner), 'message/x-eml')]);
  const deep = await extractFile(file('deep.eml', inner), opts);
  const all = deep.sections.map((s) => s.text).join('\n');
  assert.match(all, /Level 0/);
  assert.doesNotMatch(all, /Innermost words/);
  assert.ok(deep.warnings.some((w) => w.endsWith(`level0.eml: not read: nested deeper than ${MAX_ATTACHMENT_DEPTH} levels`)), deep.warnings.join('\n'));
});
