// The index lock between real processes: separate pid namespaces, release by token, the heartbeat, racing takers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { selfIdentity } from '../../src/store/sqlite/lock-holder.js';
import { withGuard, writeTemp, type LockInfo } from '../../src/store/sqlite/lock-file.js';
import { tempDir } from '../helpers/temp.js';

const work = tempDir('docproc-lock-proc-');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

let n = 0;
const freshDb = (): string => path.join(work, `case${n++}`, 'index.db');
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
const lockModule = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/store/sqlite/lock.js')).href;

/** Takes the lock, prints one JSON line, then obeys stdin: 'release' releases, 'exit' exits (the exit handler releases). */
const HOLDER = `
const { acquireLock } = await import(process.env.LOCK_MODULE);
const staleMs = process.env.LOCK_STALE_MS ? Number(process.env.LOCK_STALE_MS) : undefined;
try {
  const lock = await acquireLock(process.env.LOCK_DB, 'lock-test', 0, undefined, { staleMs });
  console.log(JSON.stringify({ held: true, pid: process.pid, token: lock.token }));
  process.stdin.on('data', (d) => {
    if (String(d).includes('release')) { lock.release(); console.log(JSON.stringify({ released: true })); }
    if (String(d).includes('exit')) process.exit(0);
  });
  process.stdin.on('end', () => process.exit(0));
} catch (err) {
  console.log(JSON.stringify({ held: false, name: err.name, exitCode: err.exitCode, message: err.message }));
  process.exit(err.exitCode ?? 1);
}
`;

interface Holder {
  child: ChildProcess;
  /** Resolves with each JSON line in turn. */
  next(): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

const UNSHARE = ['--pid', '--fork', '--mount-proc', '--kill-child'];

function startHolder(db: string, o: { namespace?: boolean; staleMs?: number } = {}): Holder {
  const node = [process.execPath, '--input-type=module', '-e', HOLDER];
  const [cmd, ...args] = o.namespace ? ['unshare', ...UNSHARE, ...node] : node;
  const env = { ...process.env, LOCK_MODULE: lockModule, LOCK_DB: db, LOCK_STALE_MS: o.staleMs === undefined ? '' : String(o.staleMs) };
  const child = spawn(cmd!, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const next = async (): Promise<Record<string, unknown>> => {
    const line = lines.shift() ?? (await Promise.race([new Promise<string>((r) => waiting.push(r)), exited.then((c) => { throw new Error(`holder exited ${c} before answering`); })]));
    return JSON.parse(line) as Record<string, unknown>;
  };
  return { child, next, exited };
}

function readLockFile(db: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')) as Record<string, unknown>;
}

function unshareSkipReason(): string | undefined {
  const r = spawnSync('unshare', [...UNSHARE, 'true']);
  if (r.error) return `unshare is not installed: ${r.error.message}`;
  if (r.status !== 0) return `unshare --pid is not permitted here: ${r.stderr.toString().trim()}`;
  return undefined;
}

test('a holder in another pid namespace keeps the lock: takers in a third namespace and in ours get LockedError', { timeout: 60_000 }, async (t) => {
  const skip = unshareSkipReason();
  if (skip) return t.skip(skip);
  const db = freshDb();
  const a = startHolder(db, { namespace: true });
  const got = await a.next();
  assert.deepEqual([got['held'], got['pid']], [true, 1], 'the holder is pid 1 of its own namespace');
  const info = readLockFile(db);
  assert.notEqual(info['pidNs'], selfIdentity().pidNs);

  // The old lock let this one in: it is pid 1 too, and took a lock naming its own pid for a stale one of its own.
  const b = startHolder(db, { namespace: true });
  const refused = await b.next();
  assert.equal(refused['held'], false);
  assert.equal(refused['name'], 'LockedError');
  assert.equal(refused['exitCode'], 4);
  assert.match(String(refused['message']), new RegExp(`^index ${db.replace(/[.]/g, '\\.')} is locked by pid 1 \\(lock-test\\) since \\S+ in pid namespace pid:\\[\\d+\\]; last heartbeat \\d+(\\.\\d)?s ago, taken over after 60s without one$`));
  assert.equal(await b.exited, 4);

  // Pid 1 here is init: alive, but not the holder. Nothing visible from here may decide.
  const c = startHolder(db);
  assert.equal((await c.next())['held'], false);
  assert.equal(await c.exited, 4);
  assert.equal(readLockFile(db)['token'], got['token'], 'the lock is untouched');

  a.child.stdin!.write('release\n');
  assert.deepEqual(await a.next(), { released: true });
  assert.ok(!fs.existsSync(`${db}.lock`), 'the holder released its own lock');
  a.child.stdin!.end();
  assert.equal(await a.exited, 0);

  const d = startHolder(db, { namespace: true });
  assert.equal((await d.next())['held'], true, 'free again');
  d.child.stdin!.end();
  assert.equal(await d.exited, 0);
  assert.ok(!fs.existsSync(`${db}.lock`), 'released at exit');
});

test('a holder deletes the lock only while it holds its token: not after a takeover, neither on release nor at exit', { timeout: 30_000 }, async () => {
  for (const how of ['release', 'exit']) {
    const db = freshDb();
    const a = startHolder(db, { staleMs: 400 });
    assert.equal((await a.next())['held'], true);
    // As if another process judged A silent and took the lock over (same pid: as in another namespace).
    const other = { ...readLockFile(db), token: randomUUID(), heartbeatAt: new Date().toISOString() } as LockInfo;
    const tmp = writeTemp(`${db}.lock`, other);
    withGuard(`${db}.lock`, () => fs.renameSync(tmp, `${db}.lock`), 5_000); // the way a taker replaces it
    await new Promise((r) => setTimeout(r, 300)); // a few heartbeats: none may write A's content back
    assert.deepEqual(readLockFile(db), other, 'the heartbeat stopped once the lock was no longer ours');
    a.child.stdin!.write(`${how}\n`);
    if (how === 'release') assert.deepEqual(await a.next(), { released: true });
    a.child.stdin!.end();
    assert.equal(await a.exited, 0);
    assert.deepEqual(readLockFile(db), other, `${how}: the new holder's lock is still there`);
    assert.deepEqual(fs.readdirSync(path.dirname(db)), ['index.db.lock'], 'no helper files left behind');
  }
});

test('the heartbeat advances while the holder runs, with the identity it was taken with', { timeout: 30_000 }, async () => {
  const db = freshDb();
  const a = startHolder(db, { staleMs: 400 }); // a beat every 100 ms
  const got = await a.next();
  const first = readLockFile(db);
  const firstMtime = fs.statSync(`${db}.lock`).mtimeMs;
  const me = selfIdentity();
  assert.equal(first['token'], got['token']);
  assert.match(String(first['token']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual([first['pid'], first['host'], first['bootId'], first['pidNs'], first['command']], [got['pid'], me.host, me.bootId, me.pidNs, 'lock-test']);
  assert.match(String(first['procStart']), /^\d+$/);
  await new Promise((r) => setTimeout(r, 450));
  const later = readLockFile(db);
  assert.ok(Date.parse(String(later['heartbeatAt'])) >= Date.parse(String(first['heartbeatAt'])) + 200, `heartbeat ${first['heartbeatAt']} -> ${later['heartbeatAt']}`);
  assert.ok(fs.statSync(`${db}.lock`).mtimeMs > firstMtime, 'mtime follows the heartbeat');
  assert.deepEqual({ ...later, heartbeatAt: null }, { ...first, heartbeatAt: null }, 'only heartbeatAt changes');
  // Its own heartbeat is what keeps a holder alive to takers that cannot see its pid: still refused.
  const b = startHolder(db, { staleMs: 400 });
  assert.equal((await b.next())['held'], false);
  a.child.stdin!.end();
  assert.equal(await a.exited, 0);
  assert.ok(!fs.existsSync(`${db}.lock`));
});

test('three takers of a stale lock at once: exactly one wins', { timeout: 30_000 }, async () => {
  for (const stale of ['dead pid here', 'silent host']) {
    const db = freshDb();
    fs.mkdirSync(path.dirname(db), { recursive: true });
    const me = selfIdentity();
    const silent = new Date(Date.now() - 5_000);
    const dead = stale === 'dead pid here'
      ? { pid: deadPid(), host: me.host, bootId: me.bootId, pidNs: me.pidNs }
      : { pid: 1, host: 'elsewhere.example', bootId: randomUUID(), pidNs: 'pid:[1]' };
    fs.writeFileSync(`${db}.lock`, JSON.stringify({ token: randomUUID(), ...dead, command: 'ingest', startedAt: silent.toISOString(), heartbeatAt: silent.toISOString() }));
    fs.utimesSync(`${db}.lock`, silent, silent);
    const takers = [0, 1, 2].map(() => startHolder(db, { staleMs: 1_000 }));
    const answers = await Promise.all(takers.map((t) => t.next()));
    assert.deepEqual(answers.map((a) => a['held']).sort(), [false, false, true], `${stale}: ${JSON.stringify(answers)}`);
    const winner = answers.find((a) => a['held'])!;
    assert.equal(readLockFile(db)['token'], winner['token']);
    for (const a of answers.filter((x) => !x['held'])) assert.match(String(a['message']), new RegExp(`locked by pid ${winner['pid']} \\(lock-test\\)`));
    for (const t of takers) t.child.stdin!.end();
    await Promise.all(takers.map((t) => t.exited));
    assert.ok(!fs.existsSync(`${db}.lock`));
  }
});
