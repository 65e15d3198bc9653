// Words broken across lines by a hyphen are joined again, so search finds them; compounds keep their hyphen.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { joinBrokenWords } from '../../src/extract/dehyphenate.js';
import { cleanText } from '../../src/extract/normalize.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { buildPdf } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
after(() => closeExtractors());
const join = (...texts: string[]) => joinBrokenWords(texts.map((text, i) => ({ text, loc: { page: i + 1 } }))).map((s) => s.text);

test('a syllable break is joined, the rest of the line moving up with it', () => {
  assert.deepEqual(join('the model pro-\nvides a way to get func-\ntions, and more.'), ['the model provides\na way to get functions,\nand more.']);
  // The second half alone on its line: no empty line is left behind.
  assert.deepEqual(join('a line that pro-\nvides\nand the next'), ['a line that provides\nand the next']);
  // Cyrillic, German: any script with lower-case letters.
  assert.deepEqual(join('(на-\nпример, его)', 'mit de-\nnen'), ['(например,\nего)', 'mit denen']);
});

test('the document decides: a word it uses whole is joined, a compound it writes with a hyphen keeps it', () => {
  assert.deepEqual(join('climate-related risks; climate-\nrelated costs'), ['climate-related risks; climate-related\ncosts']);
  // "sometimes" used on another page: the break is a syllable break though "some" and "times" are words too.
  assert.deepEqual(join('some times, some-\ntimes', 'sometimes'), ['some times, sometimes', 'sometimes']);
});

test('compounds that appear nowhere else keep their hyphen: one letter, capitals, two words of the document', () => {
  assert.deepEqual(join('an X-\nray of the STEM-\nfocused school'), ['an X-ray\nof the STEM-focused\nschool']);
  assert.deepEqual(join('speed is high; a high-\nspeed line'), ['speed is high; a high-speed\nline']);
  // A second half that is a suffix is a syllable break, though the document may use it as a word; one that is not stays.
  assert.deepEqual(join('insert the ing; first insert-\ning it'), ['insert the ing; first inserting\nit']);
  assert.deepEqual(join('the children and the children-\nand more', 'converting/render-\ning'), ['the children and the children-and\nmore', 'converting/rendering']);
});

test('a compound\'s last hyphen stays, and the one after "self" and "well"; a suffix after them is still a break', () => {
  assert.deepEqual(join('a state-of-the-\nart model, an end-to-\nend system'), ['a state-of-the-art\nmodel, an end-to-end\nsystem']);
  assert.deepEqual(join('a self-\nsupervised, well-\nknown method'), ['a self-supervised,\nwell-known\nmethod']);
  assert.deepEqual(join('selfless: self-\nless; well-\nness'), ['selfless: selfless;\nwellness']);
});

test('a syllable break inside a hyphenated word\'s last part is joined: only a compound\'s last hyphen stays', () => {
  assert.deepEqual(join('for non-com-\nmercial use; self-con-\ntained; Pre-pro-\ncessing'), ['for non-commercial\nuse; self-contained;\nPre-processing']);
  // The document uses the joined word: joined, though "in" is a word.
  assert.deepEqual(join('an anti-in-\nflammatory drug', 'inflammatory markers'), ['an anti-inflammatory\ndrug', 'inflammatory markers']);
  // A last part the document uses on its own ("speed") ends a compound.
  assert.deepEqual(join('at speed: a high-speed-\nrail line'), ['at speed: a high-speed-rail\nline']);
});

test('a word broken over three lines is whole; Windows line ends and no-break spaces are line ends and spaces', () => {
  assert.deepEqual(join('the in-\ncompre-\nhensible text'), ['the incomprehensible\ntext']);
  assert.deepEqual(join('ab-\nab-\nab-\nab-\nab'), ['ababababab']);
  assert.deepEqual(join('the model pro-\r\nvides it', 'func-\u00A0\ntions'), ['the model provides\nit', 'functions']);
});

test('a word broken across a page break is joined on the page where it starts; not across a missing page', () => {
  assert.deepEqual(join('the model pro-', 'vides, as before,\na way'), ['the model provides,', 'as before,\na way']);
  assert.deepEqual(join('the model pro-', 'vides\na way'), ['the model provides', 'a way']);
  // A running head that changes with the chapter and the page comes first on the next page: passed over, kept.
  assert.deepEqual(join('the model pro-', 'CHAPTER 8. THE INTERFACE 31\nvides a way'), ['the model provides', 'CHAPTER 8. THE INTERFACE 31\na way']);
  assert.deepEqual(join('the model pro-', '32 Chapter 8\n\nvides a way\nout'), ['the model provides', '32 Chapter 8\n\na way\nout']);
  // A page that starts with a heading and a capitalised paragraph is not a continuation; nor three lines down.
  assert.deepEqual(join('the Linux-', 'Methods\nWe measured'), ['the Linux-', 'Methods\nWe measured']);
  assert.deepEqual(join('a pro-', 'A\nB\nC\nvides'), ['a pro-', 'A\nB\nC\nvides']);
  // A line of text is no running head: the word below it is not taken.
  assert.deepEqual(join('the Anglo-', 'Saxon kings were\nruled by'), ['the Anglo-', 'Saxon kings were\nruled by']);
  const gap = joinBrokenWords([{ text: 'the model pro-', loc: { page: 1 } }, { text: 'vides a way', loc: { page: 3 } }]).map((s) => s.text);
  assert.deepEqual(gap, ['the model pro-', 'vides a way']);
});

test('a hyphen in a web address, a path or a mail address stays, its two lines joined', () => {
  assert.deepEqual(join('see example.org/data-\nsets now', 'c:\\tmp\\data-\nsets', 'mail first.last-\nname@example.org'), ['see example.org/data-sets\nnow', 'c:\\tmp\\data-sets', 'mail first.last-name@example.org']);
});

test('a PDF\'s drawn soft hyphens are hyphens; elsewhere a soft hyphen at a line end is a break', () => {
  const pdf = joinBrokenWords([{ text: 'EN ISO 6892\u00AD1, a well\u00ADknown mill', loc: { page: 1 } }], { softHyphensDrawn: true });
  assert.equal(pdf[0]!.text, 'EN ISO 6892-1, a well-known mill');
});

test('only letters then a hyphen at the end of a line, and lower case after it, are a break', () => {
  const kept = ['years 2019-\n2020', 'a dash —\nthen', 'a list -\nitem', 'end of a sen-\nTence', 'a para-\n\ngraph'];
  assert.deepEqual(join(...kept), kept);
  // Capitals after the hyphen are no break, and their words still count as the document's own.
  assert.deepEqual(join('SPEED-\nLIMIT; speed and limit: the speed-\nlimit'), ['SPEED-\nLIMIT; speed and limit: the speed-limit']);
  // A soft hyphen is always a syllable break.
  assert.deepEqual(join('soft\u00AD\nhyphen'), ['softhyphen']);
});

// A quadratic match would hang here rather than fail: the timeout makes it a failure.
test('a hostile layer: a million letters in one word, and a hundred thousand breaks, are read in one pass', { timeout: 20_000 }, () => {
  const long = 'a'.repeat(1_000_000);
  assert.equal(join(`${long} ${long}-\nb`)[0]!.length, 2_000_002);
  const many = 'ab-\ncd '.repeat(100_000);
  assert.equal(join(many)[0], 'abcd\n'.repeat(100_000).slice(0, -1));
});

test('soft hyphens (HTML\'s &shy;, Word\'s optional hyphen) are dropped from every format, so search reads whole words', async () => {
  assert.equal(cleanText('extra\u00ADordinary'), 'extraordinary');
  const file = path.join(dir, 'shy.html');
  writeFileSync(file, '<html><body><p>An extra&shy;ordinary Donau&shy;dampf&shy;schiff&shy;fahrt.</p></body></html>');
  const doc = await extractFile(file, defaultExtractOptions);
  assert.equal(doc.sections.map((s) => s.text).join('\n'), 'An extraordinary Donaudampfschifffahrt.');
});

test('a PDF paragraph set with hyphenation reads whole words', async () => {
  const lines = ['Extraction is only as good as what it', 'reads: a justified paragraph often pro-', 'vides its words in two halves, and a', 'search for them found nothing.'];
  const content = `BT /F1 12 Tf 72 700 Td 16 TL ${lines.map((l) => `(${l}) '`).join(' ')} ET`;
  const file = path.join(dir, 'hyphenated.pdf');
  writeFileSync(file, buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]));
  const doc = await extractFile(file, { ...defaultExtractOptions, ocr: false });
  const text = doc.sections.map((s) => s.text).join('\n');
  assert.match(text, /often provides\nits words/);
  assert.doesNotMatch(text, /pro-/);
});
