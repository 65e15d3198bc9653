// Phonetic guides (ruby, furigana): the base text is read, its reading after it in parentheses, in every format that
// has them. Before, a Word document set with furigana read as nothing (.docx, .doc, RTF), OpenDocument and HTML ran
// base and reading together.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eqText, withEqResults } from '../../src/extract/doc-eq-fields.js';
import { withRubyText } from '../../src/extract/docx-ruby.js';
import { parseRtf } from '../../src/extract/formats/rtf.js';
import { htmlToSections } from '../../src/extract/htmltext.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { buildZip, docxEntries } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';

after(() => closeExtractors());

const DATA = path.join(fileURLToPath(new URL('../../..', import.meta.url)), 'test/data/ruby');
const WORD_GUIDE = String.raw`\* jc2 \* "Font:MS Mincho" \* hps11 \o\ad(\s\up 10(とうきょう),東京)`;

test('EQ field codes give the text Word draws from them', () => {
  assert.equal(eqText(WORD_GUIDE), '東京 (とうきょう)');
  assert.equal(eqText(String.raw` \o\al(\s\up 11(port),harbour)`), 'harbour (port)');
  // Not a phonetic guide: the arguments' text.
  assert.equal(eqText(String.raw` \f(1,2)`), '1 2');
  assert.equal(eqText(String.raw` \o\ad(\s\up 5.5(ふね),船)`), '船 (ふね)');
  // An enclosed character: overstruck, not a reading.
  assert.equal(eqText(String.raw` \o\ac(○,\s\up 1(字))`), '○ 字');
  assert.equal(eqText(String.raw` \b\lc\{(\a(x,y))`), 'x y');
  assert.equal(eqText(String.raw` \o(A\,B,C)`), 'A,B C');
  // Unbalanced: no text rather than a guess.
  assert.equal(eqText(String.raw` \o\ad(\s\up 10(x`), undefined);
  assert.equal(eqText(String.raw` a) b`), undefined);
  assert.equal(eqText(`${'\\o('.repeat(40)}x${')'.repeat(40)}`), undefined);
});

test('a .doc text: EQ fields get a result word-extractor keeps; other fields and long codes are left alone', () => {
  assert.equal(withEqResults(`次の\x13EQ ${WORD_GUIDE}\x15行き`), '次の\x13\x14東京 (とうきょう)\x15行き');
  assert.equal(withEqResults('\x13 eq \\o\\ad(\\s\\up 10(ふね),船)\x15'), '\x13\x14船 (ふね)\x15');
  const other = '\x13 PAGE \x14 3\x15';
  assert.equal(withEqResults(other), other);
  const long = `\x13EQ \\f(${'1'.repeat(3000)},2)\x15`;
  assert.equal(withEqResults(long), long);
});

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const guide = (w: string, base: string, reading: string) =>
  `<${w}r><${w}rPr><${w}rFonts ${w}ascii="MS Mincho"/></${w}rPr><${w}ruby><${w}rubyPr><${w}hps ${w}val="11"/></${w}rubyPr>` +
  `<${w}rt><${w}r><${w}t>${reading}</${w}t></${w}r></${w}rt><${w}rubyBase><${w}r><${w}t>${base}</${w}t></${w}r></${w}rubyBase></${w}ruby></${w}r>`;
const runs = (xml: string) => [...xml.matchAll(/<(?:\w+:)?t\b[^>]*>([^<]*)</g)].map((m) => m[1]).join('');

test('a .docx part: each run holding a ruby becomes its base and reading runs', () => {
  const xml = `<w:document ${W}><w:body><w:p><w:r><w:t>次の</w:t></w:r>${guide('w:', '東京', 'とうきょう')}<w:r><w:t>行き</w:t></w:r></w:p></w:body></w:document>`;
  const out = withRubyText(xml)!;
  assert.equal(runs(out), '次の東京 (とうきょう)行き');
  assert.doesNotMatch(out, /ruby/);
  // Any prefix the part declares.
  const other = `<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><x:body><x:p>${guide('x:', '船', 'ふね')}</x:p></x:body></x:document>`;
  assert.equal(runs(withRubyText(other)!), '船 (ふね)');
  // No ruby, or one not where Word writes it: nothing to change.
  assert.equal(withRubyText(`<w:document ${W}><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>`), undefined);
  assert.equal(withRubyText(`<w:document ${W}><w:body><w:p><w:ruby><w:rubyBase/></w:ruby></w:p></w:body></w:document>`), undefined);
  // An empty reading adds nothing.
  assert.equal(runs(withRubyText(`<w:document ${W}><w:body><w:p>${guide('w:', '読', '')}</w:p></w:body></w:document>`)!), '読');
  // A ruby with 100,000 unclosed readings, and 20,000 unclosed rubies: linear, unchanged.
  assert.equal(runs(withRubyText(`<w:document ${W}><w:body><w:p><w:r><w:ruby>${'<w:rt>'.repeat(100_000)}<w:rubyBase><w:r><w:t>x</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p></w:body></w:document>`)!), 'x');
  // Opened and never closed, many times over: returns, unchanged.
  assert.equal(withRubyText(`<w:document ${W}><w:body>${'<w:r><w:ruby>'.repeat(20000)}</w:body></w:document>`), undefined);
});

test('RTF: an EQ field gives its text in place of its empty result; other fields keep their result alone', () => {
  const eq = String.raw`{\rtf1\ansi 次{\field{\*\fldinst { EQ \\* jc3 \\* hps12 \\o\\al(\\s\\up 10(port),harbour)}}{\fldrslt {}}}!\par
{\field{\*\fldinst HYPERLINK "https://example.com"}{\fldrslt the timetable}}\par}`;
  assert.deepEqual(parseRtf(eq).body.split('\n').filter(Boolean), ['次harbour (port)!', 'the timetable']);
});

test('HTML: a reading without <rp> is put in parentheses; one with them is read as written', () => {
  const text = (html: string) => htmlToSections(html).sections.map((s) => s.text).join('').trim();
  assert.equal(text('<p>次の<ruby>東京<rt>とうきょう</rt></ruby>行き</p>'), '次の東京 (とうきょう)行き');
  assert.equal(text('<p><ruby>船<rp>(</rp><rt>ふね</rt><rp>)</rp></ruby></p>'), '船(ふね)');
});

// furigana.{doc,docx,odt,rtf}: LibreOffice's exports of furigana.fodt beside them (`soffice --headless --convert-to doc
// furigana.fodt`, and docx, odt, rtf): Japanese and English text with phonetic guides.
test('files with phonetic guides read their base text and readings, in every word processor format', async () => {
  for (const ext of ['fodt', 'odt', 'docx', 'doc', 'rtf']) {
    const d = await extractFile(path.join(DATA, `furigana.${ext}`), defaultExtractOptions);
    const text = d.sections.map((s) => s.text).join('\n');
    assert.match(text, /次の船 \(ふね\)は東京 \(とうきょう\)行きです。/, ext);
    assert.match(text, /The harbour \(port\) closes at nine\./, ext);
  }
});

test('a .docx with ruby built by hand reads through mammoth', async () => {
  const dir = tempDir('ruby-');
  const file = path.join(dir, 'guide.docx');
  writeFileSync(file, buildZip(docxEntries(`<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body><w:p><w:r><w:t>次の</w:t></w:r>${guide('w:', '東京', 'とうきょう')}</w:p></w:body></w:document>`)));
  const d = await extractFile(file, defaultExtractOptions);
  assert.equal(d.sections.map((s) => s.text).join('').trim(), '次の東京 (とうきょう)');
});
