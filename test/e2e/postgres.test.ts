// The Postgres target end to end: the real CLI against a real Postgres with pgvector. It must behave like the
// SQLite default, survive kill -9, share work between several workers, and copy both ways without re-embedding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, spawnCli, parseNdjson, summaryOf, tempDir, fixturesDir, type CliResult } from '../helpers/cli.js';
import { pgTestUrl, freshDatabase } from '../helpers/pg.js';
import { indexSnapshot, assertConsistent, assertSameIndex } from '../helpers/index-snapshot.js';
import { filesInFlight } from '../../src/pipeline/ingest.js';

const work = tempDir('docproc-pg-e2e-');
let base: string | undefined;
let skip: string | undefined;
const dropped: (() => Promise<void>)[] = [];
before(async () => {
  const r = await pgTestUrl();
  if (typeof r === 'string') base = r;
  else skip = r.skip;
});
after(async () => {
  for (const d of dropped) await d().catch(() => {});
  fs.rmSync(work, { recursive: true, force: true });
});

async function database(): Promise<string> {
  const db = await freshDatabase(base!);
  dropped.push(db.drop);
  return db.url;
}

const CHUNKING = ['--chunk-tokens', '64', '--chunk-overlap', '8'];
const fileStatuses = (r: CliResult): Record<string, string> =>
  Object.fromEntries(parseNdjson(r.stdout).filter((e) => e['event'] === 'file').map((e) => [path.basename(String(e['path'])), String(e['status'])]));

function writeTree(dir: string, n: number, version = 0): void {
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `d${i % 5}`);
    fs.mkdirSync(sub, { recursive: true });
    const body = i % 7 === 0
      ? Array.from({ length: 6 }, (_, p) => `Part ${p + 1} of file ${i}${version ? ` v${version}` : ''}: the river passes mills, orchards and a stone bridge near the old customs house.`).join('\n\n')
      : `Note ${i}${version ? ` v${version}` : ''}: a short remark about parcel ${i}, its hedge and the lane beside it.`;
    fs.writeFileSync(path.join(sub, `f${i}.txt`), body + '\n');
  }
}

test('postgres: ingest, re-run, search and status through the CLI behave like the SQLite default', async (t) => {
  if (skip) return t.skip(skip);
  const url = await database();
  const sqlite = path.join(work, 'same.db');
  const docs = path.join(fixturesDir, 'docs');
  const [a, b] = [await runCli(['ingest', docs, '--db', sqlite, '--json'], { cwd: work }), await runCli(['ingest', docs, '--db', url, '--json'], { cwd: work })];
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(fileStatuses(b), fileStatuses(a));
  for (const k of ['indexed', 'chunks', 'embedded', 'failed', 'skipped']) assert.equal(summaryOf(b.stdout)[k], summaryOf(a.stdout)[k], k);
  assertSameIndex(await indexSnapshot(sqlite), await indexSnapshot(url), 'sqlite vs postgres');

  const again = summaryOf((await runCli(['ingest', docs, '--db', url, '--json'], { cwd: work })).stdout);
  const fixtures = fs.readdirSync(docs).length;
  assert.deepEqual([again['unchanged'], again['modelCalls'], again['writes']], [fixtures, 0, 0]);

  for (const q of ['when does the first boat leave the island', 'how do bees make honey', 'volcanic eruptions']) {
    const paths = async (db: string, mode: string) => {
      const r = await runCli(['search', q, '--db', db, '--json', '--mode', mode], { cwd: work });
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { path: string }[]).map((h) => path.basename(h.path));
    };
    // Vector search is exact on both sides (HNSW recall on 27 chunks is total): the same ranking.
    assert.deepEqual(await paths(url, 'vector'), await paths(sqlite, 'vector'), q);
    assert.equal((await paths(url, 'hybrid'))[0], (await paths(sqlite, 'hybrid'))[0], q);
  }
  const status = await runCli(['status', '--db', url, '--json'], { cwd: work });
  assert.equal(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout) as { documents: Record<string, number>; database: { kind: string; path: string }; workers: unknown[] };
  assert.deepEqual(report.documents, { indexed: fixtures });
  assert.equal(report.database.kind, 'postgres');
  const password = new URL(url).password;
  if (password) {
    assert.ok(!status.stdout.includes(password), 'status shows no password');
    assert.ok(!status.stderr.includes(password));
  }
  assert.deepEqual(report.workers, []);
});

test('postgres: a wrong password is a clear error that never shows the password', async (t) => {
  if (skip) return t.skip(skip);
  const u = new URL(await database());
  u.password = 'not-the-Secret-42';
  const r = await runCli(['status', '--db', u.toString()], { cwd: work });
  assert.equal(r.code, 1, r.stderr);
  assert.ok(!r.stderr.includes('not-the-Secret-42'), r.stderr);
  assert.match(r.stderr, /password authentication failed|authentication/);
});

/** Starts an ingest and kills it with SIGKILL once `afterFiles` files were processed (plus `delayMs`). */
function killedRun(args: string[], afterFiles: number, delayMs: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { cwd: work });
    let processed = 0;
    let buf = '';
    let armed = false;
    const fire = (): void => {
      if (armed) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    if (afterFiles === 0) fire();
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() && (JSON.parse(line) as { event: string }).event === 'file' && ++processed >= afterFiles) fire();
      }
    });
    child.stderr!.resume();
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      resolve({ killed: signal === 'SIGKILL' });
    });
  });
}

test('postgres: kill -9 at 12 points, then a re-run equals a clean run, never half-written', { timeout: 300_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const url = await database();
  const docs = path.join(work, 'kill-docs');
  writeTree(docs, 150);
  const plan: [number, number][] = [[0, 300], [0, 1200], [1, 0], [3, 20], [8, 5], [15, 40], [20, 0], [25, 15], [30, 60], [35, 3], [40, 25], [50, 10]];
  let kills = 0;
  for (const [k, [afterFiles, delayMs]] of plan.entries()) {
    if (k === 6) {
      writeTree(docs, 10, 2); // edits midway, so updates are interrupted too
      fs.rmSync(path.join(docs, 'd3', 'f13.txt'));
    }
    if ((await killedRun(['ingest', docs, '--db', url, '--json', ...CHUNKING], afterFiles, delayMs)).killed) kills++;
    assertConsistent(await indexSnapshot(url), `after kill ${k}`);
  }
  assert.ok(kills >= 10, `only ${kills} runs were killed`);
  const done = await runCli(['ingest', docs, '--db', url, '--json', ...CHUNKING], { cwd: work });
  assert.equal(done.code, 0, done.stderr);
  const clean = path.join(work, 'kill-clean.db');
  assert.equal((await runCli(['ingest', docs, '--db', clean, '--json', ...CHUNKING], { cwd: work })).code, 0);
  const [a, b] = [await indexSnapshot(clean), await indexSnapshot(url)];
  assertConsistent(b, 'postgres after kills');
  assertSameIndex(a, b, 'clean sqlite vs postgres after kills');
  const again = summaryOf((await runCli(['ingest', docs, '--db', url, '--json', ...CHUNKING], { cwd: work })).stdout);
  assert.deepEqual([again['modelCalls'], again['writes']], [0, 0]);
});

test('postgres: 4 workers over 500 files, one killed mid-run: every file once, the index equals a clean run', { timeout: 480_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const url = await database();
  const docs = path.join(work, 'many');
  writeTree(docs, 500);
  const env = { DOCPROC_LEASE_MS: '3000' };
  const args = ['ingest', docs, '--db', url, '--json', ...CHUNKING, '--workers', '1'];
  const outputs: string[] = ['', '', '', ''];
  const errors: string[] = ['', '', '', ''];
  const children = outputs.map((_, i) => {
    const c = spawnCli(args, { cwd: work, env });
    c.stdout!.on('data', (d: Buffer) => (outputs[i] += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (errors[i] += d.toString()));
    return c;
  });
  const victim = children[1]!;
  // Kill worker 1 once it has indexed a few files: its leases expire and the others take them over.
  const killer = setInterval(() => {
    if ((outputs[1]!.match(/"status":"indexed"/g) ?? []).length >= 10) {
      victim.kill('SIGKILL');
      clearInterval(killer);
    }
  }, 50);
  const codes = await Promise.all(children.map((c) => new Promise<number | null>((r) => c.on('close', (code) => r(code)))));
  clearInterval(killer);
  assert.equal(codes[1], null, 'worker 1 was killed');
  for (const i of [0, 2, 3]) assert.equal(codes[i], 0, `worker ${i} exit: ${errors[i]!.slice(-2000)}`);
  const indexedBy = new Map<string, number[]>();
  outputs.forEach((out, i) => {
    for (const e of parseNdjson(out.split('\n').filter((l) => l.endsWith('}')).join('\n'))) {
      if (e['event'] === 'file' && e['status'] === 'indexed') indexedBy.set(String(e['path']), [...(indexedBy.get(String(e['path'])) ?? []), i]);
    }
  });
  const survivors = [...indexedBy.values()].map((ws) => ws.filter((w) => w !== 1));
  assert.equal(survivors.filter((ws) => ws.length > 1).length, 0, 'no file indexed by two live workers');
  // The killed worker may have committed the files it had in flight (16 with --workers 1) without living to print
  // their events; that every file is in the index, once, is proved by the snapshot below.
  assert.ok(indexedBy.size >= 500 - filesInFlight(1), `only ${indexedBy.size} files reported indexed`);
  assert.ok(survivors.filter((ws) => ws.length === 1).length >= 400);
  const clean = path.join(work, 'many-clean.db');
  assert.equal((await runCli(['ingest', docs, '--db', clean, '--json', ...CHUNKING], { cwd: work })).code, 0);
  const b = await indexSnapshot(url);
  assertConsistent(b, 'postgres after 4 workers');
  assertSameIndex(await indexSnapshot(clean), b, 'clean sqlite vs 4 workers');
  const status = JSON.parse((await runCli(['status', '--db', url, '--json'], { cwd: work })).stdout) as { workers: unknown[] };
  assert.deepEqual(status.workers, [], 'finished workers unregister; the killed one has expired');
});

test('postgres: two mount paths of one tree share one ledger through --path-alias', async (t) => {
  if (skip) return t.skip(skip);
  const url = await database();
  const real = path.join(work, 'alias-real');
  writeTree(real, 6);
  for (const host of ['hostA', 'hostB']) {
    fs.mkdirSync(path.join(work, host), { recursive: true });
    fs.symlinkSync(real, path.join(work, host, 'share'));
  }
  const run = (host: string) => runCli(['ingest', path.join(work, host, 'share'), '--db', url, '--json', '--path-alias', `${path.join(work, host, 'share')}=/share`], { cwd: work });
  assert.equal(summaryOf((await run('hostA')).stdout)['indexed'], 6);
  const b = summaryOf((await run('hostB')).stdout);
  assert.deepEqual([b['indexed'], b['unchanged'], b['removed'], b['modelCalls']], [0, 6, 0, 0]);
  assert.ok((await indexSnapshot(url)).docs.every((d) => d.path.startsWith('/share/')));
});

test('postgres: copy SQLite -> Postgres -> SQLite without a model, with identical search results', async (t) => {
  if (skip) return t.skip(skip);
  const url = await database();
  const src = path.join(work, 'copy-src.db');
  const back = path.join(work, 'copy-back.db');
  assert.equal((await runCli(['ingest', path.join(fixturesDir, 'docs'), '--db', src, '--json'], { cwd: work })).code, 0);
  // No model can be loaded in these runs: an empty home and no source to fetch from.
  const noModel = { DOCPROC_HOME: path.join(work, 'empty-home'), DOCPROC_MODEL_SOURCES: 'local' };
  const there = await runCli(['copy', '--from', src, '--to', url, '--json'], { cwd: work, env: noModel });
  assert.equal(there.code, 0, there.stderr);
  assert.equal((JSON.parse(there.stdout) as { verified: boolean; documents: number }).documents, fs.readdirSync(path.join(fixturesDir, 'docs')).length);
  const refused = await runCli(['copy', '--from', src, '--to', url], { cwd: work, env: noModel });
  assert.equal(refused.code, 2, refused.stderr);
  const home = await runCli(['copy', '--from', url, '--to', back, '--json'], { cwd: work, env: noModel });
  assert.equal(home.code, 0, home.stderr);
  assert.ok(!fs.existsSync(path.join(work, 'empty-home', 'models')), 'no model fetched');
  assertSameIndex(await indexSnapshot(src), await indexSnapshot(back), 'round trip');
  for (const db of [url, back]) {
    const runs = JSON.parse((await runCli(['status', '--db', db, '--json'], { cwd: work })).stdout) as { runs: { command: string }[] };
    assert.deepEqual(runs.runs.map((r) => r.command), ['ingest']);
  }
  for (const q of ['first boat from the island', 'chess opening moves']) {
    const hits = async (db: string) => (await runCli(['search', q, '--db', db, '--json'], { cwd: work })).stdout;
    assert.deepEqual(JSON.parse(await hits(back)), JSON.parse(await hits(src)), q);
  }
});
