// Many writers on one Postgres index: disjoint claims, each file done once, dead workers' files taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Writer } from '../../src/contracts/index-store.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { freshDatabase, pgTestUrl } from '../helpers/pg.js';

const base = await pgTestUrl();
const skip = typeof base === 'string' ? undefined : base.skip;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const paths = (n: number): string[] => Array.from({ length: n }, (_, i) => `/r/f${String(i).padStart(2, '0')}`);

async function withStores(n: number, o: Parameters<typeof openPostgresStore>[1], fn: (stores: PostgresStore[]) => Promise<void>): Promise<void> {
  const db = await freshDatabase(base as string);
  const stores: PostgresStore[] = [];
  try {
    for (let i = 0; i < n; i++) stores.push(await openPostgresStore(db.url, o));
    await fn(stores);
  } finally {
    for (const s of stores) await s.close();
    await db.drop();
  }
}

/**
 * The pipeline's loop (ingest-work.ts): claim from what is still pending until claim says nothing is left, and
 * check each claimed path against the ledger before working on it, as processOne does for a shared writer.
 * The check matters: a path another worker finished before this one first asked for it gets a fresh lease row
 * (writer.ts), so the claim alone does not make work exactly-once; the claim plus the ledger does. `stale`
 * lists the claims the ledger turned away; each must be a path already finished when this worker's first claim
 * returned (its rows are inserted during that call, so a path finished after it is never handed out again).
 */
async function work(w: Writer, planned: string[], ledger: Set<string>, processMs = 5): Promise<{ got: string[]; stale: string[]; doneBeforeFirst: Set<string> }> {
  const got: string[] = [];
  const stale: string[] = [];
  let doneBeforeFirst: Set<string> | undefined;
  let pending = planned;
  for (;;) {
    const batch = await w.claim(pending);
    doneBeforeFirst ??= new Set(ledger);
    if (!batch.length) return { got, stale, doneBeforeFirst };
    pending = pending.filter((p) => !batch.includes(p));
    for (const p of batch) {
      if (ledger.has(p)) stale.push(p);
      else {
        await sleep(processMs);
        got.push(p);
        ledger.add(p); // committed before done, as the pipeline commits a file's outcome before releasing it
      }
      await w.done(p);
    }
  }
}

function assertOnlyEarlyRepeats(runs: Awaited<ReturnType<typeof work>>[]): void {
  for (const r of runs) for (const p of r.stale) assert.ok(r.doneBeforeFirst.has(p), `${p} was claimed again though finished after this worker's first claim`);
}

test('postgres writers: two workers over the same 20 planned paths process disjoint sets that cover all 20', { skip }, () => withStores(2, { claimBatch: 3 }, async ([a, b]) => {
  const [wa, wb] = [await a!.acquireWriter('ingest'), await b!.acquireWriter('ingest')];
  const planned = paths(20);
  const ledger = new Set<string>();
  const runs = await Promise.all([work(wa, planned, ledger), work(wb, planned, ledger)]);
  assertOnlyEarlyRepeats(runs);
  const [ga, gb] = runs.map((r) => r.got) as [string[], string[]];
  assert.equal(ga.filter((p) => gb.includes(p)).length, 0, 'no path processed twice');
  assert.deepEqual([...ga, ...gb].sort(), planned);
  assert.ok(ga.length > 0 && gb.length > 0, `both worked: ${ga.length} + ${gb.length}`);
  await wa.release();
  await wb.release();
}));

test('postgres writers: four workers, 60 paths, each done exactly once', { skip }, () => withStores(4, { claimBatch: 4 }, async (stores) => {
  const writers = await Promise.all(stores.map((s) => s.acquireWriter('ingest')));
  const planned = paths(60);
  const ledger = new Set<string>();
  const runs = await Promise.all(writers.map((w) => work(w, planned, ledger, 2)));
  assertOnlyEarlyRepeats(runs);
  const got = runs.flatMap((r) => r.got);
  assert.equal(got.length, 60);
  assert.deepEqual([...new Set(got)].sort(), planned);
  for (const w of writers) await w.release();
}));

test('postgres writers: a worker that stops heartbeating loses its files to another once its leases expire', { skip }, () => withStores(2, { leaseMs: 600, heartbeatMs: 100, claimPollMs: 50 }, async ([a, b]) => {
  const wa = await a!.acquireWriter('ingest');
  const wb = await b!.acquireWriter('ingest');
  const planned = paths(5);
  assert.deepEqual(await wa.claim(planned), planned);
  // Alive, it keeps them: its heartbeat renews the leases well past one lease period.
  const waiting = wb.claim(planned);
  assert.equal(await Promise.race([waiting.then(() => 'claimed'), sleep(1500).then(() => 'waiting')]), 'waiting');
  // Killed (kill -9 keeps no promises): no release, no more heartbeats. The waiting claim takes over.
  const killedAt = Date.now();
  await a!.close();
  assert.deepEqual(await waiting, planned);
  const tookMs = Date.now() - killedAt;
  assert.ok(tookMs < 3000, `took over after ${tookMs} ms`);
  assert.deepEqual((await b!.activeWorkers()).map((w) => [w.id, w.leases]), [[(wb as unknown as { id: string }).id, 5]]);
  await wb.release();
}));

test('postgres writers: a waiting claim returns [] once the holder finishes its files; release frees files at once', { skip }, () => withStores(2, { claimPollMs: 20 }, async ([a, b]) => {
  const wa = await a!.acquireWriter('ingest');
  const wb = await b!.acquireWriter('ingest');
  const planned = paths(4);
  assert.deepEqual(await wa.claim(planned), planned);
  const waiting = wb.claim(planned);
  await sleep(100);
  for (const p of planned) await wa.done(p);
  assert.deepEqual(await waiting, [], 'done by the other worker: nothing left to do');
  // A new plan (a later run) takes the same paths again; a released writer's unfinished files go at once.
  assert.deepEqual(await wa.claim(planned), planned);
  await wa.release();
  assert.deepEqual(await wb.claim(planned), planned);
  await wb.release();
}));
