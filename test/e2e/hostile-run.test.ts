// One ingest run over hostile files mixed with good ones, through the CLI: every file ends with a status,
// the good ones are indexed and searchable, the process survives and its memory stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, parseNdjson, summaryOf, tempDir } from '../helpers/cli.js';
import * as F from '../helpers/hostile-fixtures.js';

test('a run with zip bombs, entity bombs, huge images, sparse sheets and looping PDFs indexes the good files', { timeout: 300_000 }, async () => {
  const dir = tempDir('docproc-hostile-run-');
  const zeros = await F.deflatedZeros(512 * 1024 ** 2);
  const swap = (entries: F.ZipEntry[], name: string) => entries.map((x) => (x.name === name ? { ...x, raw: zeros, data: undefined } : x));
  const files: Record<string, Buffer | string> = {
    'bomb.docx': F.buildZip(swap(F.docxEntries(F.docxBody('x')), 'word/document.xml')),
    'laughs.pptx': F.buildZip(F.pptxEntries(F.slideXml('&lol10;', F.laughsDoctype('p:sld')))),
    'xxe.xlsx': F.buildZip(F.xlsxEntries(F.sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>cell</t></is></c></row>'))),
    'huge.png': F.pngHeader(40000, 40000),
    'sparse.xlsx': F.buildZip(F.xlsxEntries(F.sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>', 'A1:XFD1048576'))),
    'loop.pdf': F.pdfSelfRefPages(),
    'count.pdf': F.pdfHugeCount(),
    'program.exe': Buffer.concat([Buffer.from('MZ'), Buffer.alloc(512)]),
    'good-1.txt': 'The harbour master logs every trawler that enters after dusk.',
    'good-2.pdf': F.pdfGood(),
    'good-3.docx': F.buildZip(F.docxEntries(F.docxBody('Quarterly beehive inspection notes'))),
  };
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  const db = path.join(tempDir(), 'i.db');
  const r = await runCli(['ingest', dir, '--db', db, '--json'], { timeoutMs: 280_000 });
  assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
  const events = new Map(parseNdjson(r.stdout).filter((e) => e['event'] === 'file').map((e) => [path.basename(String(e['path'])), e]));
  assert.equal(events.size, Object.keys(files).length, 'every file has a status');
  for (const name of ['good-1.txt', 'good-2.pdf', 'good-3.docx', 'count.pdf']) assert.equal(events.get(name)?.['status'], 'indexed', name);
  assert.equal(events.get('program.exe')?.['status'], 'skipped');
  assert.match(String(events.get('program.exe')?.['reason']), /dangerous-type/);
  for (const name of ['bomb.docx', 'huge.png', 'sparse.xlsx']) {
    const e = events.get(name)!;
    assert.ok(['failed', 'quarantined', 'skipped'].includes(String(e['status'])), `${name}: ${JSON.stringify(e)}`);
    assert.ok(String(e['reason']).length > 3, `${name} has a reason`);
  }
  assert.equal(summaryOf(r.stdout)['indexed'] as number >= 4, true);
  const hits = JSON.parse((await runCli(['search', 'beehive inspection', '--db', db, '--json', '--mode', 'keyword'])).stdout) as { path: string }[];
  assert.match(hits[0]!.path, /good-3\.docx$/);
  fs.rmSync(dir, { recursive: true, force: true });
});
