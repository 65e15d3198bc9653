// Backups of a Postgres index against the real test Postgres (pgvector): the portable export (restored into
// Postgres and into SQLite), pg_dump -Fc where a pg_dump as new as the server is on the PATH, the fallback when
// it is older, verification that catches a flipped byte, and a restore refused while a worker is live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { freshDatabase, pgTestUrl } from '../helpers/pg.js';
import { openStore } from '../../src/store/open-store.js';

const work = tempDir('docproc-backup-pg-');
let base: string | undefined;
let skip: string | undefined;
const dropped: (() => Promise<void>)[] = [];

before(async () => {
  const r = await pgTestUrl();
  if (typeof r !== 'string') {
    skip = r.skip;
    return;
  }
  // Only where the Postgres store exists (it is loaded by URL): otherwise there is nothing to back up.
  try {
    const db = await freshDatabase(r);
    dropped.push(db.drop);
    await (await openStore(db.url)).close();
    base = r;
  } catch (err) {
    if (!/not available/.test((err as Error).message)) throw err;
    skip = `the Postgres store is not available: ${(err as Error).message}`;
  }
}, { timeout: 900_000 });
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
const QUERIES = ['river mill', 'orchard hedge', 'stone bridge'];

function writeNotes(dir: string, n: number, from = 0): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = from; i < from + n; i++) {
    // Term counts differ from note to note (i % 4 and i % 3 together are distinct for 12 notes): no score ties.
    const words = [...Array(i % 4 + 1).fill('river'), ...Array(i % 3 + 1).fill('mill'), 'orchard', ...Array(i % 5).fill('hedge'), 'stone bridge'];
    fs.writeFileSync(path.join(dir, `n${i}.txt`), `Note ${i}: ${words.join(' and ')}, item ${i * 37}.\n`);
  }
}

const cli = (args: string[], env?: Record<string, string>) => runCli(args, { cwd: work, env });

async function answers(db: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) {
    for (const mode of ['keyword', 'vector']) {
      // Every document (12 notes): with a cut-off, which of two equal scores makes the list would depend on ids.
      const r = await cli(['search', q, '--db', db, '--mode', mode, '--json', '-k', '20']);
      assert.equal(r.code, 0, r.stderr);
      // Paths, texts and rounded scores, in score order with ties by path: ids differ between stores, and so
      // may the order of equal scores.
      const hits = (JSON.parse(r.stdout) as { path: string; text: string; score: number }[]).map((h) => [h.score.toFixed(4), h.path, h.text]);
      out.push(hits.sort((a, b) => (a[0] === b[0] ? (a[1]! < b[1]! ? -1 : 1) : Number(b[0]) - Number(a[0]))));
    }
  }
  return out;
}

/** The provisioned PostgreSQL 18 client programs (scripts/pg), or undefined where they cannot be had. */
function newPgBin(): string | undefined {
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts/pg/provision.sh')], { encoding: 'utf8' });
  const bin = r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined;
  return bin && fs.existsSync(path.join(bin, 'pg_dump')) ? bin : undefined;
}

test('postgres: a portable backup restores into Postgres and into SQLite, answering as the source', { timeout: 600_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const url = await database();
  writeNotes(path.join(work, 'p1'), 12);
  const ing = await cli(['ingest', 'p1', '--db', url, '--json', ...CHUNKING]);
  assert.equal(ing.code, 0, ing.stderr);
  const b = await cli(['backup', '--db', url, '--out', path.join(work, 'pgb'), '--portable', '--json']);
  assert.equal(b.code, 0, b.stderr);
  const report = JSON.parse(b.stdout) as { file: string; method: string; counts: Record<string, number> };
  assert.equal(report.method, 'portable-sqlite');
  assert.deepEqual([report.counts['documents'], report.counts['runs']], [12, 1]);
  const manifest = JSON.parse(fs.readFileSync(report.file + '.manifest.json', 'utf8')) as Record<string, unknown>;
  assert.equal(manifest['store'], 'postgres');
  const password = decodeURIComponent(new URL(url).password);
  if (password) assert.ok(!String(manifest['source']).includes(password), 'no password in the manifest');
  assert.equal((await cli(['backup', '--verify', report.file])).code, 0);

  const want = await answers(url);
  const target = await database();
  const r = await cli(['restore', report.file, '--db', target]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await answers(target), want, 'restored into Postgres');
  // Into SQLite, whose keyword scores are BM25, not ts_rank: compared with a direct copy of the source.
  const sqlite = path.join(work, 'from-pg.db');
  const s = await cli(['restore', report.file, '--db', sqlite]);
  assert.equal(s.code, 0, s.stderr);
  const copied = path.join(work, 'copied.db');
  assert.equal((await cli(['copy', '--from', url, '--to', copied])).code, 0);
  assert.deepEqual(await answers(sqlite), await answers(copied), 'restored into SQLite');
});

test('postgres: pg_dump -Fc when a new enough pg_dump is on the PATH; verified; restored in one transaction; refused under a live worker', { timeout: 600_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const bin = newPgBin();
  if (!bin) return t.skip('no PostgreSQL client programs as new as the test server (scripts/pg/provision.sh)');
  const env = { PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` };
  const url = await database();
  writeNotes(path.join(work, 'p2'), 10);
  assert.equal((await cli(['ingest', 'p2', '--db', url, '--json', ...CHUNKING])).code, 0);
  const want = await answers(url);
  const b = await cli(['backup', '--db', url, '--out', path.join(work, 'dumps'), '--json'], env);
  assert.equal(b.code, 0, b.stderr);
  const report = JSON.parse(b.stdout) as { file: string; method: string; counts: Record<string, number> };
  assert.equal(report.method, 'pg-dump');
  assert.ok(report.file.endsWith('.pgdump'));
  assert.equal(report.counts['pg.documents'], 10);
  assert.equal((await cli(['backup', '--verify', report.file], env)).code, 0);

  const flipped = path.join(work, 'dump-flipped');
  fs.mkdirSync(flipped);
  const copy = path.join(flipped, path.basename(report.file));
  fs.copyFileSync(report.file, copy);
  fs.copyFileSync(report.file + '.manifest.json', copy + '.manifest.json');
  const buf = fs.readFileSync(copy);
  buf[Math.floor(buf.length / 2)]! ^= 0x01;
  fs.writeFileSync(copy, buf);
  assert.equal((await cli(['backup', '--verify', copy], env)).code, 3);

  // The index moves on, then the backup brings it back.
  writeNotes(path.join(work, 'p2'), 5, 10);
  assert.equal((await cli(['ingest', 'p2', '--db', url, '--json', ...CHUNKING])).code, 0);
  const r = await cli(['restore', report.file, '--db', url], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await answers(url), want);
  const status = JSON.parse((await cli(['status', '--db', url, '--json'])).stdout) as { documents: Record<string, number> };
  assert.deepEqual(status.documents, { indexed: 10 });
  assert.equal((await cli(['restore', report.file, '--db', path.join(work, 'x.db')], env)).code, 2, 'a pg_dump archive restores into Postgres only');

  // A live worker (watch) on the index: the restore is refused, --force or not.
  // Chunk settings follow the index (watch takes none of its own).
  const watcher = spawnCli(['watch', path.join(work, 'p2'), '--db', url, '--json'], { cwd: work });
  let out = '';
  let err = '';
  watcher.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  watcher.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let ended = false;
  const exited = new Promise<number | null>((resolve) => watcher.on('close', (code) => ((ended = true), resolve(code))));
  const deadline = Date.now() + 120_000;
  while (!out.includes('"event":"sync"')) {
    assert.ok(Date.now() < deadline && !ended, `watch caught up: ${err}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  const refused = await cli(['restore', report.file, '--db', url], env);
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /refusing to restore over .*live writer/);
  assert.equal((await cli(['restore', report.file, '--db', url, '--force'], env)).code, 4);
  watcher.kill('SIGTERM');
  assert.equal(await exited, 143);
});

test('postgres: an older pg_dump on the PATH is not used: the backup falls back to the portable export', { timeout: 300_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const url = await database();
  writeNotes(path.join(work, 'p3'), 3);
  assert.equal((await cli(['ingest', 'p3', '--db', url, '--json', ...CHUNKING])).code, 0);
  // A stand-in pg_dump that reports an ancient version.
  const fake = path.join(work, 'oldbin');
  fs.mkdirSync(fake);
  for (const name of ['pg_dump', 'pg_restore']) fs.writeFileSync(path.join(fake, name), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6"\n', { mode: 0o755 });
  const b = await cli(['backup', '--db', url, '--out', path.join(work, 'fallback'), '--json', '--verbose'], { PATH: `${fake}${path.delimiter}${process.env['PATH'] ?? ''}` });
  assert.equal(b.code, 0, b.stderr);
  assert.equal((JSON.parse(b.stdout) as { method: string }).method, 'portable-sqlite');
  assert.match(b.stderr, /version 9, older than the server/);
});
