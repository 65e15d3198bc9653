// One writer per index: a concurrent ingest exits 4 at once (or waits with --wait); a dead holder's lock is taken over.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { binPath, cliEnv, runCli, spawnCli, summaryOf, tempDir, type CliResult } from '../helpers/cli.js';

const work = tempDir('docproc-lock-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
function tree(files: number): { docs: string; db: string } {
  const base = path.join(work, `case${n++}`);
  const docs = path.join(base, 'docs');
  fs.mkdirSync(docs, { recursive: true });
  // ~170 tokens a note, one chunk each: enough model work that a holder of 150 notes is still running seconds
  // after it took the lock, however fast the rest of the ingest becomes.
  const note = (i: number): string => Array.from({ length: 12 }, (_, k) => `Lock note ${i}.${k}: the heron waits by the pond number ${i}.`).join(' ');
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(docs, `n${i}.txt`), `${note(i)}\n`);
  return { docs, db: path.join(base, 'index.db') };
}

const UNSHARE = ['--pid', '--fork', '--mount-proc', '--kill-child'];

/** The CLI as pid 1 of a pid namespace of its own: like a container that shares the index's volume. */
function spawnInNamespace(args: string[]): ChildProcess {
  return spawn('unshare', [...UNSHARE, process.execPath, binPath, ...args], { cwd: work, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why the namespace tests cannot run here, if they cannot: they are skipped, never passed. */
function unshareSkipReason(): string | undefined {
  const r = spawnSync('unshare', [...UNSHARE, 'true']);
  if (r.error) return `unshare is not installed: ${r.error.message}`;
  if (r.status !== 0) return `unshare --pid is not permitted here: ${r.stderr.toString().trim()}`;
  return undefined;
}

/** Our own host, boot and pid namespace, as a lock written by a process beside us records them. */
function here(): { host: string; bootId: string; pidNs: string } {
  return { host: os.hostname(), bootId: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), pidNs: fs.readlinkSync('/proc/self/ns/pid') };
}

/** Resolves with the CLI result and the time it ended. */
function start(args: string[], o: { namespace?: boolean } = {}): { done: Promise<CliResult & { endedAt: number }> } {
  const child = o.namespace ? spawnInNamespace(args) : spawnCli(args, { cwd: work });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult & { endedAt: number }>((resolve) =>
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr, endedAt: Date.now() });
    }),
  );
  return { done };
}

/** Resolves once the lock file exists: the holder is past start-up and has model loading and all files ahead. */
async function lockTaken(db: string): Promise<void> {
  for (let i = 0; i < 1500 && !fs.existsSync(`${db}.lock`); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fs.existsSync(`${db}.lock`), 'the first ingest never took the lock');
}

const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
};

test('a second ingest on a busy index exits 4 promptly, naming the holder; the first completes', async () => {
  const { docs, db } = tree(150);
  const first = start(['ingest', docs, '--db', db, '--json']);
  await lockTaken(db);
  const holder = (JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')) as { pid: number }).pid;
  const second = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work, timeoutMs: 30_000 });
  const secondEnded = Date.now();
  const firstResult = await first.done;
  assert.ok(secondEnded < firstResult.endedAt, 'the second exited while the first was still running');
  assert.equal(second.code, 4, second.stderr);
  assert.match(second.stderr, /locked by pid \d+/);
  assert.match(second.stderr, new RegExp(`pid ${holder}\\b`));
  assert.equal(second.stdout, '', 'no events from a run that did not start');
  assert.equal(firstResult.code, 0, firstResult.stderr);
  assert.equal(summaryOf(firstResult.stdout)['indexed'], 150);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');
});

test('three ingests started at once: exactly one runs, the others exit 4', async () => {
  const { docs, db } = tree(30);
  const runs = await Promise.all([0, 1, 2].map(() => start(['ingest', docs, '--db', db, '--json']).done));
  const codes = runs.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 4, 4], runs.map((r) => r.stderr).join('\n'));
  for (const r of runs.filter((x) => x.code === 4)) assert.match(r.stderr, /locked by pid \d+/);
  assert.equal(summaryOf(runs.find((r) => r.code === 0)!.stdout)['indexed'], 30);
});

test('--wait 30 waits for the holder, then runs', async () => {
  const { docs, db } = tree(150);
  const first = start(['ingest', docs, '--db', db, '--json']);
  await lockTaken(db);
  const second = start(['ingest', docs, '--db', db, '--json', '--wait', '30']);
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  // It planned after the holder finished: everything was already indexed. (Not which process exited first: after
  // releasing the lock the holder still closes its store, writes its summary and exits, and on a loaded machine the
  // waiter's no-op run can end before that.)
  const s = summaryOf(b.stdout);
  assert.deepEqual([s['unchanged'], s['indexed'], s['modelCalls']], [150, 0, 0]);
  assert.doesNotMatch(b.stderr, /locked by/);
});

test('a stale lock (dead pid here, or an old unreadable file) is taken over', async () => {
  const { docs, db } = tree(3);
  // A holder killed on this host, boot and pid namespace: provably dead, however fresh its last heartbeat.
  const now = new Date().toISOString();
  fs.writeFileSync(`${db}.lock`, JSON.stringify({ token: randomUUID(), pid: deadPid(), ...here(), startedAt: now, heartbeatAt: now, command: 'ingest' }));
  const r = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(r.stdout)['indexed'], 3);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');

  fs.writeFileSync(`${db}.lock`, ''); // a holder that crashed before writing its pid (older versions)
  const old = new Date(Date.now() - 120_000); // older than the 60 s stale limit: nothing names a holder
  fs.utimesSync(`${db}.lock`, old, old);
  const r2 = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work });
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');
  assert.deepEqual(fs.readdirSync(path.dirname(db)).filter((f) => f.includes('.lock')), [], 'no helper files left behind');
});

test('a lock whose pid now belongs to another process (pid reuse after a crash) is taken over', async () => {
  const { docs, db } = tree(2);
  // This test runner is alive, but it did not take the lock: its start time differs from the one recorded.
  fs.writeFileSync(`${db}.lock`, JSON.stringify({ token: randomUUID(), pid: process.pid, ...here(), startedAt: new Date(0).toISOString(), command: 'ingest', procStart: '1' }));
  const r = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');
});

test('two ingests in separate pid namespaces: the second exits 4, and the first keeps and then releases its lock', async (t) => {
  const skip = unshareSkipReason();
  if (skip) return t.skip(skip);
  const { docs, db } = tree(150);
  const first = start(['ingest', docs, '--db', db, '--json'], { namespace: true });
  await lockTaken(db);
  const holder = JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')) as Record<string, unknown>;
  assert.equal(holder['pid'], 1, 'the first ingest is pid 1 of its namespace');
  // Pid 1 too: the old lock took a lock naming its own pid for a stale one of its own, and ran.
  const second = await start(['ingest', docs, '--db', db, '--json'], { namespace: true }).done;
  assert.equal(second.code, 4, second.stderr);
  assert.match(second.stderr, /^docproc: index \S+ is locked by pid 1 \(ingest\) since \S+ in pid namespace pid:\[\d+\]; last heartbeat \d+(\.\d)?s ago, taken over after 60s without one\n/);
  assert.equal(second.stdout, '', 'no events from a run that did not start');
  // From our namespace, pid 1 is init: alive, but it says nothing about the holder.
  const third = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work, timeoutMs: 30_000 });
  assert.equal(third.code, 4, third.stderr);
  assert.match(third.stderr, /locked by pid 1 \(ingest\) since \S+ in pid namespace/);
  const firstResult = await first.done;
  assert.equal(firstResult.code, 0, firstResult.stderr);
  assert.equal(summaryOf(firstResult.stdout)['indexed'], 150);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');
});

test('a lock from another host is kept while its heartbeat is fresh (exit 4), taken over once older than DOCPROC_LOCK_STALE_MS', async () => {
  const { docs, db } = tree(2);
  // 15 s: a loaded CI machine can take seconds to start the CLI, and the fresh lock must still be fresh then.
  const env = { DOCPROC_LOCK_STALE_MS: '15000' };
  const plant = (silentMs: number): void => {
    const beat = new Date(Date.now() - silentMs);
    const info = { token: randomUUID(), pid: deadPid(), host: 'elsewhere.example', bootId: randomUUID(), pidNs: 'pid:[4026531836]', command: 'watch', startedAt: new Date(0).toISOString(), heartbeatAt: beat.toISOString() };
    fs.writeFileSync(`${db}.lock`, JSON.stringify(info));
    fs.utimesSync(`${db}.lock`, beat, beat);
  };
  plant(0);
  const busy = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work, env });
  assert.equal(busy.code, 4, busy.stderr);
  assert.match(busy.stderr, /^docproc: index \S+ is locked by pid \d+ \(watch\) since 1970-01-01T00:00:00\.000Z on host elsewhere\.example; last heartbeat \d+(\.\d)?s ago, taken over after 15s without one\n/);
  assert.equal(JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')).host, 'elsewhere.example', 'left as it was');

  plant(60_000);
  const r = await runCli(['ingest', docs, '--db', db, '--json'], { cwd: work, env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(r.stdout)['indexed'], 2);
  assert.ok(!fs.existsSync(`${db}.lock`), 'lock released');
});
