// serve-health on a Postgres index (the real test Postgres with pgvector): the index check goes through the
// Postgres store, disk does not apply, live workers are listed; a missing schema is unhealthy (503).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { freshDatabase, pgTestUrl } from '../helpers/pg.js';
import { openStore } from '../../src/store/open-store.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

const work = tempDir('docproc-health-pg-');
let base: string | undefined;
let skip: string | undefined;
const dropped: (() => Promise<void>)[] = [];
before(async () => {
  const r = await pgTestUrl();
  if (typeof r !== 'string') {
    skip = r.skip;
    return;
  }
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

// A failed assertion must not leave a server running: the test file would never exit.
const started: ChildProcess[] = [];
after(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function serve(url: string, ...extra: string[]) {
  const child = spawnCli(['serve-health', '--db', url, '--port', '0', '--json', ...extra], { cwd: work });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!out.includes('"listening"')) {
    assert.ok(Date.now() < deadline, `serve-health started: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url0 = (JSON.parse(out.split('\n')[0]!) as { url: string }).url;
  return { url: url0, stop: async () => (child.kill('SIGTERM'), exited) };
}

type Report = { status: string; checks: Record<string, { status: string; message: string; details?: Record<string, unknown> }> };

test('serve-health on Postgres: index healthy through the store, disk not applicable, metrics from the index; a missing schema is 503', { timeout: 300_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const db = await freshDatabase(base!);
  dropped.push(db.drop);
  const docs = path.join(work, 'docs');
  fs.mkdirSync(docs);
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(docs, `p${i}.txt`), `Postgres note ${i} about the tide tables.\n`);
  const ing = await runCli(['ingest', docs, '--db', db.url, '--json', '--chunk-tokens', '64', '--chunk-overlap', '8'], { cwd: work });
  assert.equal(ing.code, 0, ing.stderr);

  const s = await serve(db.url);
  try {
    const report = await (async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        const r = (await (await fetch(`${s.url}/readyz`)).json()) as Report;
        if (r.status === 'healthy') return r;
      }
      throw new Error('no healthy /readyz');
    })();
    assert.match(report.checks['index']!.message, /answers; pgvector present; schema version \d+/);
    assert.equal(report.checks['disk']!.details?.['applicable'], false);
    assert.equal(report.checks['lock']!.details?.['state'], 'free');
    assert.equal(report.checks['model']!.status, 'healthy');
    const m = parsePrometheusText(await (await fetch(`${s.url}/metrics`)).text());
    assert.equal(sampleValue(m, 'docproc_documents', { status: 'indexed' }), 3);
    assert.equal(sampleValue(m, 'docproc_runs', { outcome: 'completed' }), 1);
    assert.ok(sampleValue(m, 'docproc_index_size_bytes')! > 0);
  } finally {
    assert.equal(await s.stop(), 143);
  }

  const other = await serve(db.url, '--pg-schema', 'nothing_here');
  try {
    const res = await fetch(`${other.url}/readyz`);
    assert.equal(res.status, 503);
    const r = (await res.json()) as Report;
    assert.equal(r.checks['index']!.status, 'unhealthy');
    assert.match(r.checks['index']!.message, /no index at .*schema nothing_here/);
    assert.equal(sampleValue(parsePrometheusText(await (await fetch(`${other.url}/metrics`)).text()), 'docproc_index_up'), 0);
  } finally {
    await other.stop();
  }
});
