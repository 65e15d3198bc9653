// Incremental sync, end to end: the real CLI in a child process, real files in a temp folder, real SQLite and
// the real ONNX model. Each test builds on the index the previous one left (they run in order).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Database } from 'better-sqlite3';
import { runCli, parseNdjson, summaryOf, tempDir, type CliResult } from '../helpers/cli.js';
import { loadSqliteDriver } from '../../src/store/sqlite/driver.js';
import { keywordPaths } from '../helpers/index-db.js';

const require = createRequire(import.meta.url);
const BetterSqlite = loadSqliteDriver();
const sqliteVec = require('sqlite-vec') as { load(db: Database): void };

const work = tempDir('docproc-incr-');
const docs = path.join(work, 'docs');
const db = path.join(work, 'index.db');
const CHUNKING = ['--chunk-tokens', '64', '--chunk-overlap', '8'];
after(() => fs.rmSync(work, { recursive: true, force: true }));

const TOPICS = ['harbour', 'volcano', 'library', 'glacier', 'bakery', 'observatory', 'vineyard', 'lighthouse', 'monastery',
  'canyon', 'orchard', 'railway', 'marsh', 'foundry', 'meadow'];
/** Fifteen paragraphs of a few sentences: many 64-token chunks. Paragraph 8 carries a marker word. */
function longText(marker: string): string {
  return TOPICS.map((t, i) =>
    `Paragraph ${i + 1} describes the ${t}. Visitors to the ${t} often arrive early in the morning and stay until dusk. ` +
    `${i === 7 ? `A tame ${marker} lives near the ${t} and greets every traveller.` : `Local guides explain the long history of the ${t}.`} ` +
    `Records about the ${t} are kept in a small wooden cabinet.`).join('\n\n') + '\n';
}

function write(rel: string, text: string): void {
  const p = path.join(docs, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
}

async function ingest(...args: string[]): Promise<CliResult> {
  return runCli(['ingest', docs, '--db', db, '--json', ...CHUNKING, ...args], { cwd: work, env: { DOCPROC_MAX_ATTEMPTS: '2' } });
}

function fileEvents(r: CliResult): Record<string, unknown>[] {
  return parseNdjson(r.stdout).filter((e) => e['event'] === 'file');
}
const byName = (r: CliResult, name: string): Record<string, unknown> | undefined =>
  fileEvents(r).find((e) => path.basename(String(e['path'])) === name);

function openDb(): Database {
  const d = new BetterSqlite(db, { readonly: true });
  sqliteVec.load(d);
  return d;
}

/** Every row of documents and chunks, and the vector rowids: equal dumps mean an untouched index. */
function dump(): { documents: unknown[]; chunks: unknown[]; vectors: unknown[] } {
  const d = openDb();
  try {
    return {
      documents: d.prepare('SELECT * FROM documents ORDER BY id').all(),
      chunks: d.prepare('SELECT * FROM chunks ORDER BY id').all(),
      vectors: d.prepare('SELECT rowid, embedding FROM vec_chunks ORDER BY rowid').all(),
    };
  } finally {
    d.close();
  }
}

/** Keyword search straight on the FTS5 index (what `search --mode keyword` queries): basenames of matching documents. */
function keyword(term: string): string[] {
  const d = openDb();
  try {
    return keywordPaths(d, term, docs);
  } finally {
    d.close();
  }
}

function ok(r: CliResult, code = 0): void {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(-2000)}`);
}

test('first run indexes every file', async () => {
  write('alpha.txt', 'Alpha notes: the pelican fishes in the bay at sunrise.\n');
  write('beta.txt', 'Beta notes: the walrus rests on the ice floe.\n');
  write('gamma.md', '# Gamma\n\nThe kingfisher dives into the clear stream.\n');
  write('page.txt', 'Plain words about the ocelot in the forest.\n');
  write('long.txt', longText('elephant'));
  const r = await ingest();
  ok(r);
  const s = summaryOf(r.stdout);
  assert.equal(s['indexed'], 5);
  assert.ok(Number(byName(r, 'long.txt')?.['chunks']) >= 6, `long.txt should be many chunks: ${JSON.stringify(byName(r, 'long.txt'))}`);
  assert.ok(Number(s['modelCalls']) > 0);
});

test('an unchanged re-run reads nothing, embeds nothing, writes nothing', async () => {
  const before = dump();
  const r = await ingest();
  ok(r);
  const s = summaryOf(r.stdout);
  assert.deepEqual([s['modelCalls'], s['writes'], s['embedded'], s['unchanged']], [0, 0, 0, 5]);
  assert.deepEqual(fileEvents(r).map((e) => e['status']), Array(5).fill('unchanged'));
  assert.deepEqual(dump(), before);
});

test('a touched file (new mtime, same bytes) stays unchanged, without a model call', async () => {
  const before = dump();
  const future = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(docs, 'alpha.txt'), future, future);
  const r = await ingest();
  ok(r);
  const s = summaryOf(r.stdout);
  assert.equal(byName(r, 'alpha.txt')?.['status'], 'unchanged');
  assert.deepEqual([s['modelCalls'], s['embedded'], s['unchanged'], s['updated']], [0, 0, 5, 0]);
  const after = dump();
  assert.deepEqual(after.chunks, before.chunks);
  assert.deepEqual(after.vectors, before.vectors);
  // The new stat is remembered: the next run takes the fast path and writes nothing.
  const again = summaryOf((await ingest()).stdout);
  assert.equal(again['writes'], 0);
});

test('editing one paragraph re-embeds only the changed chunks; search sees the new text, not the old', async () => {
  assert.deepEqual(keyword('elephant'), ['long.txt']);
  write('long.txt', longText('giraffe'));
  const r = await ingest();
  ok(r);
  const s = summaryOf(r.stdout);
  const ev = byName(r, 'long.txt')!;
  assert.equal(ev['status'], 'updated');
  const chunks = Number(ev['chunks']);
  assert.equal(s['chunks'], chunks);
  // The edit sits inside one 64-token chunk and changes no chunk boundary: exactly that chunk is re-embedded.
  assert.equal(Number(s['embedded']), 1, `embedded ${s['embedded']} of ${chunks} chunks`);
  assert.equal(Number(s['reused']), chunks - Number(s['embedded']));
  assert.deepEqual(keyword('giraffe'), ['long.txt']);
  assert.deepEqual(keyword('elephant'), []);
});

test('a deleted file is kept with --no-prune, then removed and gone from search', async () => {
  fs.rmSync(path.join(docs, 'beta.txt'));
  const kept = await ingest('--no-prune');
  ok(kept);
  assert.equal(summaryOf(kept.stdout)['removed'], 0);
  assert.deepEqual(keyword('walrus'), ['beta.txt']);
  const r = await ingest();
  ok(r);
  assert.equal(summaryOf(r.stdout)['removed'], 1);
  assert.equal(byName(r, 'beta.txt')?.['status'], 'removed');
  assert.deepEqual(keyword('walrus'), []);
});

test('a rename and a move to a subfolder are moves: no extraction, no embedding', async () => {
  const before = dump();
  fs.renameSync(path.join(docs, 'alpha.txt'), path.join(docs, 'alpha-renamed.txt'));
  fs.mkdirSync(path.join(docs, 'sub'));
  fs.renameSync(path.join(docs, 'gamma.md'), path.join(docs, 'sub', 'gamma.md'));
  const r = await ingest();
  ok(r);
  const s = summaryOf(r.stdout);
  assert.deepEqual([s['moved'], s['indexed'], s['removed'], s['embedded'], s['modelCalls']], [2, 0, 0, 0, 0]);
  assert.equal(path.basename(String(byName(r, 'alpha-renamed.txt')?.['from'])), 'alpha.txt');
  assert.equal(path.basename(String(byName(r, 'gamma.md')?.['from'])), 'gamma.md');
  assert.deepEqual(dump().chunks, before.chunks, 'chunks move with their document');
  assert.deepEqual(keyword('pelican'), ['alpha-renamed.txt']);
  assert.deepEqual(keyword('kingfisher'), [path.join('sub', 'gamma.md')]);
});

test('a .txt whose content becomes HTML is updated', async () => {
  write('page.txt', '<!DOCTYPE html>\n<html><head><title>Quokka</title></head><body><p>The quokka smiles at visitors on the island.</p></body></html>\n');
  const r = await ingest();
  ok(r);
  assert.equal(byName(r, 'page.txt')?.['status'], 'updated');
  assert.deepEqual(keyword('quokka'), ['page.txt']);
  assert.deepEqual(keyword('ocelot'), []);
});

test('--dry-run lists add, update and remove as plan events and touches nothing', async () => {
  write('new.txt', 'A brand new note about the narwhal.\n');
  write('page.txt', 'Plain words again, now about the lynx.\n');
  fs.rmSync(path.join(docs, 'alpha-renamed.txt'));
  const before = dump();
  const r = await ingest('--dry-run');
  ok(r);
  const plan = Object.fromEntries(parseNdjson(r.stdout).filter((e) => e['event'] === 'plan').map((e) => [path.basename(String(e['path'])), e['action']]));
  assert.equal(plan['new.txt'], 'add');
  assert.equal(plan['page.txt'], 'update');
  assert.equal(plan['alpha-renamed.txt'], 'remove');
  assert.equal(plan['long.txt'], 'unchanged');
  const s = summaryOf(r.stdout);
  assert.equal(s['dryRun'], true);
  assert.deepEqual([s['indexed'], s['updated'], s['removed'], s['writes'], s['modelCalls']], [1, 1, 1, 0, 0]);
  assert.deepEqual(dump(), before);
  ok(await ingest());
});

test('a failed file is retried up to maxAttempts, then stays failed until --retry-failed; exit 3 unless --fail-on never', async () => {
  const bad = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 251))]);
  fs.writeFileSync(path.join(docs, 'broken.pdf'), bad);
  const first = await ingest();
  ok(first, 3);
  assert.equal(byName(first, 'broken.pdf')?.['status'], 'failed');
  assert.equal(summaryOf(first.stdout)['failed'], 1);

  const second = await ingest();
  ok(second, 3);
  assert.equal(byName(second, 'broken.pdf')?.['status'], 'failed');
  assert.equal(byName(second, 'broken.pdf')?.['retried'], true);

  // Two attempts spent (DOCPROC_MAX_ATTEMPTS=2): reported unchanged, with the reason, and not tried again.
  const third = await ingest();
  const ev = byName(third, 'broken.pdf')!;
  assert.equal(ev['status'], 'unchanged');
  assert.match(String(ev['reason']), /still failed after 2 attempts.*--retry-failed/);
  assert.equal(summaryOf(third.stdout)['failed'], 0);
  ok(third, 0);

  const dry = await ingest('--dry-run', '--retry-failed');
  assert.ok(parseNdjson(dry.stdout).some((e) => e['event'] === 'plan' && e['action'] === 'retry' && String(e['path']).endsWith('broken.pdf')));

  const forced = await ingest('--retry-failed', '--fail-on', 'never');
  ok(forced, 0);
  assert.equal(byName(forced, 'broken.pdf')?.['status'], 'failed');
  assert.equal(byName(forced, 'broken.pdf')?.['retried'], true);

  const st = await runCli(['status', '--failed', '--json', '--db', db], { cwd: work });
  ok(st);
  const failures = JSON.parse(st.stdout) as { path: string; status: string; attempts: number; reason: string }[];
  assert.equal(failures.length, 1);
  assert.equal(path.basename(failures[0]!.path), 'broken.pdf');
  assert.equal(failures[0]!.status, 'failed');
  assert.equal(failures[0]!.attempts, 3);

  // New content (still broken): its attempts start over.
  fs.writeFileSync(path.join(docs, 'broken.pdf'), bad.subarray(0, 2000));
  const changed = await ingest('--fail-on', 'never');
  ok(changed, 0);
  assert.equal(byName(changed, 'broken.pdf')?.['status'], 'failed');
  const st2 = JSON.parse((await runCli(['status', '--failed', '--json', '--db', db], { cwd: work })).stdout) as { attempts: number }[];
  assert.equal(st2[0]!.attempts, 1, 'new content resets the attempt count');
});

test('--dry-run with no index yet plans every file as add and creates no database', async () => {
  const fresh = path.join(work, 'fresh.db');
  const r = await runCli(['ingest', docs, '--db', fresh, '--json', '--dry-run', ...CHUNKING], { cwd: work });
  ok(r);
  const plan = parseNdjson(r.stdout).filter((e) => e['event'] === 'plan');
  assert.ok(plan.length > 0 && plan.every((e) => e['action'] === 'add'));
  assert.deepEqual(fs.readdirSync(work).filter((f) => f.startsWith('fresh.db')), []);
});
