// The CLI contract, run as a child process: exit codes, stdout/stderr separation, --json shapes, semantic search.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { buildZip } from '../helpers/hostile-fixtures.js';
import { runCli, spawnCli, parseNdjson, summaryOf, tempDir, fixturesDir } from '../helpers/cli.js';

let work: string;
let db: string;

before(async () => {
  work = tempDir();
  db = path.join(work, 'index.db');
  const r = await runCli(['ingest', fixturesDir, '--db', db, '--json'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
});

test('--help and --version exit 0; unknown commands and flags exit 2', async () => {
  assert.equal((await runCli(['--help'])).code, 0);
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
  assert.equal((await runCli(['bogus'])).code, 2);
  assert.equal((await runCli(['ingest', '--no-such-flag', '.'])).code, 2);
  assert.equal((await runCli(['search'])).code, 2);
});

test('invalid configuration exits 2 naming the key', async () => {
  const env = await runCli(['ingest', fixturesDir, '--db', path.join(work, 'x.db')], { env: { DOCPROC_CHUNK_TOKENS: 'lots' } });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /chunkTokens/);
  const overlap = await runCli(['ingest', fixturesDir, '--db', path.join(work, 'x.db'), '--chunk-tokens', '64', '--chunk-overlap', '64']);
  assert.equal(overlap.code, 2);
  assert.match(overlap.stderr, /chunkOverlap/);
  const cfgDir = tempDir();
  fs.writeFileSync(path.join(cfgDir, 'docproc.config.json'), JSON.stringify({ device: 'tpu' }));
  const file = await runCli(['status'], { cwd: cfgDir });
  assert.equal(file.code, 2);
  assert.match(file.stderr, /device/);
  fs.writeFileSync(path.join(cfgDir, 'docproc.config.json'), JSON.stringify({ chunkTokenz: 3 }));
  assert.match((await runCli(['status'], { cwd: cfgDir })).stderr, /unknown config key.*chunkTokenz/);
});

test('precedence: flag > env > config file > default', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'docproc.config.json'), JSON.stringify({ batchSize: 7, chunkTokens: 100 }));
  const cfg = async (args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> => {
    const r = await runCli(['config', '--json', ...args], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries((JSON.parse(r.stdout) as { key: string; value: unknown }[]).map((x) => [x.key, x.value]));
  };
  assert.equal((await cfg([]))['batchSize'], 7);
  assert.equal((await cfg([], { DOCPROC_BATCH_SIZE: '9' }))['batchSize'], 9);
  assert.equal((await cfg(['--db', 'flag.db'], { DOCPROC_DB: 'env.db' }))['db'], 'flag.db');
  assert.equal((await cfg([], { DOCPROC_DB: 'env.db' }))['db'], 'env.db');
  assert.equal((await cfg([]))['chunkOverlap'], 38);
});

test('ingest --json: NDJSON file events and a summary on stdout only', async () => {
  const other = path.join(work, 'again.db');
  const r = await runCli(['ingest', fixturesDir, '--db', other, '--json'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  const events = parseNdjson(r.stdout);
  const files = events.filter((e) => e['event'] === 'file');
  // Every fixture is a good document: each must be indexed, none may slip to skipped, empty or failed.
  const fixtureNames = fs.readdirSync(path.join(fixturesDir, 'docs')).sort();
  assert.deepEqual(files.map((f) => path.basename(String(f['path']))).sort(), fixtureNames);
  for (const f of files) {
    assert.equal(f['status'], 'indexed', JSON.stringify(f));
    assert.ok((f['chunks'] as number) > 0);
  }
  const s = summaryOf(r.stdout);
  for (const k of ['indexed', 'unchanged', 'skipped', 'empty', 'failed', 'chunks', 'durationMs']) assert.equal(typeof s[k], 'number', k);
  assert.equal(s['indexed'], files.filter((f) => f['status'] === 'indexed').length);
  assert.equal(s['failed'], 0);
});

test('re-ingesting an unchanged tree reads nothing and calls no model', async () => {
  const r = await runCli(['ingest', fixturesDir, '--db', db, '--json'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  const s = summaryOf(r.stdout);
  assert.equal(s['indexed'], 0);
  assert.equal(s['modelCalls'], 0);
  assert.equal(s['writes'], 0);
  assert.ok((s['unchanged'] as number) >= 10);
});

test('search --json: a paraphrase finds the right document at rank 1', async () => {
  const cases: [string, RegExp][] = [
    ['how long does a planet take to go around the sun compared with its distance', /orbital-mechanics\.pdf$/],
    ['keeping a bread culture alive by feeding it', /sourdough\.md$/],
    // (Not "crossing times and fares": the scanned ferry-fares table answers that one as rightly.)
    ['when does the first boat leave the island', /ferry-timetable/],
  ];
  for (const [query, expected] of cases) {
    const r = await runCli(['search', query, '--db', db, '--json', '-k', '3'], { cwd: work });
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(hits.length > 0 && hits.length <= 3);
    assert.match(String(hits[0]!['path']), expected, `${query} -> ${hits.map((h) => h['path']).join(', ')}`);
    for (const [i, h] of hits.entries()) {
      assert.equal(h['rank'], i + 1);
      for (const k of ['score', 'path', 'chunk', 'text', 'location']) assert.ok(k in h, k);
    }
  }
});

test('search: table on stdout; empty index and missing index are clear errors', async () => {
  const r = await runCli(['search', 'lighthouse fog bell', '--db', db], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lighthouse-logbook\.txt/);
  const missing = await runCli(['search', 'x', '--db', path.join(work, 'nope.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no index at .*nope\.db/);
  assert.match(missing.stderr, /docproc ingest/);
});

test('status --json reports documents, chunks, model, database and last run', async () => {
  const r = await runCli(['status', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
  assert.ok((s['documents']!['indexed'] as number) >= 10);
  assert.ok((s['chunks'] as unknown as number) > 10);
  assert.equal(s['model']!['modelName'], 'all-minilm-l6-v2-q');
  assert.equal(s['model']!['dims'], 384);
  assert.equal(s['database']!['path'], db);
  assert.equal(s['lastRun']!['outcome'], 'completed');
});

test('a broken file is a failed status with a reason and exit code 3; --fail-on never exits 0', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'good.txt'), 'Kayaks can be rented by the hour at the north pier.');
  fs.writeFileSync(path.join(dir, 'broken.pdf'), Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 0x5a)]));
  const dbx = path.join(dir, 'i.db');
  const r = await runCli(['ingest', dir, '--db', dbx, '--json']);
  assert.equal(r.code, 3, r.stderr);
  const failed = parseNdjson(r.stdout).find((e) => String(e['path']).endsWith('broken.pdf'))!;
  assert.equal(failed['status'], 'failed');
  assert.ok(String(failed['reason']).length > 3);
  assert.equal(summaryOf(r.stdout)['indexed'], 1);
  const never = await runCli(['ingest', dir, '--db', dbx, '--json', '--fail-on', 'never', '--retry-failed']);
  assert.equal(never.code, 0);
});

test('an index built with other chunk settings is refused with the re-embed command; --reembed rebuilds it', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'Volcanic ash grounded flights across the north Atlantic for six days.');
  const dbx = path.join(dir, 'i.db');
  assert.equal((await runCli(['ingest', dir, '--db', dbx])).code, 0);
  const mismatch = await runCli(['ingest', dir, '--db', dbx, '--chunk-tokens', '128', '--chunk-overlap', '16']);
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /--reembed/);
  const rebuilt = await runCli(['ingest', dir, '--db', dbx, '--chunk-tokens', '128', '--chunk-overlap', '16', '--reembed', '--json']);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.equal(summaryOf(rebuilt.stdout)['indexed'], 1);
  const st = JSON.parse((await runCli(['status', '--db', dbx, '--json'])).stdout) as { model: { chunkTokens: number }; runs: { command: string }[] };
  assert.equal(st.model.chunkTokens, 128);
  assert.deepEqual(st.runs.map((r) => r.command), ['ingest --reembed', 'ingest'], 'the run history survives the rebuild');
  // Settings left at their defaults follow the index: a plain re-run works on the rebuilt index.
  const plain = await runCli(['ingest', dir, '--db', dbx, '--json']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(summaryOf(plain.stdout)['unchanged'], 1);
});

test('extract prints text with locations and touches no index', async () => {
  const dir = tempDir();
  const r = await runCli(['extract', path.join(fixturesDir, 'docs/orbital-mechanics.pdf'), '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { type: string; sections: { text: string; loc: { page?: number } }[] };
  assert.equal(doc.type, 'pdf');
  assert.ok(doc.sections.some((s) => s.loc.page === 2));
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('models pull --json also provides the fast OCR model; extract reads a scan with it and with --ocr-model best', async () => {
  const r = await runCli(['models', 'pull', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { name: string; sha256: string; ocrModelDir?: string };
  assert.equal(info.name, 'all-minilm-l6-v2-q');
  assert.ok(info.ocrModelDir && fs.statSync(path.join(info.ocrModelDir, 'eng.traineddata')).size === 4_113_088, r.stdout);
  const list = await runCli(['models', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(list.stdout.includes(`OCR, English: tesseract's fast model, cached in ${info.ocrModelDir}`), list.stdout);
  for (const model of ['fast', 'best']) {
    const x = await runCli(['extract', path.join(fixturesDir, 'docs/garden-rules.jpg'), '--ocr-model', model, '--json']);
    assert.equal(x.code, 0, x.stderr);
    const doc = JSON.parse(x.stdout) as { pagesOcr?: number; sections: { text: string }[] };
    assert.equal(doc.pagesOcr, 1);
    assert.match(doc.sections.map((s) => s.text).join(' ').replace(/\s+/g, ' '), /Compost bins are for plant waste only\./, model);
  }
});

test('a reader that closes the pipe early ends the command quietly with 141, as SIGPIPE would', async () => {
  // 300 KB of text: more than a pipe holds, so the CLI is still writing when the reader goes.
  const dir = tempDir('docproc-epipe-');
  const file = path.join(dir, 'long.txt');
  fs.writeFileSync(file, Array.from({ length: 6000 }, (_, i) => `line ${i} of a long file that is read and printed whole`).join('\n'));
  const child = spawnCli(['extract', file]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.once('data', () => child.stdout!.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 141, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
});

test('extract --ocr-pictures reads a picture pasted into a document that has text of its own; without it, the picture is left', async () => {
  const { buildZip, docxEntries, docxBody } = await import('../helpers/hostile-fixtures.js');
  const dir = tempDir();
  const docx = path.join(dir, 'report.docx');
  const text = 'The allotment committee met on Tuesday to agree the rules for the coming season and the plot fees. '.repeat(3);
  fs.writeFileSync(docx, buildZip([...docxEntries(docxBody(text)), { name: 'word/media/image1.jpeg', data: fs.readFileSync(path.join(fixturesDir, 'docs/garden-rules.jpg')) }]));
  for (const [flags, read] of [[['--ocr-pictures'], true], [[], false]] as const) {
    const x = await runCli(['extract', docx, ...flags, '--json']);
    assert.equal(x.code, 0, x.stderr);
    const doc = JSON.parse(x.stdout) as { sections: { text: string; loc: { heading?: string } }[] };
    assert.equal(doc.sections.some((s) => s.loc.heading === 'image1.jpeg' && /Community Garden Rules/.test(s.text)), read, x.stdout);
  }
});

test('symlinks are not followed by default, and never outside the root', async () => {
  const dir = tempDir();
  const outside = tempDir();
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside the root');
  fs.writeFileSync(path.join(dir, 'inside.txt'), 'inside the root');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link.txt'));
  const dbx = path.join(dir, '.i.db');
  const plain = parseNdjson((await runCli(['ingest', dir, '--db', dbx, '--json'])).stdout);
  assert.ok(!plain.some((e) => String(e['path']).includes('link.txt')));
  const follow = parseNdjson((await runCli(['ingest', dir, '--db', dbx, '--json', '--follow-symlinks'])).stdout);
  const link = follow.find((e) => String(e['path']).includes('link.txt'));
  assert.equal(link?.['status'], 'skipped');
  assert.equal(link?.['reason'], 'symlink-outside-root');
});

test('--ignore and .docprocignore matches are reported as skipped: ignored', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'drafts'));
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'Tide tables for the harbour entrance.');
  fs.writeFileSync(path.join(dir, 'drafts', 'draft.txt'), 'An unfinished draft.');
  fs.writeFileSync(path.join(dir, 'notes.log'), 'log line');
  fs.writeFileSync(path.join(dir, '.hidden.txt'), 'hidden files are never ingested');
  fs.writeFileSync(path.join(dir, '.docprocignore'), '# comment\n*.log\n');
  const r = await runCli(['ingest', dir, '--db', path.join(tempDir(), 'i.db'), '--json', '--ignore', 'drafts']);
  assert.equal(r.code, 0, r.stderr);
  const byName = new Map(parseNdjson(r.stdout).filter((e) => e['event'] === 'file').map((e) => [path.basename(String(e['path'])), e]));
  assert.equal(byName.get('keep.txt')?.['status'], 'indexed');
  assert.equal(byName.get('drafts')?.['reason'], 'ignored');
  assert.equal(byName.get('notes.log')?.['reason'], 'ignored');
  assert.ok(!byName.has('.hidden.txt') && !byName.has('draft.txt'));
});

test('overlapping roots share one ledger: a subfolder run keeps the fast path and a parent run still prunes', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'top.txt'), 'Anchors hold best in sand and mud.');
  fs.writeFileSync(path.join(dir, 'sub', 'zebra.txt'), 'Zebras graze on the open savanna.');
  const dbx = path.join(tempDir(), 'i.db');
  assert.equal((await runCli(['ingest', dir, '--db', dbx])).code, 0);
  const sub = await runCli(['ingest', path.join(dir, 'sub'), '--db', dbx, '--json']);
  assert.equal(summaryOf(sub.stdout)['unchanged'], 1, 'a file indexed from the parent is unchanged from the subfolder');
  assert.equal(summaryOf(sub.stdout)['modelCalls'], 0);
  fs.rmSync(path.join(dir, 'sub', 'zebra.txt'));
  const parent = await runCli(['ingest', dir, '--db', dbx, '--json']);
  assert.equal(summaryOf(parent.stdout)['removed'], 1);
  const hits = JSON.parse((await runCli(['search', 'zebras', '--db', dbx, '--json', '--mode', 'keyword'])).stdout) as unknown[];
  assert.equal(hits.length, 0);
});

test('changing an extraction setting re-reads the files it affects', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'big.txt'), 'Salt marshes store carbon. '.repeat(200));
  const dbx = path.join(tempDir(), 'i.db');
  const small = await runCli(['ingest', dir, '--db', dbx, '--json', '--max-file-mb', '0.001']);
  assert.equal(parseNdjson(small.stdout).find((e) => e['event'] === 'file')?.['status'], 'skipped');
  const normal = await runCli(['ingest', dir, '--db', dbx, '--json']);
  assert.equal(summaryOf(normal.stdout)['indexed'], 1);
});

test('usage errors exit 2: a missing path, a FIFO named as a path, --dry-run with --reembed; a missing index folder is created', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'Storm petrels nest in burrows.');
  const missing = await runCli(['ingest', path.join(dir, 'nope'), '--db', path.join(dir, 'i.db')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or directory/);
  assert.doesNotMatch(missing.stderr, /at .*\.js:\d+/, 'no stack trace');
  assert.equal(spawnSync('mkfifo', [path.join(dir, 'pipe')]).status, 0, 'mkfifo');
  const fifo = await runCli(['ingest', path.join(dir, 'pipe'), '--db', path.join(dir, 'i.db')]);
  assert.deepEqual([fifo.code, /not a file or folder/.test(fifo.stderr)], [2, true], fifo.stderr);
  const inTree = await runCli(['ingest', dir, '--db', path.join(dir, 'i.db'), '--json']);
  assert.equal(inTree.code, 0, inTree.stderr);
  const pipe = parseNdjson(inTree.stdout).find((e) => e['path'] === path.join(dir, 'pipe'));
  assert.deepEqual([pipe?.['status'], pipe?.['reason']], ['skipped', 'not-a-regular-file'], 'a FIFO in the tree is reported, never opened');
  const combo = await runCli(['ingest', dir, '--db', path.join(dir, 'i.db'), '--reembed', '--dry-run']);
  assert.equal(combo.code, 2);
  const nested = path.join(tempDir(), 'deep', 'er', 'i.db');
  assert.equal((await runCli(['ingest', path.join(dir, 'a.txt'), '--db', nested])).code, 0);
  assert.ok(fs.existsSync(nested));
});

test('archives through the CLI: a zip and a .tar.gz are indexed, and search finds a member by its text, located by its path', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'harbour.zip'), buildZip([
    { name: 'notes/tides.txt', data: 'Spring tides flood the lower quay twice a month.' },
    { name: '__MACOSX/notes/._tides.txt', data: 'resource fork' },
  ]));
  fs.writeFileSync(path.join(dir, 'rota.csv.gz'), gzipSync('keeper,watch\nMacLeod,first\nStevenson,middle\n'));
  const db = path.join(tempDir(), 'i.db');
  const run = await runCli(['ingest', dir, '--db', db, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const types = parseNdjson(run.stdout).filter((e) => e['event'] === 'file').map((e) => [path.basename(String(e['path'])), e['status'], e['type']]);
  assert.deepEqual(types.sort(), [['harbour.zip', 'indexed', 'zip'], ['rota.csv.gz', 'indexed', 'gz']]);
  const hits = JSON.parse((await runCli(['search', 'spring tides lower quay', '--db', db, '--json', '-k', '1'])).stdout) as Record<string, unknown>[];
  assert.match(String(hits[0]?.['path']), /harbour\.zip$/);
  assert.match(JSON.stringify(hits[0]?.['location']), /notes\/tides\.txt/);
});
