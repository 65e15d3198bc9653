// RTF: destinations, the \* marker, headers and footers as their own part.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseRtf, rtfBody } from '../../src/extract/formats/rtf.js';
import { htmlToSections } from '../../src/extract/htmltext.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { tempDir } from '../helpers/temp.js';
import * as H from '../helpers/ole-hostile.js';
import { parseCfb, rootEntry } from '../../src/extract/cfb.js';
import { writeCfb } from '../../src/extract/cfb-write.js';

const dir = tempDir('docproc-rtf-');
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeExtractors();
});

test('\\* marks an ignorable destination only as a group\'s first word; inside a group the text stays (StarWriter writes "\\*\\cs7")', () => {
  const src = '{\\rtf1\\ansi{\\*\\generator Writer;}{\\*\\unknowndest not text}\\pard{\\loch\\f2\\i0\\*\\cs7\\cf0 The quick brown fox}\\par}';
  assert.equal(parseRtf(src).body.trim(), 'The quick brown fox');
});

test('headers and footers are read into their own part, not dropped and not mixed into the body', () => {
  const src = '{\\rtf1\\ansi{\\header\\pard Animal Hospital\\par}{\\footerr Page\\par}\\pard Body text \\\'e9t\\\'e9\\par}';
  const { body, headers } = parseRtf(src);
  assert.equal(body.trim(), 'Body text été');
  assert.equal(headers.trim(), 'Animal Hospital\nPage');
});

test('list numbers Word writes out (\\listtext, \\pntext) are read, a space after them; bullet glyphs are not', () => {
  const src = '{\\rtf1\\ansi{\\fonttbl{\\f0 Times;}{\\f1\\fcharset2 Symbol;}}' +
    '{\\listtext\\pard\\plain 1.\\tab}Close the inlet\\par{\\listtext\\pard\\plain 2.\\tab}Drain the tank\\par' +
    '{\\listtext\\pard\\plain\\f1 \\\'b7\\tab}Check the seal\\par{\\pntext\\f0 (a)\\tab}Word 6 item\\par' +
    '{\\*\\pn\\pnlvlbody{\\pntxta .}}Defined, not drawn\\par{\\listtext\\tab\\endash\\tab}Dash bullet\\par}';
  assert.deepEqual(parseRtf(src).body.split('\n').filter(Boolean), ['1. Close the inlet', '2. Drain the tank', 'Check the seal', '(a) Word 6 item', 'Defined, not drawn', 'Dash bullet']);
});

test('bytes are decoded in the code page of the font in use (\\fcharset), not only \\ansicpg: Czech, Japanese, a header', () => {
  // Word writes \ansicpg1252 whatever the language, and each run's bytes in its font's character set.
  const src = '{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}{\\f1\\froman\\fcharset238 Times CE;}' +
    '{\\f2\\fnil\\fcharset128 MS Mincho;}{\\f3\\fnil\\cpg1251 Cyr;}}' +
    "{\\header\\pard\\f1 \\'c8l\\'e1nek t\\'fddne\\par}" +
    "\\pard\\f1 Mrtv\\'e9ho mo\\'f8e\\f0  caf\\'e9\\par" +
    "\\pard{\\f2 \\'93\\'8c\\'8b\\'9e}\\'e9t\\'e9 {\\f3 \\'cf\\'f0\\'e8}\\par}";
  const { body, headers } = parseRtf(src);
  assert.equal(headers.trim(), 'Článek týdne');
  assert.equal(body.trim(), 'Mrtvého moře café\n東京été При');
});

test('encapsulated HTML (\\fromhtml1, HTML mail Outlook kept as RTF) gives back its HTML: block tags end lines, RTF-only runs are left out', () => {
  // Outlook writes the HTML's tags in \*\htmltag groups and RTF-only breaks between \htmlrtf and \htmlrtf0; a body
  // read as plain RTF ran "Steel HR Sport" and "For serious sports" together and kept "&quot;" as written.
  const src = '{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 {\\*\\htmltag19 <html>}{\\*\\htmltag50 <body>}' +
    '{\\*\\htmltag64 <div>}Steel HR Sport{\\*\\htmltag72 </div>}\\htmlrtf {\\b\\par RTF only}\\htmlrtf0 ' +
    "{\\*\\htmltag64 <div>}For serious sports &quot;and caf\\'e9s&quot;{\\*\\htmltag72 </div>}{\\*\\htmltag58 </body>}}";
  const body = rtfBody(src);
  assert.equal(body.html, true);
  assert.doesNotMatch(body.text, /RTF only/);
  const lines = htmlToSections(body.text).sections.flatMap((x) => x.text.split('\n')).filter((l) => l.trim());
  assert.deepEqual(lines, ['Steel HR Sport', 'For serious sports "and cafés"']);
  assert.equal(rtfBody('{\\rtf1\\ansi Plain \\par}').html, false);
});

test('an .rtf file saved from HTML mail is read as its HTML: tags are markup, not text', async () => {
  const p = path.join(dir, 'from-html.rtf');
  writeFileSync(p, '{\\rtf1\\ansi\\fromhtml1 {\\*\\htmltag64 <p>}Tide tables{\\*\\htmltag72 </p>}{\\*\\htmltag64 <p class="x">}Harbour &amp; quay{\\*\\htmltag72 </p>}}');
  const d = await extractFile(p, { ...defaultExtractOptions });
  const lines = d.sections.flatMap((x) => x.text.split('\n')).filter((l) => l.trim());
  assert.deepEqual(lines, ['Tide tables', 'Harbour & quay']);
});

test('an RTF file: body paragraphs, then a "Headers and footers" section', async () => {
  const p = path.join(dir, 'letter.rtf');
  writeFileSync(p, '{\\rtf1\\ansi{\\header Harbour Office\\par}\\pard Dear members,\\par The slipway reopens on Monday.\\par}');
  const d = await extractFile(p, { ...defaultExtractOptions });
  assert.deepEqual(
    d.sections.map((s) => [s.loc.heading, s.text]),
    [
      [undefined, 'Dear members,\nThe slipway reopens on Monday.'],
      ['Headers and footers', 'Harbour Office'],
    ],
  );
});

test('RTF embedded objects (\\objdata) are read as attachments: a packaged file and an OLE2 Word document; a link is not', async () => {
  const word6 = parseCfb(readFileSync(path.join(H.ROOT, 'test/data/doc/word6-minutes.doc')));
  const doc = writeCfb(new Map([['WordDocument', word6.read(rootEntry(word6, 'WordDocument')!)]]))!;
  const obj = (data: Buffer) => `{\\object\\objemb{\\*\\objclass X}{\\*\\objdata ${data.toString('hex').replace(/(.{64})/g, '$1\n')}}{\\result {\\pict x}}}`;
  const rtf = [
    '{\\rtf1\\ansi\\pard Minutes attached.\\par',
    obj(H.ole1Object('Package', H.olePackage('notes.txt', Buffer.from('Bring gloves.\n')))),
    obj(H.ole1Object('Word.Document.6', doc)),
    obj(H.ole1Object('Package', Buffer.alloc(0), 1)),
    '}',
  ].join('\n');
  const p = path.join(dir, 'objects.rtf');
  writeFileSync(p, rtf);
  const d = await extractFile(p, { ...defaultExtractOptions });
  assert.deepEqual(d.sections[0]!.text, 'Minutes attached.');
  assert.deepEqual(d.sections[1], { text: 'Bring gloves.', loc: { heading: 'notes.txt', line: 1 } });
  assert.match(d.sections.slice(2).map((s) => s.text).join('\n'), /^Minutes of the Allotment Society, March 1996/);
  assert.deepEqual(d.warnings, []);
});
