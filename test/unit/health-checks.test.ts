// Each readiness check healthy, degraded and unhealthy, on real SQLite files, real lock files and the real model;
// the disk through an injected stat. Timeouts turn a slow check into degraded, never a hang.
import { test, after } from 'node:test';
import { LATEST_SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { configSchema, type Config } from '../../src/config/schema.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { acquireLock } from '../../src/store/sqlite/lock.js';
import { selfIdentity } from '../../src/store/sqlite/lock-holder.js';
import { identityOf } from '../../src/contracts/identity.js';
import { readCached } from '../../src/embed/cache.js';
import { silentLogger } from '../../src/log.js';
import { diskCheck, type StatDisk } from '../../src/health/check-disk.js';
import { lastRunCheck } from '../../src/health/check-runs.js';
import { modelCheck, forgetModelChecks, settleModelChecks } from '../../src/health/check-model.js';
import { FakeEmbedder } from '../helpers/fake-embedder.js';
import type { Embedder } from '../../src/contracts/stages.js';
import { runCheck, runChecks } from '../../src/health/run-checks.js';
import { sqliteProbe } from '../../src/health/sqlite-probe.js';
import { withIndex } from '../../src/health/index-reader.js';
import { createReadiness } from '../../src/health/readiness.js';
import type { CheckOutcome, ReadinessCheck } from '../../src/health/types.js';
import { testHome } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const work = tempDir('docproc-health-checks-');
after(() => fs.rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => fs.mkdtempSync(path.join(work, `c${n++}-`));
const never = new AbortController().signal;
const MODEL = 'all-minilm-l6-v2-q';

async function run(c: ReadinessCheck, timeoutMs = 30_000): Promise<CheckOutcome & { durationMs: number }> {
  return runCheck(c, timeoutMs);
}

function newIndex(dir = freshDir()): { db: string; store: SqliteStore } {
  const db = path.join(dir, 'index.db');
  return { db, store: new SqliteStore(db) };
}

function config(db: string, extra: Partial<Config> = {}): Config {
  return configSchema.parse({ db, home: testHome(), ...extra });
}

// ---- disk ----

const fill = (freePercent: number): StatDisk => async () => ({ totalBytes: 1_000_000, freeBytes: freePercent * 10_000 });
const thresholds = { healthyPercent: 20, degradedPercent: 10 };

test('disk: above 20% free is healthy, above 10% degraded, else unhealthy (the boundaries belong to the worse side)', async () => {
  const dir = freshDir();
  const at = async (pct: number) => (await run(diskCheck(dir, thresholds, fill(pct)))).status;
  assert.equal(await at(50), 'healthy');
  assert.equal(await at(20.01), 'healthy');
  assert.equal(await at(20), 'degraded');
  assert.equal(await at(15), 'degraded');
  assert.equal(await at(10), 'unhealthy');
  assert.equal(await at(3), 'unhealthy');
  const r = await run(diskCheck(dir, thresholds, fill(15)));
  assert.match(r.message, /15\.0% free .*at or below 20%/);
  assert.deepEqual([r.details?.['freePercent'], r.details?.['healthyPercent'], r.details?.['degradedPercent']], [15, 20, 10]);
});

test('disk: configurable thresholds; a folder that does not exist yet is measured at its nearest ancestor; the real statfs answers', async () => {
  const dir = freshDir();
  assert.equal((await run(diskCheck(dir, { healthyPercent: 60, degradedPercent: 40 }, fill(50)))).status, 'degraded');
  const seen: string[] = [];
  const spy: StatDisk = async (d) => (seen.push(d), { totalBytes: 100, freeBytes: 90 });
  await run(diskCheck(path.join(dir, 'not', 'yet'), thresholds, spy));
  assert.deepEqual(seen, [dir]);
  const real = await run(diskCheck(dir, thresholds));
  assert.ok(['healthy', 'degraded', 'unhealthy'].includes(real.status));
  assert.ok(Number(real.details?.['totalBytes']) > 0);
  assert.equal((await run(diskCheck(undefined, thresholds, fill(1)))).status, 'healthy', 'not applicable (Postgres)');
});

// ---- last run ----

test('last run: healthy when recent, unhealthy past --max-run-age, degraded when a later run failed, unhealthy with no success', async () => {
  const { db, store } = newIndex();
  const src = { recentRuns: (k: number) => withIndex({ db, pgSchema: 'docproc' }, (s) => s.runs.last(k)) };
  const HOUR = 3_600_000;
  assert.equal((await run(lastRunCheck(src, undefined))).status, 'degraded', 'no run yet, no limit set');
  assert.equal((await run(lastRunCheck(src, 26 * HOUR))).status, 'unhealthy', 'no run yet, limit set');
  const id = await store.runs.start('ingest', ['/x']);
  await store.runs.finish(id, 'completed', {}, [], 10);
  const ok = await run(lastRunCheck(src, 26 * HOUR));
  assert.equal(ok.status, 'healthy');
  assert.match(ok.message, /last successful run ended \d+ s ago/);
  // The same run seen 27 hours later: too old.
  const stale = await run(lastRunCheck(src, 26 * HOUR, () => Date.now() + 27 * HOUR));
  assert.equal(stale.status, 'unhealthy');
  assert.match(stale.message, /longer than the allowed 93600 s/);
  assert.equal((await run(lastRunCheck(src, undefined, () => Date.now() + 27 * HOUR))).status, 'healthy', 'without a limit age alone never fails');
  const failed = await store.runs.start('ingest', ['/x']);
  await store.runs.finish(failed, 'failed', {}, [], 10);
  const after = await run(lastRunCheck(src, 26 * HOUR));
  assert.equal(after.status, 'degraded');
  assert.match(after.message, /ended failed/);
  // A run in progress (no outcome yet) is not a failure.
  await store.runs.start('watch', ['/x']);
  await store.close();
  const missing = { recentRuns: (k: number) => withIndex({ db: path.join(freshDir(), 'none.db'), pgSchema: 'docproc' }, (s) => s.runs.last(k)) };
  assert.equal((await run(lastRunCheck(missing, HOUR))).status, 'unhealthy');
});

// ---- lock ----

function plantLock(db: string, pid: number): void {
  const me = selfIdentity();
  const info = { token: randomUUID(), pid, procStart: me.procStart, host: me.host, bootId: me.bootId, pidNs: me.pidNs, command: 'ingest', startedAt: new Date().toISOString(), heartbeatAt: new Date().toISOString() };
  fs.writeFileSync(`${db}.lock`, JSON.stringify(info));
}

test('lock: free is healthy, held by a live writer is healthy (named), a dead holder\'s lock is stale (degraded), an unreadable lock path is unhealthy', async () => {
  const { db, store } = newIndex();
  await store.close();
  const probe = sqliteProbe(db);
  const free = await probe.lock();
  assert.deepEqual([free.status, free.details?.['state']], ['healthy', 'free']);
  const lock = await acquireLock(db, 'watch');
  const held = await probe.lock();
  assert.deepEqual([held.status, held.details?.['state']], ['healthy', 'held']);
  assert.match(held.message, new RegExp(`held by a live writer: pid ${process.pid} \\(watch\\)`));
  lock.release();
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
  plantLock(db, dead);
  const stale = await probe.lock();
  assert.deepEqual([stale.status, stale.details?.['state']], ['degraded', 'stale']);
  assert.match(stale.message, new RegExp(`stale: left by pid ${dead} \\(ingest\\).*the next writer takes it over`));
  fs.rmSync(`${db}.lock`);
  fs.mkdirSync(`${db}.lock`);
  const broken = await probe.lock();
  assert.equal(broken.status, 'unhealthy');
  assert.match(broken.message, /is not a file: no writer can lock the index/);
});

// ---- index ----

test('index: a sound index is healthy; missing, not a database, not a docproc index are unhealthy; an older schema is degraded', async () => {
  const { db, store } = newIndex();
  await store.close();
  const ok = await sqliteProbe(db).index(never);
  assert.equal(ok.status, 'healthy', ok.message);
  assert.match(ok.message, new RegExp(`quick_check ok, schema version ${LATEST_SCHEMA_VERSION}`));

  const missing = await sqliteProbe(path.join(freshDir(), 'gone.db')).index(never);
  assert.deepEqual([missing.status, /no index at/.test(missing.message)], ['unhealthy', true]);

  const garbage = path.join(freshDir(), 'garbage.db');
  fs.writeFileSync(garbage, Buffer.alloc(8192, 7));
  assert.equal((await sqliteProbe(garbage).index(never)).status, 'unhealthy');

  const { db: old, store: oldStore } = newIndex();
  // As if written by an older docproc: only the first migration recorded.
  oldStore.db.prepare('DELETE FROM schema_migrations WHERE version > 1').run();
  await oldStore.close();
  const degraded = await sqliteProbe(old).index(never);
  assert.equal(degraded.status, 'degraded');
  assert.match(degraded.message, new RegExp(`schema version 1, current is ${LATEST_SCHEMA_VERSION}: the next ingest migrates it`));
});

test('index: a damaged b-tree page fails quick_check (unhealthy)', async () => {
  const { db, store } = newIndex();
  const id = await store.runs.start('ingest', ['/x']);
  await store.runs.finish(id, 'completed', { indexed: 1 }, [], 1);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const rootpage = (store.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").get() as { rootpage: number }).rootpage;
  const pageSize = store.db.pragma('page_size', { simple: true }) as number;
  await store.close();
  // Page type byte 0x0d (table leaf) becomes 0x00: no valid b-tree page.
  const fd = fs.openSync(db, 'r+');
  fs.writeSync(fd, Buffer.from([0]), 0, 1, (rootpage - 1) * pageSize);
  fs.closeSync(fd);
  const r = await sqliteProbe(db).index(never);
  assert.equal(r.status, 'unhealthy', r.message);
});

// ---- timeouts ----

test('a check slower than its timeout is degraded at the timeout, and the others still answer', async () => {
  const hang: ReadinessCheck = { name: 'hang', run: () => new Promise(() => {}) };
  const quick: ReadinessCheck = { name: 'quick', run: async () => ({ status: 'healthy', message: 'ok' }) };
  const started = Date.now();
  const report = await runChecks([hang, quick], 150);
  const took = Date.now() - started;
  assert.ok(took < 1000, `answered in ${took} ms`);
  assert.equal(report.status, 'degraded');
  assert.deepEqual([report.checks['hang']?.status, report.checks['quick']?.status], ['degraded', 'healthy']);
  assert.match(report.checks['hang']!.message, /no answer within 150 ms/);
  assert.ok(report.checks['hang']!.durationMs >= 140);
  const thrower: ReadinessCheck = { name: 'boom', run: async () => { throw new Error('kaput'); } };
  const r = await runChecks([thrower], 100);
  assert.deepEqual([r.status, r.checks['boom']?.message], ['unhealthy', 'check failed: kaput']);
  assert.ok(typeof r.version === 'string' && r.version.length > 0);
});

// ---- model ----

function modelIdentity() {
  const info = readCached(testHome(), MODEL);
  assert.ok(info, `the test runner caches ${MODEL} in ${testHome()}`);
  return identityOf(info, { chunkTokens: 256, chunkOverlap: 38 });
}

test('model: cached, sha256 equal to the index\'s and a finite self-test embedding is healthy; slow first self-test is degraded, then cached', async () => {
  forgetModelChecks();
  const { db, store } = newIndex();
  await store.bindIdentity(modelIdentity());
  await store.close();
  const check = modelCheck({
    config: config(db), explicit: new Set(), log: silentLogger,
    indexIdentity: () => withIndex({ db, pgSchema: 'docproc' }, (s) => s.identity()),
  });
  // The first call must load ONNX Runtime and the model: far more than 5 ms.
  const first = await runCheck(check, 5);
  assert.equal(first.status, 'degraded');
  let r = await runCheck(check, 60_000);
  assert.equal(r.status, 'healthy', r.message);
  assert.match(r.message, /sha256 [0-9a-f]{12} verified and equal to the index's; self-test embedding ok \(384 dimensions\)/);
  const again = Date.now();
  r = await runCheck(check, 60_000);
  assert.equal(r.status, 'healthy');
  assert.ok(Date.now() - again < 500, 'the self-test is computed once, then remembered');
});

test('model: closing waits for a self-test in flight and starts none after it (exiting mid-load aborted the process)', async () => {
  forgetModelChecks();
  const { db, store } = newIndex();
  await store.bindIdentity(modelIdentity());
  await store.close();
  let loads = 0;
  let release!: () => void;
  const loading = new Promise<void>((r) => (release = r));
  const deps = (dbPath: string) => ({
    config: config(dbPath), explicit: new Set<string>(), log: silentLogger,
    indexIdentity: () => withIndex({ db: dbPath, pgSchema: 'docproc' }, (s) => s.identity()),
    loadEmbedder: async (): Promise<Embedder> => {
      loads++;
      await loading;
      return new FakeEmbedder(384);
    },
  });
  const probe = runCheck(modelCheck(deps(db)), 60_000);
  while (!loads) await new Promise((r) => setTimeout(r, 5));
  const closing = settleModelChecks(60_000);
  assert.equal(closing.pending, 1);
  let settled = false;
  void closing.settled.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(settled, false, 'still loading');
  release();
  await closing.settled;
  assert.equal((await probe).status, 'healthy');

  // Nothing remembered, closing: a probe (one still hashing the model when close began) starts no load.
  forgetModelChecks();
  assert.equal(settleModelChecks(60_000).pending, 0);
  const late = await runCheck(modelCheck(deps(db)), 60_000);
  assert.deepEqual([late.status, late.message, loads], ['degraded', 'shutting down', 1]);
  forgetModelChecks();
});

test('model: not cached is unhealthy with the command that fetches it', async () => {
  forgetModelChecks();
  const { db, store } = newIndex();
  await store.bindIdentity(modelIdentity());
  await store.close();
  const emptyHome = freshDir();
  const r = await run(modelCheck({
    config: config(db, { home: emptyHome }), explicit: new Set(), log: silentLogger,
    indexIdentity: () => withIndex({ db, pgSchema: 'docproc' }, (s) => s.identity()),
  }));
  assert.equal(r.status, 'unhealthy');
  assert.match(r.message, new RegExp(`model ${MODEL} is not in the cache .*docproc models pull ${MODEL}`));
});

test('model: an index built with another model file, or a damaged cached file, is unhealthy', async () => {
  forgetModelChecks();
  const { db, store } = newIndex();
  await store.bindIdentity({ ...modelIdentity(), modelSha256: 'f'.repeat(64) });
  await store.close();
  const mismatch = await run(modelCheck({
    config: config(db), explicit: new Set(), log: silentLogger,
    indexIdentity: () => withIndex({ db, pgSchema: 'docproc' }, (s) => s.identity()),
  }));
  assert.equal(mismatch.status, 'unhealthy');
  assert.match(mismatch.message, /the index was built with ffffffffffff/);

  // A copy of the cache entry with one byte of the model flipped: same size, wrong bytes.
  const home = freshDir();
  const src = readCached(testHome(), MODEL)!.path;
  const dest = path.join(home, 'models', path.basename(src));
  fs.cpSync(src, dest, { recursive: true });
  const model = path.join(dest, 'model.onnx');
  const fd = fs.openSync(model, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, 5000);
  fs.writeSync(fd, Buffer.from([b[0]! ^ 0xff]), 0, 1, 5000);
  fs.closeSync(fd);
  const damaged = await run(modelCheck({ config: config(path.join(freshDir(), 'none.db'), { home }), explicit: new Set(), log: silentLogger, indexIdentity: async () => undefined }));
  assert.equal(damaged.status, 'unhealthy');
  assert.match(damaged.message, /does not hash to its recorded sha256 \(damaged\).*docproc models pull/);
});

// ---- all together ----

test('readiness: the worst check decides; a missing index makes the whole report unhealthy', async () => {
  forgetModelChecks();
  const dir = freshDir();
  const db = path.join(dir, 'none.db');
  const readiness = await createReadiness({
    config: config(db), explicit: new Set(), log: silentLogger, checkTimeoutMs: 30_000,
    disk: thresholds, statDisk: fill(15),
  });
  const report = await readiness.check();
  assert.deepEqual(Object.keys(report.checks), ['index', 'model', 'disk', 'lock', 'lastRun']);
  assert.equal(report.status, 'unhealthy');
  assert.equal(report.checks['index']?.status, 'unhealthy');
  assert.equal(report.checks['disk']?.status, 'degraded');
  assert.equal(report.checks['lock']?.status, 'healthy');
  for (const c of Object.values(report.checks)) assert.equal(typeof c.durationMs, 'number');
});

test('readiness: a degraded threshold above the healthy one is a usage error', async () => {
  const { UsageError } = await import('../../src/errors.js');
  await assert.rejects(createReadiness({
    config: config(path.join(freshDir(), 'x.db')), explicit: new Set(), log: silentLogger, checkTimeoutMs: 1000,
    disk: { healthyPercent: 10, degradedPercent: 20 },
  }), UsageError);
});
