// One ingest run over hostile files mixed with good ones, through the CLI: every file ends with a status,
// the good ones are indexed and searchable, the process survives and its memory stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, parseNdjson, summaryOf, tempDir, repoRoot } from '../helpers/cli.js';
import * as F from '../helpers/hostile-fixtures.js';

test('a run with zip bombs, entity bombs, huge images, sparse sheets and looping PDFs indexes the good files', { timeout: 300_000 }, async () => {
  const dir = tempDir('docproc-hostile-run-');
  const zeros = await F.deflatedZeros(512 * 1024 ** 2);
  const swap = (entries: F.ZipEntry[], name: string) => entries.map((x) => (x.name === name ? { ...x, raw: zeros, data: undefined } : x));
  const files: Record<string, Buffer | string> = {
    'bomb.docx': F.buildZip(swap(F.docxEntries(F.docxBody('x')), 'word/document.xml')),
    // document.xml is fine; styles.xml (read by mammoth, not by our extractor) lies about its size.
    'bomb-styles.docx': F.buildZip([...F.docxEntries(F.docxBody('x')), { name: 'word/styles.xml', raw: zeros, declaredSize: 1000 }]),
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
  // Some files fail, none crash the run: exit 3 (some files failed), never 1.
  assert.equal(r.code, 3, r.stderr);
  const events = new Map(parseNdjson(r.stdout).filter((e) => e['event'] === 'file').map((e) => [path.basename(String(e['path'])), e]));
  // "status reason", with a bomb's exact ratio (which depends on the zlib build) left out.
  const outcome = (e: Record<string, unknown>) => (e['reason'] === undefined ? String(e['status']) : `${String(e['status'])} ${String(e['reason'])}`).replace(/ratio \d+ >/, 'ratio N >');
  const outcomes = Object.fromEntries([...events].map(([name, e]) => [name, outcome(e)]));
  assert.deepEqual(outcomes, {
    'bomb.docx': 'failed zip-bomb: entry word/document.xml ratio N > 100',
    'bomb-styles.docx': 'failed zip-bomb: entry word/styles.xml inflates past its declared 1000 bytes',
    'laughs.pptx': 'indexed',
    'xxe.xlsx': 'indexed',
    'huge.png': 'failed image-too-large: png: 40000x40000 = 1600000000 pixels > 50000000',
    'sparse.xlsx': 'failed too-large: every non-empty sheet exceeds maxCells 2000000',
    // Its page tree holds itself: read through a tree rebuilt from its page object (pdf-salvage.ts).
    'loop.pdf': 'indexed',
    'count.pdf': 'indexed',
    'program.exe': 'skipped dangerous-type: extension .exe',
    'good-1.txt': 'indexed',
    'good-2.pdf': 'indexed',
    'good-3.docx': 'indexed',
  });
  const sum = summaryOf(r.stdout);
  assert.deepEqual([sum['indexed'], sum['skipped'], sum['failed'], sum['quarantined'], sum['empty']], [7, 1, 4, 0, 0]);
  const hits = JSON.parse((await runCli(['search', 'beehive inspection', '--db', db, '--json', '--mode', 'keyword'])).stdout) as { path: string }[];
  assert.match(hits[0]!.path, /good-3\.docx$/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('damaged PDFs whose pdf.js errors go unhandled, and a workbook with an empty deflated entry, end with a status; no worker dies', { timeout: 180_000 }, async () => {
  const dir = tempDir('docproc-hostile-pdfjs-');
  // Mutated copies of the repo's own fixtures, from a fuzzing run: pdf.js rejected a promise nobody awaited, at times
  // after the file's reply, and the worker exited (quarantined: crashed), at times during the next file.
  const data = path.join(repoRoot, 'test', 'data', 'damaged');
  for (const f of fs.readdirSync(data)) fs.copyFileSync(path.join(data, f), path.join(dir, f));
  // SheetJS's inflater, given an entry of no bytes marked deflated, ran 10^8 turns and grew past 1 GB.
  const emptyDeflated = { name: 'xl/empty.xml', raw: { deflated: Buffer.alloc(0), crc: 0, size: 0 } };
  const cell = '<row r="1"><c r="A1" t="inlineStr"><is><t>lighthouse keeper rota</t></is></c></row>';
  fs.writeFileSync(path.join(dir, 'empty-entry.xlsx'), F.buildZip([...F.xlsxEntries(F.sheetXml(cell)), emptyDeflated]));
  for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(dir, `good-${i}.txt`), `Tide table note ${i}: the ferry waits for the evening tide.`);
  const db = path.join(tempDir(), 'i.db');
  const r = await runCli(['ingest', dir, '--db', db, '--json', '--no-ocr'], { timeoutMs: 170_000 });
  const events = parseNdjson(r.stdout).filter((e) => e['event'] === 'file');
  assert.equal(events.length, 9, r.stdout);
  for (const e of events) assert.notEqual(e['status'], 'quarantined', JSON.stringify(e));
  const status = (name: string) => events.find((e) => path.basename(String(e['path'])) === name)?.['status'];
  assert.equal(status('empty-entry.xlsx'), 'indexed');
  for (let i = 0; i < 4; i++) assert.equal(status(`good-${i}.txt`), 'indexed');
  assert.equal(summaryOf(r.stdout)['quarantined'], 0);
  const hits = JSON.parse((await runCli(['search', 'lighthouse keeper', '--db', db, '--json', '--mode', 'keyword'])).stdout) as { path: string }[];
  assert.match(hits[0]!.path, /empty-entry\.xlsx$/);
  fs.rmSync(dir, { recursive: true, force: true });
});
