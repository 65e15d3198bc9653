// Watch mode end to end: `docproc watch --json` as a child process; file changes in a temp folder must reach
// the index after the debounce, in batched syncs, with the lock held and released on SIGTERM.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { loadSqliteDriver } from '../../src/store/sqlite/driver.js';
import { keywordPaths } from '../helpers/index-db.js';

const BetterSqlite = loadSqliteDriver();

const work = tempDir('docproc-watch-');
const docs = path.join(work, 'docs');
const db = path.join(work, 'index.db');
after(() => fs.rmSync(work, { recursive: true, force: true }));

type Summary = Record<string, number | boolean | null>;
interface Sync { event: 'sync'; trigger: string; changes: number; lagMs: number | null; summary: Summary }

/** Keyword hits straight on the FTS5 index, read-only while watch holds the lock: document paths relative to docs/. */
function keyword(term: string): string[] {
  const d: Database = new BetterSqlite(db, { readonly: true });
  try {
    return keywordPaths(d, term, docs);
  } finally {
    d.close();
  }
}
function documentCount(): number {
  const d: Database = new BetterSqlite(db, { readonly: true });
  try {
    return (d.prepare("SELECT COUNT(*) AS n FROM documents WHERE status = 'indexed'").get() as { n: number }).n;
  } finally {
    d.close();
  }
}

test('watch: create, modify, delete, rename, atomic save and a 200-file burst reach the index in batched syncs', { timeout: 180_000 }, async () => {
  fs.mkdirSync(docs, { recursive: true });
  fs.writeFileSync(path.join(docs, 'seed1.txt'), 'The badger digs a burrow under the hedge.\n');
  fs.writeFileSync(path.join(docs, 'seed2.txt'), 'The swallow returns to the barn in spring.\n');
  fs.writeFileSync(path.join(docs, 'edit.txt'), 'Draft one mentions the tortoise.\n');

  const child = spawnCli(['watch', docs, '--db', db, '--json', '--debounce', '200'], { cwd: work });
  const syncs: Sync[] = [];
  const files: Record<string, unknown>[] = [];
  let stderr = '';
  let buf = '';
  let wake: () => void = () => {};
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const e = JSON.parse(line) as Record<string, unknown>;
      if (e['event'] === 'sync') syncs.push(e as unknown as Sync);
      else if (e['event'] === 'file') files.push(e);
      wake();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => {
    ended = true;
    wake();
  });

  /** Waits until the syncs since `from` satisfy `done` (their summaries summed), then returns them. */
  async function syncsUntil(from: number, done: (total: Summary, batch: Sync[]) => boolean, what: string, timeoutMs = 40_000): Promise<Sync[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const batch = syncs.slice(from);
      const total: Summary = {};
      for (const s of batch) for (const [k, v] of Object.entries(s.summary)) if (typeof v === 'number') total[k] = Number(total[k] ?? 0) + v;
      if (done(total, batch)) return batch;
      if (ended) assert.fail(`watch exited while waiting for ${what}\n${stderr}`);
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; syncs: ${JSON.stringify(batch.map((s) => s.summary))}\n${stderr}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 250);
      });
    }
  }
  const n = (v: unknown): number => Number(v ?? 0);

  try {
    const [startup] = await syncsUntil(0, (_t, b) => b.length >= 1, 'the startup sync');
    assert.equal(startup!.trigger, 'startup');
    assert.equal(startup!.summary['indexed'], 3);

    // Create.
    let mark = syncs.length;
    fs.writeFileSync(path.join(docs, 'created.txt'), 'A new note about the hedgehog at night.\n');
    await syncsUntil(mark, (t) => n(t['indexed']) >= 1, 'create');
    assert.deepEqual(keyword('hedgehog'), ['created.txt']);
    assert.ok(syncs.slice(mark).every((s) => s.trigger === 'changes' && s.lagMs !== null));

    // Modify.
    mark = syncs.length;
    fs.writeFileSync(path.join(docs, 'created.txt'), 'The note now talks about the porcupine instead.\n');
    await syncsUntil(mark, (t) => n(t['updated']) >= 1, 'modify');
    assert.deepEqual(keyword('porcupine'), ['created.txt']);
    assert.deepEqual(keyword('hedgehog'), []);

    // Delete.
    mark = syncs.length;
    fs.rmSync(path.join(docs, 'seed1.txt'));
    await syncsUntil(mark, (t) => n(t['removed']) >= 1, 'delete');
    assert.deepEqual(keyword('badger'), []);

    // Rename: the content is not embedded again.
    mark = syncs.length;
    fs.renameSync(path.join(docs, 'seed2.txt'), path.join(docs, 'renamed.txt'));
    const renamed = await syncsUntil(mark, (t) => n(t['moved']) + n(t['indexed']) >= 1, 'rename');
    const rt = renamed.reduce((a, s) => ({ moved: a.moved + n(s.summary['moved']), embedded: a.embedded + n(s.summary['embedded']) }), { moved: 0, embedded: 0 });
    assert.deepEqual(rt, { moved: 1, embedded: 0 }, `a rename is a move: ${JSON.stringify(renamed.map((s) => s.summary))}`);
    assert.deepEqual(keyword('swallow'), ['renamed.txt']);

    // Editor atomic save: write a temp file, rename it over the original.
    mark = syncs.length;
    const tmp = path.join(docs, '.edit.txt.swp');
    fs.writeFileSync(tmp, 'Draft two mentions the salamander.\n');
    fs.renameSync(tmp, path.join(docs, 'edit.txt'));
    await syncsUntil(mark, (t) => n(t['updated']) >= 1, 'atomic save');
    assert.deepEqual(keyword('salamander'), ['edit.txt']);
    assert.deepEqual(keyword('tortoise'), []);

    // A second writer while watch holds the lock.
    const second = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work, timeoutMs: 30_000 });
    assert.equal(second.code, 4, second.stderr);
    assert.match(second.stderr, /locked by pid \d+ \(watch\)/);

    // A burst of 200 files: a few syncs, not 200.
    mark = syncs.length;
    fs.mkdirSync(path.join(docs, 'burst'));
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(docs, 'burst', `b${i}.txt`), `Burst file ${i} records the number ${i * 7}.\n`);
    const burst = await syncsUntil(mark, (t) => n(t['indexed']) >= 200, 'the burst', 90_000);
    assert.ok(burst.length <= 5, `the burst took ${burst.length} syncs`);
    assert.equal(burst.reduce((a, s) => a + n(s.summary['failed']), 0), 0);
    assert.equal(documentCount(), 203); // edit, created, renamed + the burst
    assert.deepEqual(keyword('burst AND "records the number 1393"'), ['burst/b199.txt']);
  } finally {
    child.kill('SIGTERM');
  }
  const { code } = await exited;
  assert.equal(code, 143, stderr);
  assert.ok(!fs.existsSync(`${db}.lock`), 'SIGTERM released the lock');
  const after = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work });
  assert.equal(after.code, 0, after.stderr);
});

test('watch: SIGTERM during the catch-up sync ends watch (no hang) and releases the lock', { timeout: 60_000 }, async () => {
  const dir = path.join(work, 'big');
  fs.mkdirSync(dir);
  for (let i = 0; i < 150; i++) fs.writeFileSync(path.join(dir, `c${i}.txt`), `Catch-up note ${i} about the moorhen.\n`);
  const bigDb = path.join(work, 'big.db');
  const child = spawnCli(['watch', dir, '--db', bigDb, '--json', '--debounce', '200'], { cwd: work });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('"event":"file"')) resolve(); // the catch-up sync is indexing
  }));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  assert.equal(code, 143, `watch did not stop on SIGTERM during catch-up\n${stderr}`);
  assert.ok(!fs.existsSync(`${bigDb}.lock`), 'lock released');
});
