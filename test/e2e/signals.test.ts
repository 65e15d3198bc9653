// SIGTERM / SIGINT during an ingest: files in flight finish, nothing is pruned, the run record says
// "interrupted", the exit code is 143 / 130, and a re-run completes to the same index as a clean run.
// Files not yet started are not started; files whose extraction outlasts the stop grace period are killed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCli, spawnCli, cliEnv, binPath, parseNdjson, summaryOf, tempDir, type CliResult } from '../helpers/cli.js';
import { loadSqliteDriver } from '../../src/store/sqlite/driver.js';

const BetterSqlite = loadSqliteDriver();

const work = tempDir('docproc-signals-');
after(() => fs.rmSync(work, { recursive: true, force: true }));
const N = 200;

function makeTree(name: string): string {
  const docs = path.join(work, name);
  fs.mkdirSync(docs, { recursive: true });
  for (let i = 0; i < N; i++) {
    const body = i % 10 === 0
      ? Array.from({ length: 6 }, (_, p) => `Section ${p} of report ${i}: the committee reviewed budgets, harbours, bridges and the winter schedule in detail.`).join('\n\n')
      : `Memo ${i}: the otter swims in channel ${i}.`;
    fs.writeFileSync(path.join(docs, `m${i}.txt`), body + '\n');
  }
  return docs;
}

/** Runs an ingest and sends `sig` once `afterFiles` files have been processed. */
function interrupted(args: string[], sig: NodeJS.Signals, afterFiles: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { cwd: work });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const processed = stdout.split('\n').filter((l) => l.includes('"event":"file"') && !l.includes('"unchanged"')).length;
      if (!sent && processed >= afterFiles) {
        sent = true;
        child.kill(sig);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function contents(db: string): { docs: unknown[]; chunks: unknown[]; half: unknown[] } {
  const d = new BetterSqlite(db, { readonly: true });
  try {
    return {
      docs: d.prepare('SELECT rel_path, sha256, status, chunk_count FROM documents ORDER BY rel_path').all(),
      chunks: d.prepare('SELECT d.rel_path, c.seq, c.text FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY d.rel_path, c.seq').all(),
      half: d.prepare(`SELECT d.rel_path FROM documents d LEFT JOIN chunks c ON c.document_id = d.id
        WHERE d.status = 'indexed' GROUP BY d.id HAVING COUNT(c.id) <> d.chunk_count`).all(),
    };
  } finally {
    d.close();
  }
}

async function lastRun(db: string): Promise<{ outcome: string; counts: Record<string, number> }> {
  const st = await runCli(['status', '--json', '--db', db], { cwd: work });
  assert.equal(st.code, 0, st.stderr);
  return (JSON.parse(st.stdout) as { lastRun: { outcome: string; counts: Record<string, number> } }).lastRun;
}

test('SIGTERM: in-flight files finish, no prune, run recorded as interrupted, exit 143; a re-run equals a clean run', { timeout: 180_000 }, async () => {
  const docs = makeTree('docs');
  const db = path.join(work, 'term.db');
  // A document indexed earlier whose file is then deleted: an interrupted run must not prune it.
  const gone = path.join(docs, 'gone.txt');
  fs.writeFileSync(gone, 'The albatross glides over the southern ocean.\n');
  const pre = await runCli(['ingest', gone, '--db', db, '--json'], { cwd: work });
  assert.equal(pre.code, 0, pre.stderr);
  fs.rmSync(gone);

  const r = await interrupted(['ingest', docs, '--db', db, '--json'], 'SIGTERM', 15);
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /SIGTERM received/);
  const s = summaryOf(r.stdout);
  assert.equal(s['interrupted'], true);
  assert.equal(s['removed'], 0, 'an interrupted run prunes nothing');
  assert.ok(Number(s['indexed']) >= 15 && Number(s['indexed']) < N, `indexed ${s['indexed']}`);
  // Every file the run reported is stored whole; the summary accounts for each reported file.
  const reported = parseNdjson(r.stdout).filter((e) => e['event'] === 'file' && e['status'] === 'indexed').length;
  assert.equal(reported, s['indexed'], 'indexed events vs summary');
  const mid = contents(db);
  assert.deepEqual(mid.half, []);
  assert.equal(mid.docs.length, Number(s['indexed']) + 1, `the reported files plus the unpruned one: ${JSON.stringify(mid.docs.map((d) => (d as { rel_path: string }).rel_path))}\n${r.stdout}`);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');

  const run = await lastRun(db);
  assert.equal(run.outcome, 'interrupted');
  assert.equal(run.counts['indexed'], s['indexed'], 'run record vs summary');

  const rest = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work });
  assert.equal(rest.code, 0, rest.stderr);
  const rs = summaryOf(rest.stdout);
  assert.deepEqual([rs['indexed'], rs['unchanged'], rs['removed']], [N - Number(s['indexed']), s['indexed'], 1]);
  assert.equal((await lastRun(db)).outcome, 'completed');

  const cleanDb = path.join(work, 'clean.db');
  const clean = await runCli(['ingest', docs, '--db', cleanDb, '--json'], { cwd: work });
  assert.equal(clean.code, 0, clean.stderr);
  assert.deepEqual(contents(db), contents(cleanDb));
});

test('SIGINT: exit 130, run recorded as interrupted', { timeout: 120_000 }, async () => {
  const docs = makeTree('docs-int');
  const db = path.join(work, 'int.db');
  const r = await interrupted(['ingest', docs, '--db', db, '--json'], 'SIGINT', 5);
  assert.equal(r.code, 130, r.stderr);
  assert.equal(summaryOf(r.stdout)['interrupted'], true);
  assert.equal((await lastRun(db)).outcome, 'interrupted');
  assert.deepEqual(contents(db).half, []);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');
});

test('Ctrl-C (SIGINT to the whole process group, extract workers included): exit 130, no file recorded as failed', { timeout: 120_000 }, async () => {
  const docs = makeTree('docs-group');
  const db = path.join(work, 'group.db');
  // detached: its own process group, like a foreground job in a terminal.
  const child = spawn(process.execPath, [binPath, 'ingest', docs, '--db', db, '--json'], { cwd: work, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!sent && stdout.includes('"event":"file"')) {
      sent = true;
      process.kill(-child.pid!, 'SIGINT');
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.equal(summaryOf(stdout)['interrupted'], true);
  assert.equal(summaryOf(stdout)['failed'], 0, 'workers ignore SIGINT: files in flight finish');
  const failed = await runCli(['status', '--failed', '--json', '--db', db], { cwd: work });
  assert.deepEqual(JSON.parse(failed.stdout), [], 'a worker killed by Ctrl-C is not the file\'s failure');
  assert.deepEqual(contents(db).half, []);
});

test('SIGINT with slow files: queued files never start, those in flight are killed after the 10 s grace, exit 130', { timeout: 120_000 }, async () => {
  const docs = path.join(work, 'docs-slow');
  fs.mkdirSync(docs);
  const hang = Array.from({ length: 6 }, (_, i) => path.join(docs, `hang-${i + 1}.txt`));
  for (const f of hang) fs.writeFileSync(f, `A file whose extraction never ends: ${f}\n`);
  const db = path.join(work, 'slow.db');
  const starts = path.join(work, 'slow-starts.log');
  fs.writeFileSync(starts, '');
  // hang-* never finish in the extraction child (see test/helpers/slow-extract.ts); the file timeout is far away.
  const preload = pathToFileURL(fileURLToPath(new URL('../helpers/slow-extract.js', import.meta.url))).href;
  const child = spawnCli(['ingest', docs, '--db', db, '--json'], {
    cwd: work,
    env: { NODE_OPTIONS: `--import ${preload}`, SLOW_EXTRACT_STARTS: starts, DOCPROC_WORKERS: '2', DOCPROC_FILE_TIMEOUT_MS: '300000' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const startedLines = (): string[] => fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean);
  // Both workers busy with a hang file, four more handed to the pool behind them.
  while (startedLines().length < 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await closed;
  const took = Date.now() - t0;
  clearTimeout(guard);
  assert.equal(code, 130, stderr);
  // Before: the stop waited for every file handed to the pool, each until its file timeout (minutes).
  assert.ok(took >= 9_000 && took < 18_000, `exit ${took} ms after SIGINT; want the 10 s grace plus a margin`);
  assert.equal(startedLines().length, 2, `no file started after the signal: ${startedLines().join(', ')}`);
  const events = new Map(parseNdjson(stdout).filter((e) => e['event'] === 'file').map((e) => [path.resolve(work, String(e['path'])), e])); // printed relative to cwd
  const killed = new Set(startedLines());
  for (const f of hang) {
    assert.deepEqual([events.get(f)?.['status'], events.get(f)?.['reason']], ['skipped', killed.has(f)
      ? 'interrupted: stopped after the 10s grace period; retried on the next run'
      : 'interrupted: not started; retried on the next run'], f);
  }
  const s = summaryOf(stdout);
  assert.deepEqual([s['interrupted'], s['indexed'], s['skipped'], s['failed'], s['quarantined']], [true, 0, 6, 0, 0]);
  assert.deepEqual(contents(db).docs, [], 'nothing recorded for interrupted files');
  assert.equal((await lastRun(db)).outcome, 'interrupted');
});
