// Crash safety: `kill -9` an ingest at many points, re-run, and the index ends equal to a clean one. At every
// kill point the index is consistent: no document is visible with only part of its chunks or vectors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Database } from 'better-sqlite3';
import { runCli, spawnCli, summaryOf, tempDir } from '../helpers/cli.js';
import { loadSqliteDriver } from '../../src/store/sqlite/driver.js';

const require = createRequire(import.meta.url);
const BetterSqlite = loadSqliteDriver();
const sqliteVec = require('sqlite-vec') as { load(db: Database): void };

const work = tempDir('docproc-kill-');
const docs = path.join(work, 'docs');
const dbA = path.join(work, 'a.db');
const dbB = path.join(work, 'b.db');
const CHUNKING = ['--chunk-tokens', '64', '--chunk-overlap', '8'];
after(() => fs.rmSync(work, { recursive: true, force: true }));

// A small deterministic PRNG: the same kill points on every run of the test.
let seed = 20240611;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

function text(i: number, version = 0): string {
  if (i % 8 !== 0) return `Note ${i}${version ? ` (v${version})` : ''}: a short sentence about item ${i} and its colour.\n`;
  // Every eighth file spans several 64-token chunks.
  return Array.from({ length: 8 }, (_, p) =>
    `Part ${p + 1} of file ${i}${version ? ` v${version}` : ''} follows the river past mountains, lakes, tall pines and quiet villages where people trade bread.`,
  ).join('\n\n') + '\n';
}

function writeTree(n: number): void {
  for (let i = 0; i < n; i++) {
    const dir = path.join(docs, `d${i % 6}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), text(i));
  }
}
const fileOf = (i: number): string => path.join(docs, `d${i % 6}`, `f${i}.txt`);

function open(db: string): Database {
  const d = new BetterSqlite(db, { readonly: true });
  sqliteVec.load(d);
  return d;
}

interface Snapshot {
  docs: { path: string; sha256: string | null; status: string }[];
  chunks: Map<string, string[]>;
  chunkCount: number;
  vectorCount: number;
  orphanVectors: number;
  duplicates: number;
  halfDocuments: string[];
  integrity: string;
}

function snapshot(db: string): Snapshot {
  const d = open(db);
  try {
    const docs = d.prepare('SELECT path, sha256, status FROM documents ORDER BY path').all() as Snapshot['docs'];
    const rows = d.prepare('SELECT d.path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY d.path, c.seq').all() as { path: string; text: string }[];
    const chunks = new Map<string, string[]>();
    for (const r of rows) chunks.set(r.path, [...(chunks.get(r.path) ?? []), r.text]);
    const hasVec = !!d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'vec_chunks'").get();
    const vectorCount = hasVec ? (d.prepare('SELECT COUNT(*) AS n FROM vec_chunks').get() as { n: number }).n : 0;
    const orphanVectors = hasVec ? (d.prepare('SELECT COUNT(*) AS n FROM vec_chunks v LEFT JOIN chunks c ON c.id = v.rowid WHERE c.id IS NULL').get() as { n: number }).n : 0;
    const duplicates = (d.prepare('SELECT COUNT(*) AS n FROM (SELECT document_id, seq FROM chunks GROUP BY document_id, seq HAVING COUNT(*) > 1)').get() as { n: number }).n;
    const halfDocuments = (d.prepare(`SELECT d.path || ' (' || d.chunk_count || ' declared, ' || COUNT(c.id) || ' stored)' AS p FROM documents d
      LEFT JOIN chunks c ON c.document_id = d.id WHERE d.status = 'indexed' GROUP BY d.id HAVING COUNT(c.id) <> d.chunk_count OR d.chunk_count = 0`).all() as { p: string }[]).map((r) => r.p);
    const integrity = d.pragma('integrity_check', { simple: true }) as string;
    return { docs, chunks, chunkCount: rows.length, vectorCount, orphanVectors, duplicates, halfDocuments, integrity };
  } finally {
    d.close();
  }
}

function assertConsistent(s: Snapshot, where: string): void {
  assert.equal(s.integrity, 'ok', `${where}: integrity_check`);
  assert.deepEqual(s.halfDocuments, [], `${where}: documents with part of their chunks`);
  assert.equal(s.duplicates, 0, `${where}: duplicate chunks`);
  assert.equal(s.vectorCount, s.chunkCount, `${where}: vectors vs chunks`);
  assert.equal(s.orphanVectors, 0, `${where}: vectors without a chunk`);
}

/** Starts an ingest into B and kills it with SIGKILL after `afterFiles` processed files (plus a small random delay). */
function killedRun(afterFiles: number, delayMs: number): Promise<{ killed: boolean; processed: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(['ingest', docs, '--db', dbB, '--json', ...CHUNKING], { cwd: work });
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
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as { event: string; status?: string };
        if (e.event === 'file' && e.status !== 'unchanged') processed++;
        if (processed >= afterFiles) fire();
      }
    });
    child.stderr!.resume();
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ killed: signal === 'SIGKILL', processed, code });
    });
  });
}

test('kill -9 at many points, then re-run: the index equals a clean one and is never half-written', { timeout: 240_000 }, async () => {
  const N = 300;
  writeTree(N);
  // Kill points from early (during start-up, before any file) to late; the tree changes midway so that
  // updates and removals are interrupted too.
  const plan: [number, number][] = [[0, 150], [0, 900], [1, 0], [3, 20], [10, 5], [20, 40], [25, 0], [30, 15], [35, 60], [40, 3], [45, 25], [50, 10]];
  let kills = 0;
  for (const [k, [afterFiles, baseDelay]] of plan.entries()) {
    if (k === 7) {
      // Midway: edit already-indexed files (some multi-chunk), delete some, add some.
      for (const i of [0, 8, 16, 1, 2, 3]) fs.writeFileSync(fileOf(i), text(i, 2));
      for (const i of [5, 13, 24]) fs.rmSync(fileOf(i));
      for (const i of [N, N + 1, N + 8]) fs.writeFileSync(fileOf(i), text(i));
    }
    const r = await killedRun(afterFiles, baseDelay + Math.floor(rand() * 20));
    if (r.killed) kills++;
    if (fs.existsSync(dbB)) assertConsistent(snapshot(dbB), `after kill ${k} (${afterFiles} files + ${baseDelay} ms)`);
  }
  assert.ok(kills >= 10, `only ${kills} runs were killed`);

  // A killed run leaves its lock file: the next run takes it over (dead pid) and completes.
  const done = await runCli(['ingest', docs, '--db', dbB, '--json', ...CHUNKING], { cwd: work });
  assert.equal(done.code, 0, done.stderr);
  const again = summaryOf((await runCli(['ingest', docs, '--db', dbB, '--json', ...CHUNKING], { cwd: work })).stdout);
  assert.deepEqual([again['modelCalls'], again['writes'], again['unchanged']], [0, 0, N]);

  const clean = await runCli(['ingest', docs, '--db', dbA, '--json', ...CHUNKING], { cwd: work });
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(summaryOf(clean.stdout)['indexed'], N);

  const a = snapshot(dbA);
  const b = snapshot(dbB);
  assertConsistent(a, 'clean index A');
  assertConsistent(b, 'index B after kills');
  assert.equal(b.docs.length, N);
  assert.deepEqual(b.docs, a.docs, 'same documents (path, sha256, status)');
  assert.deepEqual(b.chunks, a.chunks, 'same chunk texts per document, in order');
  assert.equal(b.chunkCount, a.chunkCount);

  // FTS5's own consistency check (needs a writable handle; no process is using B now).
  const w = new BetterSqlite(dbB);
  try {
    w.exec("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)");
  } finally {
    w.close();
  }
  assert.ok(!fs.existsSync(`${dbB}.lock`), 'lock released');
});
