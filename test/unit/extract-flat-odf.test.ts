// Flat OpenDocument (one XML file: .fodt, .fodp, .fods) is detected from its root and read like its zipped twin,
// without its metadata or inlined pictures; an iBooks Author book (.ibooks) is read as the EPUB it is.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildZip } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';

const TMP = tempDir('docproc-flat-odf-');
const opts = { ...defaultExtractOptions, ocr: false };
after(() => closeExtractors());

// The root's namespace declarations run past 2 KB in LibreOffice's files, before office:mimetype.
const NAMESPACES = Array.from({ length: 40 }, (_, i) => `xmlns:ns${i}="urn:oasis:names:tc:opendocument:xmlns:example-namespace:${i}"`).join(' ');
const flat = (kind: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<office:document ${NAMESPACES} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.${kind}">${inner}</office:document>`;

function write(name: string, data: string | Buffer): string {
  const file = path.join(TMP, name);
  writeFileSync(file, data);
  return file;
}

test('a flat text document: body, table and footnote read, then the footer; metadata and inlined pictures are not text', async () => {
  const file = write('minutes.fodt', flat('text', `
    <office:meta><meta:creation-date>2020-05-18T22:07:17</meta:creation-date><meta:generator>LibreOffice/6.4</meta:generator></office:meta>
    <office:settings><config:config-item config:name="ViewAreaTop">12197</config:config-item></office:settings>
    <office:master-styles><style:master-page style:name="Standard"><style:footer><text:p>Harbour board minutes</text:p></style:footer></style:master-page></office:master-styles>
    <office:body><office:text>
      <text:h text:outline-level="1">Winter timetable</text:h>
      <text:p>The first boat leaves at six<text:note text:note-class="footnote"><text:note-body><text:p>Except on Sundays.</text:p></text:note-body></text:note>.</text:p>
      <text:p><draw:frame><draw:image><office:binary-data>iVBORw0KGgoAAAANSUhEUgAAAXYAAAFECAYAAAAz7BXD</office:binary-data></draw:image></draw:frame>Freight on request.</text:p>
      <table:table><table:table-row><table:table-cell><text:p>Pier</text:p></table:table-cell><table:table-cell><text:p>North</text:p></table:table-cell></table:table-row></table:table>
    </office:text></office:body>`));
  assert.equal((await detectType(file)).type, 'fodt');
  const d = await extractFile(file, opts);
  assert.equal(d.type, 'fodt');
  assert.deepEqual(d.sections.map((s) => [s.loc.heading, s.text]), [
    ['Winter timetable', 'Winter timetable\nThe first boat leaves at six.\nFreight on request.\nPier | North'],
    ['Footnotes', 'Except on Sundays.'],
    ['Footer', 'Harbour board minutes'],
  ]);
});

test('a flat presentation reads slide by slide; a flat spreadsheet reads as a sheet; a plain .xml stays XML', async () => {
  const slides = write('deck.fodp', flat('presentation', `<office:body><office:presentation>
    <draw:page draw:name="p1"><draw:frame><draw:text-box><text:p>Ferry routes</text:p></draw:text-box></draw:frame></draw:page>
    <draw:page draw:name="p2"><draw:frame><draw:text-box><text:p>Fares for 2027</text:p></draw:text-box></draw:frame></draw:page>
  </office:presentation></office:body>`));
  const deck = await extractFile(slides, opts);
  assert.equal(deck.type, 'fodt');
  assert.deepEqual(deck.sections.map((s) => [s.loc.slide, s.text]), [[1, 'Ferry routes'], [2, 'Fares for 2027']]);
  const sheet = write('fares.fods', flat('spreadsheet', `<office:body><office:spreadsheet><table:table table:name="Fares">
    <table:table-row><table:table-cell office:value-type="string"><text:p>Route</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Adult</text:p></table:table-cell></table:table-row>
    <table:table-row><table:table-cell office:value-type="string"><text:p>Island</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="4.5"><text:p>4.5</text:p></table:table-cell></table:table-row>
  </table:table></office:spreadsheet></office:body>`));
  const fares = await extractFile(sheet, opts);
  assert.equal(fares.type, 'fods');
  assert.match(fares.sections.map((s) => s.text).join('\n'), /Island[^\n]*4\.5/);
  assert.equal((await detectType(write('plain.xml', '<?xml version="1.0"?><office:document office:mimetype="application/vnd.oasis.opendocument.text"/>'))).type, 'xml');
});

test('an iBooks Author book (.ibooks, its own mimetype) is read as an EPUB', async () => {
  const file = write('guide.ibooks', buildZip([
    { name: 'mimetype', data: 'application/x-ibooks+zip' },
    { name: 'META-INF/container.xml', data: '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>' },
    { name: 'OPS/book.opf', data: '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0"><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>' },
    { name: 'OPS/c1.xhtml', data: '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><h1>Tide tables</h1><p>High water at noon.</p></body></html>' },
  ]));
  const d = await extractFile(file, opts);
  assert.equal(d.type, 'epub');
  assert.match(d.sections.map((s) => s.text).join('\n'), /High water at noon/);
});
