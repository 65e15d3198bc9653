// Objects embedded in an OpenDocument text (a chart, a formula) are read where they are anchored: the chart's title and
// data table a row to a line, the formula as its StarMath text, not its MathML letter by letter.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildZip } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';

const TMP = tempDir('docproc-odt-objects-');
const opts = { ...defaultExtractOptions, ocr: false };
after(() => closeExtractors());

const NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:chart="urn:oasis:names:tc:opendocument:xmlns:chart:1.0"';
const object = (href: string) => `<draw:frame><draw:object xlink:href="${href}" xlink:type="simple"/><draw:image xlink:href="./ObjectReplacements/${href.replace('./', '')}"/></draw:frame>`;
const cell = (t: string) => `<table:table-cell><text:p>${t}</text:p></table:table-cell>`;

test('an embedded chart and formula are read in place; a reference outside the package is not followed', async () => {
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS}><office:body><office:text>
    <text:p>Crossings rose through the year.</text:p>
    <text:p>${object('./Object 1')}</text:p>
    <text:p>Fares follow the rule ${object('./Object 2')}</text:p>
    <text:p>${object('../../etc/passwd')}Nothing else.</text:p>
  </office:text></office:body></office:document-content>`;
  const chart = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS}><office:body><office:chart><chart:chart>
    <chart:title><text:p>Ferry crossings per quarter</text:p></chart:title>
    <table:table table:name="local-table"><table:table-header-rows><table:table-row>${cell('')}${cell('Crossings')}</table:table-row></table:table-header-rows>
    <table:table-rows><table:table-row>${cell('Q1')}${cell('1200')}</table:table-row><table:table-row>${cell('Q2')}${cell('1850')}</table:table-row></table:table-rows></table:table>
  </chart:chart></office:chart></office:body></office:document-content>`;
  const formula = `<?xml version="1.0" encoding="UTF-8"?><math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><semantics><mrow><mi>f</mi><mo>=</mo><mn>2</mn><mi>d</mi></mrow><annotation encoding="StarMath 5.0">f = 2 d</annotation></semantics></math>`;
  const file = path.join(TMP, 'report.odt');
  writeFileSync(file, buildZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    { name: 'META-INF/manifest.xml', data: '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>' },
    { name: 'content.xml', data: content },
    { name: 'Object 1/content.xml', data: chart },
    { name: 'Object 2/content.xml', data: formula },
  ]));
  assert.equal((await detectType(file)).type, 'odt');
  const text = (await extractFile(file, opts)).sections.map((s) => s.text).join('\n');
  assert.equal(text.replace(/\n+/g, '\n').trim(), [
    'Crossings rose through the year.',
    'Ferry crossings per quarter',
    '| Crossings',
    'Q1 | 1200',
    'Q2 | 1850',
    'Fares follow the rule',
    'f = 2 d',
    'Nothing else.',
  ].join('\n'));
});

test("an embedded object's pages are not the presentation's slides; an object shown twice is read once; a broken one is a warning", async () => {
  const impress = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS}><office:body><office:presentation>
    <draw:page draw:name="inner"><draw:frame><draw:text-box><text:p>Inner slide text</text:p></draw:text-box></draw:frame></draw:page>
  </office:presentation></office:body></office:document-content>`;
  const page = (text: string, extra = '') => `<draw:page><draw:frame><draw:text-box><text:p>${text}</text:p></draw:text-box></draw:frame>${extra}</draw:page>`;
  const frame = (href: string) => `<draw:frame><draw:object xlink:href="${href}"/></draw:frame>`;
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS}><office:body><office:presentation>
    ${page('Harbour plan', frame('./Object 1'))}${page('Second slide', frame('./Object 1') + frame('./Object 2'))}
  </office:presentation></office:body></office:document-content>`;
  const file = path.join(TMP, 'deck.odp');
  writeFileSync(file, buildZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.presentation' },
    { name: 'content.xml', data: content },
    { name: 'Object 1/content.xml', data: impress },
    // Its directory says 10 bytes; it holds more: a bad object, not a bad presentation.
    { name: 'Object 2/content.xml', data: `<x>${' '.repeat(50_000)}</x>`, declaredSize: 10 },
  ]));
  const d = await extractFile(file, opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.slide, s.text.replace(/\n+/g, '\n').trim()]), [[1, 'Harbour plan\nInner slide text'], [2, 'Second slide']]);
  assert.equal(d.warnings.length, 1);
  assert.match(d.warnings[0]!, /^embedded object Object 2: not read: zip-bomb: entry Object 2\/content\.xml inflates past its declared 10 bytes$/);
});

test('a flat OpenDocument file behind a UTF-8 byte order mark is still detected as one', async () => {
  const file = path.join(TMP, 'marked.fodt');
  writeFileSync(file, '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- saved by hand -->\n<office:document office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text><text:p>Marked</text:p></office:text></office:body></office:document>');
  assert.equal((await detectType(file)).type, 'fodt');
  assert.deepEqual((await extractFile(file, opts)).sections.map((s) => s.text), ['Marked']);
});
