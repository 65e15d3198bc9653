// Text Office files keep outside their main parts: SmartArt diagrams and charts on slides, in Word documents and on
// worksheets, a worksheet's text boxes, Word's alternative-format chunks (HTML, MHT), and web archives (.mht) as
// MIME messages. Through the real extractors, on packages built part by part.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp.js';
import * as F from '../helpers/hostile-fixtures.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';
import { graphicRefs } from '../../src/extract/ooxml-graphics.js';

const TMP = tempDir('docproc-ooxml-graphics-');
after(() => closeExtractors());
const opts = { ...defaultExtractOptions, ocr: false };
const file = (name: string, data: Buffer | string) => {
  const p = path.join(TMP, name);
  writeFileSync(p, data);
  return p;
};
const A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"';
const R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const rels = (...r: [string, string, string][]) =>
  `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${r
    .map(([id, type, target]) => `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`)
    .join('')}</Relationships>`;
const para = (t: string) => `<a:p><a:r><a:t>${t}</a:t></a:r></a:p>`;
/** SmartArt's data part: one point per text, and the connections between them (which hold none). */
const diagram = (...texts: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" ${A}><dgm:ptLst>${texts
    .map((t, i) => `<dgm:pt modelId="${i + 1}"><dgm:t><a:bodyPr/>${para(t)}</dgm:t></dgm:pt><dgm:pt modelId="${i + 100}" type="parTrans"><dgm:t>${para('not a label')}</dgm:t></dgm:pt>`)
    .join('')}</dgm:ptLst></dgm:dataModel>`;
/** A bar chart: a title, an axis title, two series named from cells, string categories and numbers. */
const chart = `<?xml version="1.0" encoding="UTF-8"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" ${A}><c:chart>
  <c:title><c:tx><c:rich><a:bodyPr/>${para('Ferry passengers by month')}</c:rich></c:tx></c:title><c:plotArea><c:barChart>
  <c:ser><c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:pt idx="0"><c:v>Westray route</c:v></c:pt></c:strCache></c:strRef></c:tx>
    <c:cat><c:strRef><c:strCache><c:pt idx="0"><c:v>January</c:v></c:pt><c:pt idx="1"><c:v>February</c:v></c:pt></c:strCache></c:strRef></c:cat>
    <c:val><c:numRef><c:numCache><c:pt idx="0"><c:v>1200</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser>
  <c:ser><c:tx><c:v>Sanday route</c:v></c:tx><c:cat><c:strRef><c:strCache><c:pt idx="0"><c:v>January</c:v></c:pt></c:strCache></c:strRef></c:cat></c:ser>
  </c:barChart><c:valAx><c:title><c:tx><c:rich>${para('Passengers')}</c:rich></c:tx></c:title></c:valAx></c:plotArea></c:chart></c:chartSpace>`;
const text = async (p: string) => (await extractFile(p, opts)).sections.map((s) => s.text).join('\n');

test('a slide\'s SmartArt and chart are read where the slide places them; connections are not labels', async () => {
  const slide = `<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" ${A} ${R}
    xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"><p:cSld><p:spTree>
    <p:sp><p:txBody>${para('Harbour board')}</p:txBody></p:sp>
    <p:graphicFrame><a:graphic><a:graphicData><c:chart r:id="rId3"/></a:graphicData></a:graphic></p:graphicFrame>
    <p:graphicFrame><a:graphic><a:graphicData><dgm:relIds r:dm="rId2" r:lo="rId9"/></a:graphicData></a:graphic></p:graphicFrame>
    </p:spTree></p:cSld></p:sld>`;
  const entries = [...F.pptxEntries(slide),
    { name: 'ppt/slides/_rels/slide1.xml.rels', data: rels(['rId2', 'diagramData', '../diagrams/data1.xml'], ['rId3', 'chart', '../charts/chart1.xml']) },
    { name: 'ppt/diagrams/data1.xml', data: diagram('Harbour master', 'Pilot', 'Deck crew') },
    { name: 'ppt/charts/chart1.xml', data: chart }];
  const t = await text(file('graphics.pptx', F.buildZip(entries)));
  assert.equal(t, 'Harbour board\nFerry passengers by month\nPassengers\nWestray route\nSanday route\nJanuary, February\nHarbour master\nPilot\nDeck crew');
});

test('a chart that cannot be read is a warning: the slide keeps its text, the deck its other slides', async () => {
  const slide = `<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" ${A} ${R}
    xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"><p:cSld><p:spTree><p:sp><p:txBody>${para('Harbour board')}</p:txBody></p:sp>
    <p:graphicFrame><a:graphic><a:graphicData><c:chart r:id="rId3"/></a:graphicData></a:graphic></p:graphicFrame></p:spTree></p:cSld></p:sld>`;
  const entries = [...F.pptxEntries(slide),
    { name: 'ppt/slides/_rels/slide1.xml.rels', data: rels(['rId3', 'chart', '../charts/chart1.xml']) },
    { name: 'ppt/charts/chart1.xml', raw: { deflated: Buffer.from('not deflate data at all'), crc: 0, size: 900 } }];
  const doc = await extractFile(file('bad-chart.pptx', F.buildZip(entries)), opts);
  assert.equal(doc.sections.map((s) => s.text).join('\n'), 'Harbour board');
  assert.ok(doc.warnings.some((w) => /^slide 1 graphics: /.test(w)), doc.warnings.join('; '));
});

test('chart references are found in linear time among many unclosed <c:chart tags', () => {
  assert.deepEqual(graphicRefs('<c:chart r:id="rId3"/><dgm:relIds r:dm="rId2" r:lo="rId9"/><c:chart\n r:id="rId4">'), ['rId3', 'rId2', 'rId4']);
  // Quadratic, this takes minutes; the bound only has to tell the two apart.
  const t0 = process.hrtime.bigint();
  assert.deepEqual(graphicRefs(`${'<c:chart r:x="1" '.repeat(200_000)}>`), []);
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e9 < 10);
});

test('a Word document\'s diagrams and charts follow its body; an HTML chunk it shows is read too', async () => {
  const body = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ${R}
    xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram"><w:body><w:p><w:r><w:t>The report.</w:t></w:r></w:p>
    <w:p><w:r><w:drawing><dgm:relIds r:dm="rId5"/></w:drawing></w:r></w:p><w:altChunk r:id="rId6"/></w:body></w:document>`;
  const entries = [...F.docxEntries(body),
    { name: 'word/_rels/document.xml.rels', data: rels(['rId5', 'diagramData', 'diagrams/data1.xml'], ['rId6', 'aFChunk', 'chunk.html']) },
    { name: 'word/diagrams/data1.xml', data: diagram('Plan', 'Build', 'Launch') },
    { name: 'word/chunk.html', data: '<!DOCTYPE html><html><body><p>Imported from a web page.</p></body></html>' }];
  const doc = await extractFile(file('graphics.docx', F.buildZip(entries)), opts);
  assert.deepEqual(doc.sections.map((s) => [s.loc.heading, s.text]), [[undefined, 'The report.'], ['Charts and diagrams', 'Plan\nBuild\nLaunch'], ['chunk.html', 'Imported from a web page.']]);
});

test('a worksheet\'s text boxes and charts are read with its cells', async () => {
  const drawing = `<?xml version="1.0" encoding="UTF-8"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" ${A} ${R}
    xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"><xdr:twoCellAnchor><xdr:sp><xdr:txBody>${para('Figures are provisional')}</xdr:txBody></xdr:sp></xdr:twoCellAnchor>
    <xdr:twoCellAnchor><xdr:graphicFrame><a:graphic><a:graphicData><c:chart r:id="rId1"/></a:graphicData></a:graphic></xdr:graphicFrame></xdr:twoCellAnchor></xdr:wsDr>`;
  const entries = [...F.xlsxEntries(F.sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>Tide table</t></is></c></row>')),
    { name: 'xl/worksheets/_rels/sheet1.xml.rels', data: rels(['rId1', 'drawing', '../drawings/drawing1.xml']) },
    { name: 'xl/drawings/drawing1.xml', data: drawing },
    { name: 'xl/drawings/_rels/drawing1.xml.rels', data: rels(['rId1', 'chart', '../charts/chart1.xml']) },
    { name: 'xl/charts/chart1.xml', data: chart }];
  const doc = await extractFile(file('graphics.xlsx', F.buildZip(entries)), opts);
  assert.deepEqual(doc.sections.map((s) => s.loc.sheet), ['Sheet1', 'Sheet1']);
  assert.equal(doc.sections[0]!.text, 'Figures are provisional\nFerry passengers by month\nPassengers\nWestray route\nSanday route\nJanuary, February');
  assert.match(doc.sections[1]!.text, /Tide table/);
});

test('a web archive (.mht) is a MIME message: its page is read, not its headers and encoded pictures', async () => {
  const mht = ['From: <Saved by Windows Internet Explorer 8>', 'Subject: Lighthouse visits', 'MIME-Version: 1.0',
    'Content-Type: multipart/related; type="text/html"; boundary="b1"', '', '--b1', 'Content-Type: text/html; charset="utf-8"',
    'Content-Transfer-Encoding: quoted-printable', '', '<html><body><p>Tours leave the pier at ten.</p></body></html>', '--b1',
    'Content-Type: image/png', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgoAAAANSUhEUgAAAAUA', '--b1--', ''].join('\r\n');
  const p = file('page.mht', mht);
  assert.equal((await detectType(p)).type, 'eml');
  const t = await text(p);
  assert.match(t, /Tours leave the pier at ten\./);
  assert.doesNotMatch(t, /iVBORw0KGgo|Content-Transfer-Encoding/);
  // A page that merely mentions a header further down stays a page.
  assert.equal((await detectType(file('page.html', '<!DOCTYPE html><html><body>MIME-Version: 1.0</body></html>'))).type, 'html');
  // Named .mht but saved as a plain page: its bytes decide, and it is read as the page it is.
  const plain = file('plain.mht', '<!DOCTYPE html><html><body><p>The pier opens at nine.</p></body></html>');
  assert.equal((await detectType(plain)).type, 'html');
  assert.match(await text(plain), /The pier opens at nine\./);
});
