// Unit tests of ExtractPool against a stub child: timeouts, memory ceilings, crashes, error mapping, reuse, cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FileError } from '../../src/errors.js';
import { ExtractPool, type ExtractPoolOptions } from '../../src/extract/pool.js';
import type { ExtractOptions } from '../../src/extract/index.js';

const STUB = fileURLToPath(new URL('./pool-stub-child.js', import.meta.url));
const POOL = fileURLToPath(new URL('../../src/extract/pool.js', import.meta.url));

function pool(o: Partial<ExtractPoolOptions> = {}): ExtractPool {
  return new ExtractPool({ size: 1, timeoutMs: 2000, maxMemoryMB: 200, childModule: STUB, extractOptions: {} as ExtractOptions, ...o });
}

async function fileError(p: Promise<unknown>): Promise<FileError> {
  const err = await p.then(() => assert.fail('expected a FileError'), (e: unknown) => e);
  assert.ok(err instanceof FileError, `not a FileError: ${String(err)}`);
  return err;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

test('reuses one child across files and reports stats', async () => {
  const p = pool();
  try {
    const a = await p.extractWithStats('/x/ok-a.txt');
    const b = await p.extractWithStats('/x/ok-b.txt');
    assert.ok(a.ok && b.ok);
    const pidA = a.doc.sections[0]?.text.split('pid=')[1];
    assert.equal(pidA, b.doc.sections[0]?.text.split('pid=')[1]);
    assert.ok(a.peakRssMB > 10 && a.peakRssMB < 200, `peak ${a.peakRssMB}`);
    assert.ok(a.ms >= 0);
  } finally {
    await p.close();
  }
});

test('hang and busy loop → quarantined timeout, next file fine', async () => {
  const p = pool({ timeoutMs: 800 });
  try {
    for (const f of ['/x/hang.pdf', '/x/spin.pdf']) {
      const t0 = Date.now();
      const e = await fileError(p.extract(f));
      assert.equal(e.status, 'quarantined');
      assert.equal(e.reason, 'timeout');
      assert.match(e.message, /extraction exceeded 0\.8s/);
      assert.ok(Date.now() - t0 < 3000);
    }
    assert.match((await p.extract('/x/ok.txt')).sections[0]?.text ?? '', /^ok pid=/);
  } finally {
    await p.close();
  }
});

test('ArrayBuffer bomb is stopped by the RSS poller', async () => {
  const p = pool({ maxMemoryMB: 300, timeoutMs: 20_000 });
  try {
    const out = await p.extractWithStats('/x/buffer-bomb.docx');
    assert.ok(!out.ok);
    assert.ok(out.error instanceof FileError);
    assert.equal(out.error.status, 'quarantined');
    assert.equal(out.error.reason, 'memory');
    assert.equal(out.error.message, 'memory: extraction exceeded 300 MB');
    assert.ok(out.peakRssMB >= 300 && out.peakRssMB < 1500, `peak ${out.peakRssMB}`);
    assert.ok((await p.extract('/x/ok.txt')).sections.length === 1);
  } finally {
    await p.close();
  }
});

test('JS heap bomb → quarantined memory', async () => {
  const p = pool({ maxMemoryMB: 150, timeoutMs: 30_000 });
  try {
    const e = await fileError(p.extract('/x/heap-bomb.xlsx'));
    assert.equal(e.status, 'quarantined');
    assert.equal(e.reason, 'memory');
  } finally {
    await p.close();
  }
});

test('crashes → quarantined crashed; the pool replaces the child', async () => {
  const p = pool();
  try {
    let e = await fileError(p.extract('/x/segv.pdf'));
    assert.equal(e.status, 'quarantined');
    assert.equal(e.reason, 'crashed');
    assert.equal(e.message, 'crashed: worker exited with signal SIGSEGV');
    e = await fileError(p.extract('/x/exit.pdf'));
    assert.equal(e.message, 'crashed: worker exited with code 3');
    assert.ok((await p.extract('/x/ok.txt')).sections.length === 1);
  } finally {
    await p.close();
  }
});

test('FileErrors keep status and reason; other errors become failed', async () => {
  const p = pool();
  try {
    let e = await fileError(p.extract('/x/fileerror.bin'));
    assert.equal(e.status, 'skipped');
    assert.equal(e.reason, 'unsupported-type');
    assert.equal(e.message, 'unsupported-type: application/x-foo');
    e = await fileError(p.extract('/x/throw.bin'));
    assert.equal(e.status, 'failed');
    assert.match(e.message, /boom/);
  } finally {
    await p.close();
  }
});

test('one hanging file does not hold up the others (size 2)', async () => {
  const p = pool({ size: 2, timeoutMs: 6000 });
  try {
    const hang = p.extract('/x/hang.pdf').catch((e: unknown) => e);
    const t0 = Date.now();
    const oks = await Promise.all(['/x/ok1.txt', '/x/slow.txt', '/x/ok2.txt'].map((f) => p.extract(f)));
    assert.equal(oks.length, 3);
    assert.ok(Date.now() - t0 < 5000, 'good files waited for the hanging one');
    assert.equal(((await hang) as FileError).reason, 'timeout');
  } finally {
    await p.close();
  }
});

test('close() kills busy and idle children and rejects queued files', async () => {
  const p = pool({ size: 2, timeoutMs: 60_000 });
  await p.extract('/x/ok.txt');
  const busy = p.extract('/x/hang.pdf').catch((e: unknown) => e);
  const busy2 = p.extract('/x/hang.pdf').catch((e: unknown) => e);
  const queued = p.extract('/x/ok.txt').catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 200));
  const pids = p.childPids;
  assert.equal(pids.length, 2);
  await p.close();
  for (const pid of pids) assert.ok(!isAlive(pid), `child ${pid} still alive`);
  for (const r of await Promise.all([busy, busy2, queued])) assert.match(String(r), /closed/);
  await assert.rejects(p.extract('/x/ok.txt'), /closed/);
});

/** Settles to the outcome and the time it settled, so a test can say when each file ended. */
function timed<T>(p: Promise<T>): Promise<{ out: T; at: number }> {
  return p.then((out) => ({ out, at: Date.now() }));
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('stop signal: queued files never start, files in flight get stopGraceMs, then are killed as skipped: interrupted', async () => {
  const ac = new AbortController();
  const p = pool({ size: 3, timeoutMs: 60_000, stopGraceMs: 2000, extractOptions: { signal: ac.signal } as ExtractOptions });
  try {
    const slow = timed(p.extractWithStats('/x/slow.txt'));
    const hangs = ['/x/hang.pdf', '/x/hang.docx'].map((f) => timed(p.extractWithStats(f)));
    const queued = ['/x/ok-q1.txt', '/x/ok-q2.txt'].map((f) => timed(p.extractWithStats(f)));
    await waitFor(() => p.childPids.length === 3, 5000);
    const pids = p.childPids;
    const t0 = Date.now();
    ac.abort();
    for (const q of await Promise.all(queued)) {
      assert.ok(!q.out.ok);
      assert.ok(q.out.error instanceof FileError);
      assert.deepEqual([q.out.error.status, q.out.error.reason, q.out.error.message, q.out.ms],
        ['skipped', 'interrupted', 'interrupted: not started; retried on the next run', 0]);
      assert.ok(q.at - t0 < 200, `a queued file waited ${q.at - t0} ms`);
    }
    // A file in flight that finishes within the grace period is kept.
    assert.ok((await slow).out.ok, 'the slow file finished within the grace period');
    for (const h of await Promise.all(hangs)) {
      assert.ok(!h.out.ok);
      assert.ok(h.out.error instanceof FileError);
      assert.deepEqual([h.out.error.status, h.out.error.reason, h.out.error.message],
        ['skipped', 'interrupted', 'interrupted: stopped after the 2s grace period; retried on the next run']);
      assert.ok(h.at - t0 >= 1950 && h.at - t0 < 4000, `killed ${h.at - t0} ms after the stop`);
    }
    assert.equal(p.childPids.length, 1, 'only the idle child of the slow file is left');
    for (const pid of pids.filter((x) => !p.childPids.includes(x))) assert.ok(await waitDead(pid, 2000));
    // After a stop nothing starts: a new file ends interrupted at once.
    const late = await p.extractWithStats('/x/ok.txt');
    assert.ok(!late.ok && late.error instanceof FileError && late.error.reason === 'interrupted');
  } finally {
    await p.close();
  }
});

test('per-file signal: its queued file ends at once, its file in flight is killed after the grace; other files go on', async () => {
  const ac = new AbortController();
  const p = pool({ size: 1, timeoutMs: 60_000, stopGraceMs: 300 });
  try {
    const hang = timed(p.extract('/x/hang.pdf', { signal: ac.signal }).catch((e: unknown) => e));
    const queued = timed(p.extract('/x/ok-q.txt', { signal: ac.signal }).catch((e: unknown) => e));
    const other = p.extract('/x/ok-other.txt');
    await waitFor(() => p.childPids.length === 1, 5000);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    ac.abort();
    const q = await queued;
    assert.ok(q.out instanceof FileError);
    assert.equal(q.out.message, 'interrupted: not started; retried on the next run');
    assert.ok(q.at - t0 < 200);
    const h = await hang;
    assert.ok(h.out instanceof FileError);
    assert.deepEqual([h.out.status, h.out.message], ['skipped', 'interrupted: stopped after the 0.3s grace period; retried on the next run']);
    assert.ok(h.at - t0 >= 250 && h.at - t0 < 2000, `killed ${h.at - t0} ms after the stop`);
    assert.match((await other).sections[0]?.text ?? '', /^ok-other pid=/, 'a file without the signal still runs');
    assert.equal((await p.extractWithStats('/x/ok.txt', { signal: ac.signal })).ok, false, 'an aborted signal starts nothing');
  } finally {
    await p.close();
  }
});

for (const kind of ['hang', 'spin']) {
  test(`children exit when the parent dies (${kind})`, async () => {
    // A parent process that starts a pool, prints its child's pid, and is then SIGKILLed with no cleanup.
    const code = `
      const { ExtractPool } = await import(${JSON.stringify(POOL)});
      const p = new ExtractPool({ size: 1, timeoutMs: 600000, maxMemoryMB: 200, childModule: ${JSON.stringify(STUB)}, extractOptions: {} });
      p.extract('/x/${kind}.pdf').catch(() => {});
      setTimeout(() => console.log(p.childPids[0]), 500);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    assert.ok(pid > 0 && isAlive(pid));
    parent.kill('SIGKILL');
    assert.ok(await waitDead(pid, 3000), `orphaned child ${pid} still alive`);
  });
}

test('a parent that forgets close() still exits once idle, and takes its children with it', async () => {
  const code = `
    const { ExtractPool } = await import(${JSON.stringify(POOL)});
    const p = new ExtractPool({ size: 2, timeoutMs: 5000, maxMemoryMB: 200, childModule: ${JSON.stringify(STUB)}, extractOptions: {} });
    await Promise.all([p.extract('/x/ok1.txt'), p.extract('/x/slow.txt')]);
    console.log(p.childPids.join(','));`;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout.on('data', (d: Buffer) => (out += String(d)));
  const exit = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => { parent.kill('SIGKILL'); resolve(-1); }, 5000);
    parent.once('exit', (c) => { clearTimeout(t); resolve(c); });
  });
  assert.equal(exit, 0, 'parent hung on idle children');
  const pids = out.trim().split(',').map(Number);
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.ok(await waitDead(pid, 3000), `child ${pid} outlived its parent`);
});
