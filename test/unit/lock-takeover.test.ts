// When an existing index lock is taken over: at once from a provably dead holder, otherwise only after its heartbeat stops.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { acquireLock, staleMsFromEnv, LOCK_STALE_MS } from '../../src/store/sqlite/lock.js';
import { procStartOf, selfIdentity } from '../../src/store/sqlite/lock-holder.js';
import { LockedError, UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';

const work = tempDir('docproc-lock-unit-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
const freshDb = (): string => path.join(work, `case${n++}`, 'index.db');
const STALE_MS = 1_000;
const me = selfIdentity();
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());

/** Writes a lock as another holder would have, its heartbeat (and mtime) silentMs ago. */
function plant(db: string, fields: Record<string, unknown>, silentMs = 0): void {
  fs.mkdirSync(path.dirname(db), { recursive: true });
  const beat = new Date(Date.now() - silentMs);
  const info = { token: randomUUID(), pid: 4242, host: me.host, bootId: me.bootId, pidNs: me.pidNs, command: 'ingest', startedAt: new Date(0).toISOString(), heartbeatAt: beat.toISOString(), ...fields };
  for (const [k, v] of Object.entries(info)) if (v === undefined) delete (info as Record<string, unknown>)[k];
  fs.writeFileSync(`${db}.lock`, typeof fields['raw'] === 'string' ? fields['raw'] : JSON.stringify(info));
  fs.utimesSync(`${db}.lock`, beat, beat);
}

async function refused(db: string, pattern: RegExp): Promise<void> {
  const before = fs.readFileSync(`${db}.lock`, 'utf8');
  await assert.rejects(acquireLock(db, 'ingest', 0, undefined, { staleMs: STALE_MS }), (err: unknown) => {
    assert.ok(err instanceof LockedError, String(err));
    assert.equal(err.exitCode, 4);
    assert.match(err.message, pattern);
    return true;
  });
  assert.equal(fs.readFileSync(`${db}.lock`, 'utf8'), before, 'a refused taker leaves the lock as it was');
}

async function takenOver(db: string): Promise<void> {
  const lock = await acquireLock(db, 'ingest', 0, undefined, { staleMs: STALE_MS });
  const now = JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')) as Record<string, unknown>;
  assert.equal(now['token'], lock.token);
  assert.equal(now['pid'], process.pid);
  lock.release();
  assert.ok(!fs.existsSync(`${db}.lock`), 'released');
  assert.deepEqual(fs.readdirSync(path.dirname(db)), [], 'no helper files left behind');
}

test('lock takeover: a lock from another host with a fresh heartbeat is refused, naming pid, command and host', async () => {
  const db = freshDb();
  plant(db, { host: 'elsewhere.example', bootId: randomUUID(), pidNs: 'pid:[4026531836]', pid: deadPid() });
  await refused(db, /^index \S+ is locked by pid \d+ \(ingest\) since 1970-01-01T00:00:00\.000Z on host elsewhere\.example; last heartbeat \d+(\.\d)?s ago, taken over after 1s without one$/);
});

test('lock takeover: a lock from another host whose heartbeat is older than the stale limit is taken over', async () => {
  const db = freshDb();
  plant(db, { host: 'elsewhere.example', bootId: randomUUID(), pid: 1 }, STALE_MS + 500);
  await takenOver(db);
});

test('lock takeover: a fresh heartbeat counts even when the file mtime is old, and the other way round', async () => {
  const db = freshDb();
  plant(db, { host: 'elsewhere.example' }, STALE_MS + 500);
  const beat = JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')) as Record<string, unknown>;
  const old = fs.statSync(`${db}.lock`).mtime;
  fs.writeFileSync(`${db}.lock`, JSON.stringify({ ...beat, heartbeatAt: new Date().toISOString() }));
  fs.utimesSync(`${db}.lock`, old, old);
  await refused(db, /on host elsewhere\.example; last heartbeat/);
  plant(db, { host: 'elsewhere.example' }, STALE_MS + 500);
  const now = new Date();
  fs.utimesSync(`${db}.lock`, now, now);
  await refused(db, /on host elsewhere\.example; last heartbeat/);
});

test('lock takeover: same host name, another boot id (a reboot, or another machine): heartbeat decides', async () => {
  const db = freshDb();
  plant(db, { bootId: randomUUID(), pid: deadPid() });
  await refused(db, new RegExp(`^index \\S+ is locked by pid \\d+ \\(ingest\\) since \\S+ on host ${me.host.replace(/\./g, '\\.')} \\(another boot\\); last heartbeat`));
  plant(db, { bootId: randomUUID(), pid: deadPid() }, STALE_MS + 500);
  await takenOver(db);
});

test('lock takeover: another pid namespace on this host: its pid means nothing here, so heartbeat decides', async () => {
  const db = freshDb();
  // Our own pid and start time, as a holder in another container could have: still not ours.
  plant(db, { pidNs: 'pid:[1]', pid: deadPid() });
  await refused(db, /^index \S+ is locked by pid \d+ \(ingest\) since \S+ in pid namespace pid:\[1\]; last heartbeat/);
  plant(db, { pidNs: 'pid:[1]', pid: process.pid, procStart: me.procStart });
  await refused(db, new RegExp(`locked by pid ${process.pid} \\(ingest\\) since \\S+ in pid namespace pid:\\[1\\]`));
  plant(db, { pidNs: 'pid:[1]', pid: deadPid() }, STALE_MS + 500);
  await takenOver(db);
});

test('lock takeover: same host, boot and namespace: a dead pid or a reused pid is taken over at once', async () => {
  const db = freshDb();
  plant(db, { pid: deadPid() });
  await takenOver(db);
  plant(db, { pid: process.pid, procStart: '1' }); // this pid, but started at another time: reused
  await takenOver(db);
});

test('lock takeover: same host, boot and namespace: a live holder keeps the lock however old its heartbeat', async () => {
  const db = freshDb();
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid!;
  try {
    // Silent for longer than the limit, but visibly alive (a long synchronous step, a stopped process).
    plant(db, { pid }, STALE_MS + 500);
    await refused(db, new RegExp(`^index \\S+ is locked by pid ${pid} \\(ingest\\) since 1970-01-01T00:00:00\\.000Z$`));
    plant(db, { pid, procStart: procStartOf(pid) }, 10 * STALE_MS);
    await refused(db, new RegExp(`locked by pid ${pid} \\(ingest\\)`));
  } finally {
    child.kill('SIGKILL');
  }
});

test('lock takeover: an older version\'s lock (no token, host or heartbeat) goes only once its pid is gone here and it is old', async () => {
  const db = freshDb();
  const old = { token: undefined, host: undefined, bootId: undefined, pidNs: undefined, heartbeatAt: undefined };
  plant(db, { ...old, pid: deadPid() });
  await refused(db, /^index \S+ is locked by pid \d+ \(ingest\) since 1970-01-01T00:00:00\.000Z$/);
  plant(db, { ...old, pid: process.pid, procStart: '1' }, STALE_MS + 500); // its pid lives here: maybe it is the holder in another namespace
  await refused(db, new RegExp(`locked by pid ${process.pid} \\(ingest\\)`));
  plant(db, { ...old, pid: deadPid() }, STALE_MS + 500);
  await takenOver(db);
});

test('lock takeover: an unreadable lock file is refused while young and taken over once older than the limit', async () => {
  const db = freshDb();
  plant(db, { raw: '' });
  await refused(db, /^index \S+ is locked: its lock file is unreadable \(written \S+\); it is taken over once 1s old$/);
  plant(db, { raw: '{"pid": ' }, STALE_MS + 500);
  await takenOver(db);
});

test('lock: a second acquire in the same process is refused, and release is idempotent', async () => {
  const db = freshDb();
  const lock = await acquireLock(db, 'watch', 0, undefined, { staleMs: STALE_MS });
  await assert.rejects(acquireLock(db, 'ingest', 0, undefined, { staleMs: STALE_MS }), new RegExp(`locked by pid ${process.pid} \\(watch\\)`));
  lock.release();
  lock.release();
  assert.ok(!fs.existsSync(`${db}.lock`));
});

test('lock: DOCPROC_LOCK_STALE_MS is checked; the default is 60 s', () => {
  assert.equal(LOCK_STALE_MS, 60_000);
  assert.equal(staleMsFromEnv({}), undefined);
  assert.equal(staleMsFromEnv({ DOCPROC_LOCK_STALE_MS: '1500' }), 1500);
  assert.throws(() => staleMsFromEnv({ DOCPROC_LOCK_STALE_MS: 'soon' }), (e: unknown) => e instanceof UsageError && /DOCPROC_LOCK_STALE_MS must be a number of milliseconds, at least 200: got soon/.test(e.message));
  assert.throws(() => staleMsFromEnv({ DOCPROC_LOCK_STALE_MS: '10' }), UsageError);
});
