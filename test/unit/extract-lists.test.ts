// Automatic list numbers (Word .docx and .doc, OpenDocument): counted as the word processor counts them and written into the text.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListCounter, ListDefinitions } from '../../src/extract/docx-numbering.js';
import { formatNumber } from '../../src/extract/list-number-format.js';
import { labelListParagraphs } from '../../src/extract/docx-list-labels.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { buildZip, pptxEntries } from '../helpers/hostile-fixtures.js';
import { autoNumber } from '../../src/extract/pptx-autonumber.js';
import { tempDir } from '../helpers/temp.js';

after(() => closeExtractors());

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

interface Lvl { start?: number; fmt?: string; text: string; restart?: number; legal?: boolean; style?: string; suff?: string }
const lvl = (i: number, l: Lvl) =>
  `<w:lvl w:ilvl="${i}">${l.start === undefined ? '' : `<w:start w:val="${l.start}"/>`}<w:numFmt w:val="${l.fmt ?? 'decimal'}"/>` +
  `${l.restart === undefined ? '' : `<w:lvlRestart w:val="${l.restart}"/>`}${l.style ? `<w:pStyle w:val="${l.style}"/>` : ''}${l.legal ? '<w:isLgl/>' : ''}` +
  `${l.suff ? `<w:suff w:val="${l.suff}"/>` : ''}<w:lvlText w:val="${l.text}"/></w:lvl>`;
const abstractNum = (id: number, levels: Lvl[], extra = '') => `<w:abstractNum w:abstractNumId="${id}">${extra}${levels.map((l, i) => lvl(i, l)).join('')}</w:abstractNum>`;
const num = (id: number, abs: number, overrides = '') => `<w:num w:numId="${id}"><w:abstractNumId w:val="${abs}"/>${overrides}</w:num>`;
const numbering = (...parts: string[]) => `<?xml version="1.0" encoding="UTF-8"?><w:numbering ${W}>${parts.join('')}</w:numbering>`;
const styles = (...parts: string[]) => `<?xml version="1.0" encoding="UTF-8"?><w:styles ${W}>${parts.join('')}</w:styles>`;
const para = (text: string, numId?: number, ilvl?: number, style?: string) => {
  const numPr = numId === undefined ? '' : `<w:numPr>${ilvl === undefined ? '' : `<w:ilvl w:val="${ilvl}"/>`}<w:numId w:val="${numId}"/></w:numPr>`;
  const pPr = numPr || style ? `<w:pPr>${style ? `<w:pStyle w:val="${style}"/>` : ''}${numPr}</w:pPr>` : '';
  return `<w:p>${pPr}${text ? `<w:r><w:t>${text}</w:t></w:r>` : ''}</w:p>`;
};
const documentXml = (...paras: string[]) => `<?xml version="1.0" encoding="UTF-8"?><w:document ${W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>${paras.join('')}</w:body></w:document>`;

/** The text of each paragraph after labelling, in order. */
function labelled(defs: ListDefinitions, ...paras: string[]): string[] {
  const xml = labelListParagraphs(documentXml(...paras), defs) ?? documentXml(...paras);
  return [...xml.matchAll(/<w:p>(.*?)<\/w:p>/g)].map((m) => [...m[1]!.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''));
}

const OUTLINE: Lvl[] = [{ start: 1, text: '%1.' }, { start: 1, fmt: 'lowerLetter', text: '(%2)' }, { start: 1, fmt: 'lowerRoman', text: '%3)' }];

test('docx lists: levels count, deeper levels restart, higher ones carry on', () => {
  const defs = new ListDefinitions(numbering(abstractNum(0, OUTLINE), num(1, 0)), undefined);
  assert.deepEqual(labelled(defs, para('Scope', 1, 0), para('Goods', 1, 1), para('Services', 1, 1), para('Fees', 1, 2), para('Payment', 1, 0), para('Terms', 1, 1)),
    ['1. Scope', '(a) Goods', '(b) Services', 'i) Fees', '2. Payment', '(a) Terms']);
});

test('docx lists: instances of one definition count on together; a start override counts on its own', () => {
  const defs = new ListDefinitions(numbering(abstractNum(0, OUTLINE), num(1, 0), num(2, 0), num(3, 0, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride>')), undefined);
  assert.deepEqual(labelled(defs, para('one', 1, 0), para('two', 2, 0), para('seven', 3, 0), para('eight', 3, 0), para('three', 1, 0)),
    ['1. one', '2. two', '7. seven', '8. eight', '3. three']);
});

test('docx lists: skipped levels count at their start; a level may restart only after a chosen one', () => {
  const levels: Lvl[] = [{ start: 1, text: '%1' }, { start: 1, fmt: 'lowerLetter', text: '%1.%2' }, { start: 1, fmt: 'upperRoman', restart: 1, text: '%1.%2.%3' }];
  const defs = new ListDefinitions(numbering(abstractNum(0, levels), num(1, 0)), undefined);
  assert.deepEqual(labelled(defs, para('', 1, 0), para('', 1, 1), para('', 1, 2), para('x', 1, 1), para('x', 1, 2), para('x', 1, 0), para('x', 1, 2), para('x', 1, 1)).filter(Boolean),
    // The third level restarts only after the first: "1.b.II" goes on from "1.a.I"; "2.a.I" skips the second level.
    ['1.b x', '1.b.II x', '2 x', '2.a.I x', '2.b x']);
});

test('docx lists: legal numbering, a level without a start, bullets, and a space after every label', () => {
  const levels: Lvl[] = [{ start: 2, fmt: 'upperRoman', text: 'Chapter %1' }, { start: 17, text: '%1.%2', legal: true, suff: 'nothing' }, { fmt: 'ordinal', text: '%3' }, { fmt: 'bullet', text: '•' }];
  const defs = new ListDefinitions(numbering(abstractNum(0, levels), num(1, 0)), undefined);
  assert.deepEqual(labelled(defs, para('Rules', 1, 0), para('-Scope', 1, 1), para(' place', 1, 2), para('apples', 1, 3)),
    ['Chapter II Rules', '2.17 -Scope', '0th  place', 'apples']);
});

test('docx lists: numbered heading styles, numbering styles, and numId 0 taking numbering away', () => {
  const defs = new ListDefinitions(
    numbering(abstractNum(0, [{ start: 1, text: '%1', style: 'Heading1' }, { start: 1, text: '%1.%2', style: 'Heading2' }]), num(1, 0),
      abstractNum(5, [], '<w:numStyleLink w:val="LegalList"/>'), num(6, 5)),
    styles(
      '<w:style w:type="paragraph" w:styleId="Heading1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>',
      '<w:style w:type="paragraph" w:styleId="Heading2"><w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>',
      '<w:style w:type="numbering" w:styleId="LegalList"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'));
  assert.deepEqual(labelled(defs, para('Introduction', undefined, undefined, 'Heading1'), para('Background', undefined, undefined, 'Heading2'),
    para('Unnumbered', 0, 0, 'Heading1'), para('Methods', undefined, undefined, 'Heading1'), para('Linked', 6, 1)),
  ['1 Introduction', '1.1 Background', 'Unnumbered', '2 Methods', '2.1 Linked']);
});

test('docx lists: the numbering is taken off the labelled paragraph, empty paragraphs and mc:Choice are left alone', () => {
  const defs = new ListDefinitions(numbering(abstractNum(0, [{ start: 1, text: '%1. &amp; &lt;b&gt;' }]), num(1, 0)), undefined);
  const xml = labelListParagraphs(documentXml(para('', 1, 0), '<mc:AlternateContent><mc:Choice>' + para('shape', 1, 0) + '</mc:Choice></mc:AlternateContent>', para('first', 1, 0)), defs)!;
  assert.ok(xml.includes('<w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">2. &amp; &lt;b&gt; </w:t></w:r><w:r><w:t>first</w:t>'), xml);
  assert.ok(xml.includes('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:p>'), 'the empty paragraph is counted, not labelled');
  assert.ok(xml.includes('<mc:Choice><w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>shape</w:t>'), 'mammoth reads mc:Fallback only');
  assert.equal(labelListParagraphs(documentXml(para('plain')), defs), undefined);
  // A hostile pattern, whose label on every paragraph would multiply the text, is left out.
  const long = new ListDefinitions(numbering(abstractNum(0, [{ start: 1, text: `%1${'x'.repeat(200)}` }]), num(1, 0)), undefined);
  assert.deepEqual(labelled(long, para('first', 1, 0)), ['first']);
});

test('docx lists: number formats', () => {
  assert.deepEqual([1, 4, 9, 14, 40, 1999].map((n) => formatNumber(n, 'upperRoman')), ['I', 'IV', 'IX', 'XIV', 'XL', 'MCMXCIX']);
  assert.deepEqual([1, 26, 27, 53].map((n) => formatNumber(n, 'lowerLetter')), ['a', 'z', 'aa', 'aaa']);
  assert.deepEqual([1, 2, 3, 11, 12, 13, 21, 102].map((n) => formatNumber(n, 'ordinal')), ['1st', '2nd', '3rd', '11th', '12th', '13th', '21st', '102nd']);
  assert.deepEqual([1, 12, 21, 40, 105].map((n) => formatNumber(n, 'ordinalText')), ['First', 'Twelfth', 'Twenty-first', 'Fortieth', 'One hundred fifth']);
  assert.deepEqual([3, 15, 70].map((n) => formatNumber(n, 'cardinalText')), ['Three', 'Fifteen', 'Seventy']);
  assert.equal(formatNumber(7, 'decimalZero'), '07');
  assert.equal(formatNumber(7, 'chineseCounting'), '7');
});

test('docx lists: a Word file reads its clause numbers and numbered headings', async () => {
  const rels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;
  const file = path.join(tempDir(), 'contract.docx');
  writeFileSync(file, buildZip([
    { name: '[Content_Types].xml', data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>' },
    { name: '_rels/.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>' },
    { name: 'word/_rels/document.xml.rels', data: rels },
    { name: 'word/numbering.xml', data: numbering(abstractNum(0, [{ start: 1, text: '%1.', style: 'Heading1' }, { start: 1, text: '%1.%2' }]), num(1, 0)) },
    { name: 'word/styles.xml', data: styles('<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>') },
    { name: 'word/document.xml', data: documentXml(para('Payment', undefined, undefined, 'Heading1'), para('Invoices are due in 30 days.', 1, 1), para('Late payment bears interest.', 1, 1), para('Termination', undefined, undefined, 'Heading1'), para('Either party may end this agreement.', 1, 1)) },
  ]));
  const d = await extractFile(file, defaultExtractOptions);
  const text = d.sections.map((s) => s.text).join('\n');
  for (const line of ['1.1 Invoices are due in 30 days.', '1.2 Late payment bears interest.', '2.1 Either party may end this agreement.']) assert.ok(text.includes(line), `${line} in:\n${text}`);
  assert.ok(!/^- /m.test(text), 'numbered paragraphs are not also read as bullet items');
  assert.deepEqual(d.sections.map((s) => s.loc?.heading).filter(Boolean), ['1. Payment', '2. Termination']);
});

// OpenDocument draws its list numbers from list styles too (odf-lists.ts).
const fodt = (styles: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:styles>${styles}</office:styles><office:body><office:text>${body}</office:text></office:body></office:document>`;
const level = (n: number, a: string) => `<text:list-level-style-number text:level="${n}" ${a}/>`;
const item = (text: string, nested = '') => `<text:list-item><text:p>${text}</text:p>${nested}</text:list-item>`;
const wrapper = (nested: string) => `<text:list-item>${nested}</text:list-item>`;

test('odt lists: levels, items that only hold a deeper list, lists continued, outline-numbered headings', async () => {
  const styles = `<text:list-style style:name="Clauses">${level(1, 'style:num-format="1" style:num-suffix="."')}${level(2, 'style:num-format="1" style:num-suffix="." text:display-levels="2"')}${level(3, 'style:num-format="a" style:num-prefix="(" style:num-suffix=")"')}</text:list-style>` +
    `<text:list-style style:name="Steps">${level(1, 'style:num-format="I" style:num-suffix="."')}<text:list-level-style-bullet text:level="2" text:bullet-char="•"/></text:list-style>` +
    `<text:outline-style style:name="Outline"><text:outline-level-style text:level="1" style:num-format="1"/><text:outline-level-style text:level="2" style:num-format="1" text:display-levels="2"/></text:outline-style>`;
  const body = `<text:h text:outline-level="1">Payment</text:h>` +
    `<text:list text:style-name="Clauses">${item('Invoices', `<text:list>${item('Due in 30 days', `<text:list>${item('by transfer')}${item('by card')}</text:list>`)}</text:list>`)}</text:list>` +
    `<text:p>An interruption.</text:p>` +
    `<text:list text:style-name="Clauses" text:continue-numbering="true">${wrapper(`<text:list>${item('Late fees')}</text:list>`)}${item('Disputes')}</text:list>` +
    `<text:list text:style-name="Clauses">${wrapper(`<text:list>${item('Fresh list, second level')}</text:list>`)}${item('Its first level')}</text:list>` +
    `<text:h text:outline-level="2">Rates</text:h><text:h text:outline-level="1">Termination</text:h>` +
    `<text:list text:style-name="Steps">${item('Notice', `<text:list>${item('in writing')}</text:list>`)}${item('Handover')}</text:list>` +
    `<table:table><table:table-row><table:table-cell><text:list text:style-name="Steps">${item('In a cell')}</text:list></table:table-cell></table:table-row></table:table>`;
  const file = path.join(tempDir(), 'terms.fodt');
  writeFileSync(file, fodt(styles, body));
  const d = await extractFile(file, defaultExtractOptions);
  const lines = d.sections.flatMap((s) => s.text.split('\n')).filter(Boolean);
  assert.deepEqual(lines, ['1 Payment', '1. Invoices', '1.1. Due in 30 days', '(a) by transfer', '(b) by card', 'An interruption.', '1.2. Late fees',
    '2. Disputes', '1.1. Fresh list, second level', '2. Its first level', '1.1 Rates', '2 Termination', 'I. Notice', 'in writing', 'II. Handover', 'I. In a cell']);
});

// numbered-clauses.doc: LibreOffice's Word 97 export of numbered-clauses.fodt beside it (`soffice --headless
// --convert-to doc numbered-clauses.fodt`): a list in three levels, headings numbered through their styles, a bullet.
test('doc lists: clause numbers, and headings numbered through their styles, from a Word 97 file', async () => {
  const d = await extractFile(path.join(fileURLToPath(new URL('../../..', import.meta.url)), 'test/data/doc/numbered-clauses.doc'), defaultExtractOptions);
  assert.deepEqual(d.sections.flatMap((s) => s.text.split('\n')).filter(Boolean), ['Harbour services agreement', '1. Berthing',
    '(1) Vessels moor at the east quay', 'a) under forty metres by day', 'b) longer vessels with a pilot', 'i. booked a day ahead',
    '(2) Mooring lines are the master\'s care', '1.1. Fees', 'Harbour dues are paid monthly', '2. Termination',
    // LibreOffice carries its second list of the same style on from the first (3), as its own text export shows it.
    '(3) Either party may end this agreement with ninety days notice']);
});

// PowerPoint draws numbered paragraphs' numbers too (a:buAutoNum; pptx-autonumber.ts).
test('pptx lists: numbered paragraphs count per level and scheme, and start again after an unnumbered one', async () => {
  const p = (text: string, lvl: number, auto?: string) =>
    `<a:p><a:pPr lvl="${lvl}">${auto ?? '<a:buChar char="•"/>'}</a:pPr>${text ? `<a:r><a:t>${text}</a:t></a:r>` : ''}</a:p>`;
  const num = (type: string, startAt?: number) => `<a:buAutoNum type="${type}"${startAt ? ` startAt="${startAt}"` : ''}/>`;
  const slide = `<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>` +
    p('Close the inlet', 0, num('arabicPeriod')) + p('', 0, num('arabicPeriod')) + p('Drain the tank', 0, num('arabicPeriod')) +
    p('slowly', 1, num('alphaLcParenR')) + p('fully', 1, num('alphaLcParenR')) + p('Check the seal', 0, num('arabicPeriod')) +
    p('A note', 0) + p('Refill', 0, num('romanUcPeriod', 4)) + p('Restart', 0, num('romanUcPeriod', 4)) +
    // A numbered line holding only a field (a slide number) is not the list's: no number is drawn for it.
    `<a:p><a:pPr lvl="0">${num('arabicPeriod')}</a:pPr><a:fld id="{1}" type="slidenum"><a:t>7</a:t></a:fld></a:p>` +
    `</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`;
  const file = path.join(tempDir(), 'steps.pptx');
  writeFileSync(file, buildZip(pptxEntries(slide)));
  const d = await extractFile(file, defaultExtractOptions);
  assert.deepEqual(d.sections.flatMap((s) => s.text.split('\n')).filter(Boolean),
    ['1. Close the inlet', '2. Drain the tank', 'a) slowly', 'b) fully', '3. Check the seal', 'A note', 'IV. Refill', 'V. Restart', '7']);
  assert.deepEqual(['arabicParenBoth', 'alphaUcParenR', 'romanLcPlain', 'arabicPlain', 'circleNumDbPlain'].map((s) => autoNumber(3, s)), ['(3)', 'C)', 'iii', '3', '3']);
});

test('lists: hostile parts stay linear, and labels hold no control characters', { timeout: 60_000 }, () => {
  const defs = new ListDefinitions(numbering(abstractNum(0, [{ start: 1, text: '%1.' }]), num(1, 0)), undefined);
  // Two megabytes of unclosed tags: scanned to the end from every '<', this took minutes.
  const hostile = documentXml(para('first', 1, 0)) + '<a'.repeat(1_000_000);
  assert.ok(labelListParagraphs(hostile, defs)?.includes('1. </w:t>'));
  // A .doc's number text: "%%" is a literal percent sign, a control character (a field mark) a space.
  const level = { start: 1, format: 'decimal', text: '%1%%\u0013', legal: false };
  const counter = new ListCounter({ level: () => ({ level, key: 'k', start: 1 }) });
  assert.equal(counter.next('1', 0), '1% ');
});

test('odt lists: a number the producer wrote (text:number) is not written twice; prefixes are decoded', async () => {
  const styles = `<text:outline-style style:name="Outline"><text:outline-level-style text:level="1" style:num-format="1" style:num-prefix="&#167;" style:num-suffix="."/></text:outline-style>` +
    `<text:list-style style:name="Amp">${level(1, 'style:num-format="1" style:num-prefix="A&amp;B-"')}</text:list-style>`;
  const body = `<text:h text:outline-level="1"><text:number>§1.</text:number>Scope</text:h><text:h text:outline-level="1">Terms</text:h>` +
    `<text:list text:style-name="Amp"><text:list-item><text:number>A&amp;B-1</text:number><text:p>first</text:p></text:list-item>${item('second')}</text:list>`;
  const file = path.join(tempDir(), 'numbers.fodt');
  writeFileSync(file, fodt(styles, body));
  const d = await extractFile(file, defaultExtractOptions);
  assert.deepEqual(d.sections.flatMap((s) => s.text.split('\n')).filter(Boolean), ['§1.Scope', '§2. Terms', 'A&B-1 first', 'A&B-2 second']);
});
