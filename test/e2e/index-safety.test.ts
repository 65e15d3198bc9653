// Index safety through the CLI: --reembed keeps every named root, empty or half-gone roots prune nothing, the
// embedding identity covers pooling, dry runs check it too, and read-only commands refuse foreign databases.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, parseNdjson, summaryOf, tempDir, testHome } from '../helpers/cli.js';
import { loadSqliteDriver } from '../../src/store/sqlite/driver.js';

const BetterSqlite = loadSqliteDriver();
const work = tempDir('docproc-safety-');
after(() => fs.rmSync(work, { recursive: true, force: true }));
const CHUNKING = ['--chunk-tokens', '64', '--chunk-overlap', '8'];

function write(rel: string, text: string): string {
  const p = path.join(work, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function indexedPaths(db: string): string[] {
  const d = new BetterSqlite(db, { readonly: true });
  try {
    return (d.prepare('SELECT path FROM documents ORDER BY path').all() as { path: string }[]).map((r) => path.relative(work, r.path));
  } finally {
    d.close();
  }
}

const ingest = (db: string, ...args: string[]) => runCli(['ingest', '--db', db, '--json', ...CHUNKING, ...args], { cwd: work });

test('--reembed rebuilds exactly the roots the user named: folders, and a single file without its folder', async () => {
  const db = path.join(work, 'reembed.db');
  write('docs/a.txt', 'Alpha document about harbours and boats.\n');
  write('notes/b.txt', 'Beta note about volcano eruptions.\n');
  write('dl/report.txt', 'The quarterly report on bakery sales.\n');
  write('dl/secrets.txt', 'Secret credentials nobody asked to index.\n');
  const first = await ingest(db, 'docs', 'notes', 'dl/report.txt');
  assert.equal(first.code, 0, first.stderr);
  const expected = ['dl/report.txt', 'docs/a.txt', 'notes/b.txt'];
  assert.deepEqual(indexedPaths(db), expected);

  // Naming one root re-embeds it and keeps (re-embeds) the others; the single file stays a single file.
  const named = await runCli(['ingest', '--db', db, '--json', '--reembed', 'docs'], { cwd: work });
  assert.equal(named.code, 0, named.stderr);
  assert.deepEqual(indexedPaths(db), expected);

  const all = await runCli(['ingest', '--db', db, '--json', '--reembed'], { cwd: work });
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(indexedPaths(db), expected);
  assert.equal(summaryOf(all.stdout)['indexed'], 3);
});

test('--reembed refuses a missing root and leaves the index as it was', async () => {
  const db = path.join(work, 'reembed-missing.db');
  write('gone/a.txt', 'A file in a folder that will be unmounted.\n');
  write('stay/b.txt', 'A file that stays.\n');
  assert.equal((await ingest(db, 'gone', 'stay')).code, 0);
  fs.renameSync(path.join(work, 'gone'), path.join(work, 'gone-away'));
  const r = await runCli(['ingest', '--db', db, '--reembed'], { cwd: work });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /cannot re-embed: root .*gone is missing/);
  assert.deepEqual(indexedPaths(db), ['gone/a.txt', 'stay/b.txt']);
  fs.renameSync(path.join(work, 'gone-away'), path.join(work, 'gone'));
});

test('a root that yields no files removes nothing and fails the run (root-empty), unless --allow-empty-root', async () => {
  const db = path.join(work, 'empty-root.db');
  for (const n of ['a', 'b', 'c']) write(`share/${n}.txt`, `Document ${n} on the network share about lighthouses.\n`);
  assert.equal((await ingest(db, 'share')).code, 0);
  // An unmounted share: the mount point is an empty, readable folder.
  fs.renameSync(path.join(work, 'share'), path.join(work, 'share-mounted'));
  fs.mkdirSync(path.join(work, 'share'));
  const r = await ingest(db, 'share');
  assert.equal(r.code, 3, r.stderr);
  const events = parseNdjson(r.stdout);
  const root = events.find((e) => e['event'] === 'root');
  assert.equal(root?.['status'], 'failed');
  assert.match(String(root?.['reason']), /^root-empty: /);
  assert.equal(events.filter((e) => e['status'] === 'removed').length, 0);
  assert.equal(summaryOf(r.stdout)['rootFailures'], 1);
  assert.equal(summaryOf(r.stdout)['removed'], 0);
  assert.equal(indexedPaths(db).length, 3);

  const dry = await ingest(db, 'share', '--dry-run');
  assert.equal(dry.code, 3, dry.stderr);
  assert.equal(parseNdjson(dry.stdout).filter((e) => e['action'] === 'remove').length, 0);

  const allowed = await ingest(db, 'share', '--allow-empty-root');
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(summaryOf(allowed.stdout)['removed'], 3);
  assert.deepEqual(indexedPaths(db), []);
});

test('a root that lost more than --max-prune-ratio of its documents in one run removes nothing', async () => {
  const db = path.join(work, 'ratio.db');
  for (let i = 0; i < 12; i++) write(`many/f${i}.txt`, `File number ${i} describes orchard number ${i}.\n`);
  assert.equal((await ingest(db, 'many')).code, 0);
  for (let i = 0; i < 8; i++) fs.rmSync(path.join(work, `many/f${i}.txt`));
  const r = await ingest(db, 'many');
  assert.equal(r.code, 3, r.stderr);
  const root = parseNdjson(r.stdout).find((e) => e['event'] === 'root');
  assert.match(String(root?.['reason']), /^prune-limit: 8 of 12 documents/);
  assert.equal(indexedPaths(db).length, 12);
  const ok = await ingest(db, 'many', '--max-prune-ratio', '1');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(summaryOf(ok.stdout)['removed'], 8);
  assert.equal(indexedPaths(db).length, 4);
  const bad = await ingest(db, 'many', '--max-prune-ratio', '2');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /max-prune-ratio/);
});

test('the index identity covers pooling: --pooling cls into a mean-pooled index is refused, dry run included', async () => {
  const db = path.join(work, 'pooling.db');
  const modelDir = path.join(testHome(), 'models', 'all-minilm-l6-v2-q');
  write('pool/a.txt', 'Pooling decides how token vectors become one sentence vector.\n');
  const mean = await ingest(db, 'pool', '--model-dir', modelDir, '--pooling', 'mean');
  assert.equal(mean.code, 0, mean.stderr);
  write('pool/b.txt', 'A second document arrives later.\n');
  for (const extra of [[], ['--dry-run']]) {
    const cls = await ingest(db, 'pool', '--model-dir', modelDir, '--pooling', 'cls', ...extra);
    assert.equal(cls.code, 2, `${extra.join(' ')}: ${cls.stderr}`);
    assert.match(cls.stderr, /pooling mean, not cls/);
  }
  assert.deepEqual(indexedPaths(db), ['pool/a.txt']);
});

test('--dry-run applies the same identity check as the real run', async () => {
  const db = path.join(work, 'dry.db');
  write('dry/a.txt', 'Dry runs must not promise what the real run refuses.\n');
  assert.equal((await ingest(db, 'dry')).code, 0);
  write('dry/a.txt', 'Dry runs must not promise what the real run refuses. Changed.\n');
  const real = await runCli(['ingest', 'dry', '--db', db, '--json', '--chunk-tokens', '128'], { cwd: work });
  const dry = await runCli(['ingest', 'dry', '--db', db, '--json', '--chunk-tokens', '128', '--dry-run'], { cwd: work });
  assert.equal(real.code, 2, real.stderr);
  assert.equal(dry.code, 2, dry.stderr);
  assert.match(dry.stderr, /chunk tokens 64, not 128/);
});

test('status, search and ingest refuse a database that is not a docproc index, and leave it untouched', async () => {
  const other = path.join(work, 'other.sqlite');
  const d = new BetterSqlite(other);
  d.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5)');
  d.close();
  const tablesBefore = tables(other);
  for (const args of [['status'], ['search', 'invoice', '--mode', 'keyword'], ['ingest', 'docs', '--dry-run'], ['ingest', 'docs']]) {
    const r = await runCli([...args, '--db', other], { cwd: work });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /is not a docproc index/);
  }
  assert.deepEqual(tables(other), tablesBefore);
  assert.equal(fs.existsSync(other + '-wal'), false);
});

function tables(file: string): string[] {
  const d = new BetterSqlite(file, { readonly: true });
  try {
    return (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    d.close();
  }
}
