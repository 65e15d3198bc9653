// PowerPoint 97-2003 .ppt: slides in order with notes, shape text, master text once, no slide-number placeholders;
// pictures and embedded objects; and the files no tool writes (broken or looping edit history, encryption, deep nesting, lying objects).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractFile, defaultExtractOptions, closeExtractors, detectType } from '../../src/extract/index.js';
import { FileError } from '../../src/errors.js';
import { writeCfb } from '../../src/extract/cfb-write.js';
import * as P from '../helpers/ppt-build.js';
import * as H from '../helpers/ole-hostile.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir('docproc-ppt-');
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeExtractors();
});
const opts = { ...defaultExtractOptions, ocr: false };
const file = (name: string, data: Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};
const ROTA = path.join(H.ROOT, 'test/data/ppt/lighthouse-rota.ppt');

test('ppt: each slide a section in order, placeholders, text boxes, groups and notes; nothing from the masters', async () => {
  assert.equal((await detectType(ROTA)).type, 'ppt');
  const d = await extractFile(ROTA, opts);
  assert.equal(d.type, 'ppt');
  assert.equal(d.pages, 3);
  assert.deepEqual(d.warnings, []);
  assert.deepEqual(d.sections.map((s) => s.loc), [{ slide: 1 }, { slide: 2 }, { slide: 3 }]);
  assert.equal(d.sections[0]!.text, 'Lighthouse Keepers’ Rota\nWinter season on Skerry Rock, 1898');
  assert.equal(d.sections[1]!.text, [
    'Lamp duties', 'Light the lamp half an hour before sunset', 'Wind the clockwork every four hours',
    'Trim the wicks at dusk and at midnight', '', 'Notes:', 'Remind the keepers about the new paraffin store.',
  ].join('\n'));
  assert.match(d.sections[2]!.text, /^Fog signals\nThe fog horn sounds every 30 s — audible 5 km out; Ólafur keeps the log\.\n/);
  assert.match(d.sections[2]!.text, /Grouped: signal rockets in the east store\nBell rope checked weekly$/);
  assert.doesNotMatch(d.sections.map((s) => s.text).join('\n'), /Click to edit|Master/);
});

test('ppt: a shape shows the slide list\'s text where it stands; slide-number and footer placeholders are left out', async () => {
  const deck = P.buildPpt({
    listed: [['Tide tables', 'Spring tides at noon']],
    shapes: [[P.outlineShape(0), P.textShape(P.bytes('Box between the two')), P.outlineShape(1), P.textShape(P.chars('Slide 7'), 8), P.textShape(P.chars('Harbour office'), 9), P.textShape(P.chars('*'))]],
  });
  const d = await extractFile(file('tides.ppt', deck), opts);
  assert.deepEqual(d.sections, [{ text: 'Tide tables\nBox between the two\nSpring tides at noon', loc: { slide: 1 } }]);
});

test('ppt: slide-list text no shape refers to is still read; a comment comes with its author', async () => {
  const comment = P.rec(0x1388, [P.rec(0x138a, [P.rec(0x0fba, Buffer.from('___PPT10', 'utf16le')), P.rec(0x138b, Buffer.concat([
    P.rec(0x2ee0, [P.rec(0x0fba, Buffer.from('Ann Lee', 'utf16le'), 0), P.rec(0x0fba, Buffer.from('Check the dates', 'utf16le'), 1)]),
  ]))])]);
  const d = await extractFile(file('comment.ppt', P.buildPpt({ listed: [['Only in the list']], shapes: [[comment]] })), opts);
  assert.equal(d.sections[0]!.text, 'Only in the list\n\nComments:\nAnn Lee: Check the dates');
});

test('ppt: without Current User the stream is read in order, with a warning; a looping edit history still reads', async () => {
  const base = { listed: [['Looped title']], shapes: [[P.outlineShape(0), P.textShape(P.chars('Loose box'))]] };
  const noUser = await extractFile(file('no-user.ppt', P.buildPpt({ ...base, noCurrentUser: true })), opts);
  assert.equal(noUser.sections.map((s) => s.text).join('\n'), 'Looped title\nLoose box');
  assert.deepEqual(noUser.warnings, ['ppt: edit history unreadable; text read in stream order']);
  const loop = await extractFile(file('loop.ppt', P.buildPpt({ ...base, selfLoop: true })), opts);
  assert.deepEqual(loop.sections, [{ text: 'Looped title\nLoose box', loc: { slide: 1 } }]);
});

test('ppt: a password-protected presentation fails as encrypted', async () => {
  const err = await extractFile(file('locked.ppt', P.buildPpt({ listed: [['Secret']], shapes: [[]], token: 0xf3d1c4df })), opts).catch((e: unknown) => e);
  assert.ok(err instanceof FileError, String(err));
  assert.equal(err.status, 'failed');
  assert.equal(err.message, 'encrypted: password-protected PowerPoint presentation');
});

test('ppt: containers nested 200,000 deep are read to a bounded depth, not into a stack overflow', async () => {
  const d = await extractFile(file('deep.ppt', P.buildPpt({ listed: [['Shallow title']], shapes: [[P.nested(200_000)]] })), opts);
  assert.deepEqual(d.sections, [{ text: 'Shallow title', loc: { slide: 1 } }]);
  const flat = await extractFile(file('deep-flat.ppt', P.buildPpt({ listed: [['Shallow title']], shapes: [[P.nested(200_000)]], noCurrentUser: true })), opts);
  assert.equal(flat.sections[0]!.text, 'Shallow title');
});

test('ppt: embedded objects are read as attachments; one that declares more than the size cap is not inflated', async () => {
  const inner = writeCfb(new Map([['\u0001Ole10Native', H.ole10Native('buoys.txt', Buffer.from('Red buoys mark the port side.\n'))]]))!;
  const deck = { listed: [['Chart room']], shapes: [[]], extra: [P.compressedObject(inner)] };
  const d = await extractFile(file('object.ppt', P.buildPpt(deck)), opts);
  assert.deepEqual(d.sections.map((s) => [s.text, s.loc.heading]), [['Chart room', undefined], ['Red buoys mark the port side.', 'buoys.txt']]);
  const lying = await extractFile(file('lying.ppt', P.buildPpt({ ...deck, extra: [P.compressedObject(inner, 0xfffffff0)] })), opts);
  assert.equal(lying.sections.length, 1);
  assert.deepEqual(lying.warnings, [`attachment embedded object 1: not read: 4294967280 bytes inflated, over the ${opts.maxFileBytes}-byte limit`]);
  const short = await extractFile(file('short.ppt', P.buildPpt({ ...deck, extra: [P.compressedObject(inner, inner.length + 512)] })), opts);
  assert.match(short.warnings.join('\n'), /^attachment embedded object 1: not read: inflates to \d+ bytes, not the \d+ it declares$/);
});

test('ppt: a forged list naming one slide, or ids naming one object, thousands of times reads each once', async () => {
  const inner = writeCfb(new Map([['\u0001Ole10Native', H.ole10Native('buoys.txt', Buffer.from('Red buoys mark the port side.\n'))]]))!;
  const deck = P.buildPpt({ listed: [['Repeated slide']], shapes: [[P.textShape(P.chars('Big box '.repeat(5000)))]], extra: [P.compressedObject(inner)], aliases: 5000 });
  const d = await extractFile(file('aliases.ppt', deck), opts);
  assert.deepEqual(d.sections.map((s) => s.loc.slide ?? s.loc.heading), [1, 'buoys.txt']);
  assert.deepEqual(d.warnings, []);
});

test('ppt: slides of pictures with next to no text have their page-sized pictures read by OCR; with OCR off a warning', async () => {
  const jpeg = readFileSync(path.join(H.ROOT, 'fixtures/docs/garden-rules.jpg'));
  // A master's long disclaimer is not the slides' own text: the pictures are still read.
  const deck = P.buildPpt({ listed: [['Notice board']], shapes: [[]], pictures: [jpeg], masters: [[P.textShape(P.chars('Disclaimer: '.repeat(30)))]] });
  const d = await extractFile(file('pictures.ppt', deck), { ...defaultExtractOptions });
  assert.deepEqual(d.sections.map((s) => s.loc.slide ?? s.loc.heading), [1, 'Slide masters', 'picture 1.jpg']);
  assert.match(d.sections[2]!.text, /Community Garden Rules/);
  const off = await extractFile(file('pictures-off.ppt', deck), opts);
  assert.deepEqual(off.warnings, ['1 picture not read: the text is sparse and OCR is disabled']);
  const wordy = P.buildPpt({ listed: [['Notice board ' + 'with plenty of words of its own '.repeat(10)]], shapes: [[]], pictures: [jpeg, Buffer.from('not a picture')] });
  assert.equal((await extractFile(file('wordy.ppt', wordy), { ...defaultExtractOptions })).sections.length, 1);
});

test('ppt: a master\'s own text boxes are read once, after the slides; its prompts and the lines slides repeat are not', async () => {
  const deck = P.buildPpt({
    listed: [['Tide tables']],
    shapes: [[P.outlineShape(0), P.textShape(P.chars('Harbour Trust'))]],
    masters: [[P.textShape(P.chars('Click to edit Master title style'), 1), P.textShape(P.chars('Confidential: crew only')), P.textShape(P.chars('Harbour Trust')), P.textShape(P.chars('Page *'))]],
  });
  const d = await extractFile(file('master.ppt', deck), opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.slide ?? s.loc.heading, s.text]), [[1, 'Tide tables\nHarbour Trust'], ['Slide masters', 'Confidential: crew only']]);
});

test('ppt: the header, footer and fixed date typed for slides and notes are read once, after the masters', async () => {
  const cstring = (text: string, instance: number) => P.rec(0x0fba, Buffer.from(text, 'utf16le'), instance);
  // The HeadersFootersAtom leads each container; its flags say what is shown: 0x01 a date, 0x04 the typed one, 0x10 a
  // header, 0x20 a footer.
  const headersFooters = (instance: number, flags: number, strings: Buffer[]) => {
    const atom = Buffer.alloc(4);
    atom.writeUInt16LE(flags, 2);
    return P.rec(0x0fd9, [P.rec(0x0fda, atom), ...strings], instance);
  };
  const deck = P.buildPpt({
    listed: [['Tide tables']],
    shapes: [[P.outlineShape(0)]],
    documentExtra: [
      // Slides: a fixed date typed in place of the date, and a footer, both shown.
      headersFooters(3, 0x01 | 0x04 | 0x20, [cstring('Harbour Trust, winter 2026', 0), cstring('Crew only', 2)]),
      // Notes pages: a header repeating the slides' footer (read once), a footer repeating a slide (not again), and a
      // typed date the flags do not show (today's date is shown instead).
      headersFooters(4, 0x01 | 0x02 | 0x10 | 0x20, [cstring('Old date text', 0), cstring('Crew only', 1), cstring('Tide tables', 2)]),
      // Another kind of container (instance 5, not slides or notes) is not read.
      headersFooters(5, 0x20, [cstring('Handout footer', 2)]),
    ],
  });
  const d = await extractFile(file('running.ppt', deck), opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.slide ?? s.loc.heading, s.text]), [[1, 'Tide tables'], ['Headers and footers', 'Harbour Trust, winter 2026\nCrew only']]);
});

test('ppt: a file of another kind that declares itself .ppt is not read as one', async () => {
  const d = await detectType(file('fake.ppt', readFileSync(path.join(H.ROOT, 'fixtures/docs/parish-newsletter.doc'))));
  assert.equal(d.type, 'doc');
});
