// RTF: destinations, the \* marker, headers and footers as their own part.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseRtf } from '../../src/extract/formats/rtf.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { tempDir } from '../helpers/temp.js';

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
