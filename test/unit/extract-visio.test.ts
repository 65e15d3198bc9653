// Visio 2013+ packages through the real extractor: pages in their list's order with their names, grouped shapes and
// fields, a stencil's masters, and a lying part refused before it is parsed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildZip, type ZipEntry } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { FileError } from '../../src/errors.js';

const TMP = tempDir('docproc-visio-');
const opts = { ...defaultExtractOptions, ocr: false };
after(() => closeExtractors());

const NS = "xmlns='http://schemas.microsoft.com/office/visio/2012/main' xmlns:r='http://schemas.openxmlformats.org/officeDocument/2006/relationships'";
const types = (main: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/visio/document.xml" ContentType="application/vnd.ms-visio.${main}.main+xml"/></Types>`;
const rels = (targets: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${targets.map((t, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.microsoft.com/visio/2010/relationships/page" Target="${t}"/>`).join('')}</Relationships>`;
const shapes = (body: string) => `<?xml version='1.0' encoding='utf-8' ?><PageContents ${NS}><Shapes>${body}</Shapes></PageContents>`;
const shape = (text: string, inner = '') => `<Shape ID='1' Type='Shape'><Cell N='PinX' V='1'/>${inner}<Text><cp IX='0'/>${text}\r\n</Text></Shape>`;

function visioEntries(main: string, list: 'pages' | 'masters', parts: { name: string; body: string }[]): ZipEntry[] {
  const item = list === 'pages' ? 'Page' : 'Master';
  return [
    { name: '[Content_Types].xml', data: types(main) },
    { name: 'visio/document.xml', data: `<?xml version='1.0' encoding='utf-8' ?><VisioDocument ${NS}/>` },
    // Listed in an order other than the part names', as Visio does after pages are reordered.
    { name: `visio/${list}/${list}.xml`, data: `<?xml version='1.0' encoding='utf-8' ?><${item}s ${NS}>${parts.map((p, i) => `<${item} ID='${i}' Name='${p.name}'><Rel r:id='rId${parts.length - i}'/></${item}>`).join('')}</${item}s>` },
    { name: `visio/${list}/_rels/${list}.xml.rels`, data: rels(parts.map((_, i) => `${item.toLowerCase()}${i + 1}.xml`)) },
    ...parts.map((p, i) => ({ name: `visio/${list}/${item.toLowerCase()}${parts.length - i}.xml`, data: shapes(p.body) })),
  ];
}

function write(name: string, entries: ZipEntry[]): string {
  const file = path.join(TMP, name);
  writeFileSync(file, buildZip(entries));
  return file;
}

const visio = (name: string, main: string, list: 'pages' | 'masters', parts: { name: string; body: string }[]) => write(name, visioEntries(main, list, parts));

test('a Visio drawing: each page a section in the list order, named; grouped shapes and field values read', async () => {
  const file = visio('network.vsdx', 'drawing', 'pages', [
    { name: 'Office LAN', body: shape('Core switch') + `<Shape ID='2' Type='Group'><Shapes>${shape('Firewall')}${shape('Router &amp; modem')}</Shapes></Shape>` },
    { name: 'Backups', body: `<Shape ID='3'><Text><cp IX='0'/>Nightly copy at <fld IX='0'>02:00</fld>\r\n</Text></Shape>` },
  ]);
  const d = await extractFile(file, opts);
  assert.equal(d.type, 'vsdx');
  assert.equal(d.pages, 2);
  assert.deepEqual(d.sections.map((s) => [s.loc.page, s.loc.heading, s.text]), [
    [1, 'Office LAN', 'Core switch\nFirewall\nRouter & modem'],
    [2, 'Backups', 'Nightly copy at 02:00'],
  ]);
});

test('a Visio stencil has no pages: its masters are read', async () => {
  const file = visio('shapes.vssx', 'stencil', 'masters', [{ name: 'Server', body: shape('Rack server') }]);
  const d = await extractFile(file, opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.heading, s.text]), [['Server', 'Rack server']]);
});

test("a shape dropped from a stencil shows its master's text until it has its own; a group's parts take theirs by MasterShape", async () => {
  const entries = visioEntries('drawing', 'pages', [{
    name: 'Site plan',
    body:
      // An instance of the title block with no text of its own: the master's text is what Visio shows.
      `<Shape ID='1' Master='2'/>` +
      // A grouped instance: one part overrides its master shape's text, the other shows the master's.
      `<Shape ID='2' Type='Group' Master='3'><Shapes><Shape ID='3' MasterShape='6'><Text><cp IX='0'/>Pier 4</Text></Shape><Shape ID='4' MasterShape='7'/></Shapes></Shape>` +
      // An empty Text of its own overrides the master's: nothing is shown, nothing is read.
      `<Shape ID='5' Master='2'><Text/></Shape>`,
  }]);
  const masterPart = (body: string) => `<?xml version='1.0' encoding='utf-8' ?><MasterContents ${NS}><Shapes>${body}</Shapes></MasterContents>`;
  entries.push(
    // Master IDs are not the part names' numbers: the list's relationships decide.
    { name: 'visio/masters/masters.xml', data: `<?xml version='1.0' encoding='utf-8' ?><Masters ${NS}><Master ID='2' Name='Title block'><Rel r:id='rId1'/></Master><Master ID='3' Name='Berth'><Rel r:id='rId2'/></Master></Masters>` },
    { name: 'visio/masters/_rels/masters.xml.rels', data: rels(['master1.xml', 'master2.xml']).replace(/relationships\/page/g, 'relationships/master') },
    { name: 'visio/masters/master1.xml', data: masterPart(shape('Drawn by: harbour office')) },
    { name: 'visio/masters/master2.xml', data: masterPart(`<Shape ID='5' Type='Group'><Shapes><Shape ID='6'><Text>Berth name</Text></Shape><Shape ID='7'><Text>Depth 9 m</Text></Shape></Shapes></Shape>`) },
  );
  const d = await extractFile(write('site.vsdx', entries), opts);
  assert.deepEqual(d.sections.map((s) => s.text), ['Drawn by: harbour office\nPier 4\nDepth 9 m']);
});

test("thousands of instances of a master with a long text stop at the character budget", async () => {
  // About 209 KB, shown by each of 3,000 instances: 627 MB unbounded, past the longest string V8 builds (this failed
  // as "corrupt: Invalid string length" before the budget stopped it).
  const long = 'Berth rules apply. '.repeat(11_000);
  const entries = visioEntries('drawing', 'pages', [{ name: 'Quay', body: Array.from({ length: 3000 }, (_, i) => `<Shape ID='${i + 1}' Master='2'/>`).join('') }]);
  entries.push(
    { name: 'visio/masters/masters.xml', data: `<?xml version='1.0' encoding='utf-8' ?><Masters ${NS}><Master ID='2' Name='Rules'><Rel r:id='rId1'/></Master></Masters>` },
    { name: 'visio/masters/_rels/masters.xml.rels', data: rels(['master1.xml']).replace(/relationships\/page/g, 'relationships/master') },
    { name: 'visio/masters/master1.xml', data: `<?xml version='1.0' encoding='utf-8' ?><MasterContents ${NS}><Shapes>${shape(long)}</Shapes></MasterContents>` },
  );
  const d = await extractFile(write('quay.vsdx', entries), { ...opts, maxChars: 200_000 });
  const text = d.sections.map((s) => s.text).join('');
  assert.ok(text.length <= 200_000 && text.startsWith('Berth rules apply.'), `${text.length} characters`);
});

test('a Visio page that inflates past its declared size fails as zip-bomb before it is parsed', async () => {
  const entries = visioEntries('drawing', 'pages', [{ name: 'P', body: shape('fine') }]);
  const lying = entries.map((e) => (e.name === 'visio/pages/page1.xml' ? { ...e, data: `<x>${' '.repeat(200_000)}</x>`, declaredSize: 10 } : e));
  await assert.rejects(extractFile(write('lying.vsdx', lying), opts), (e: unknown) => e instanceof FileError && e.status === 'failed' && /^zip-bomb/.test(e.message));
});
