// processFile's early exits: the size cap before any hashing, and a stop that records nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExtractPool } from '../../src/extract/pool.js';
import { defaultExtractOptions, type ExtractOptions } from '../../src/extract/options.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { processFile, type FileDeps } from '../../src/pipeline/process-file.js';
import type { SourceFile } from '../../src/pipeline/types.js';
import type { Chunker } from '../../src/chunk/chunker.js';
import type { BatchEmbedder } from '../../src/pipeline/batch-embedder.js';
import { tempDir } from '../helpers/temp.js';

const STUB = fileURLToPath(new URL('./pool-stub-child.js', import.meta.url));
const dir = tempDir('docproc-process-file-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const identity = { modelSha256: 'm', chunkTokens: 256, chunkOverlap: 32, extractorVersions: {}, extractSettings: '{}' };

function source(abs: string): SourceFile {
  const st = fs.statSync(abs);
  return { absPath: abs, root: dir, relPath: path.basename(abs), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

function deps(store: SqliteStore, pool: ExtractPool, signal?: AbortSignal): FileDeps {
  // Neither is reached on these paths: no text comes out of extraction.
  return { store, pool, chunker: {} as Chunker, embedder: {} as BatchEmbedder, identity, signal };
}

test('a file over the size cap is skipped with reason size before it is hashed or extracted', async () => {
  const big = path.join(dir, 'sparse.bin');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 4 * 1024 ** 3); // sparse: 4 GB that costs no disk, but seconds to hash
  const store = new SqliteStore(path.join(dir, 'size.db'));
  // The real extraction child: before the fix it hashed the file, then its extractor refused it for size.
  const pool = new ExtractPool({ size: 1, extractOptions: { ...defaultExtractOptions, maxFileBytes: 1024 * 1024 } });
  try {
    const t0 = Date.now();
    const r = await processFile(source(big), undefined, deps(store, pool));
    assert.deepEqual({ status: r.status, reason: r.reason }, { status: 'skipped', reason: `size: ${4 * 1024 ** 3} bytes > ${1024 * 1024}` });
    assert.deepEqual(pool.childPids, [], 'no extraction child was started');
    const row = await store.getDocument(big);
    // Recorded like before (so an unchanged file is not looked at again), but with no hash: it was never read.
    assert.deepEqual([row?.status, row?.reason, row?.sha256, row?.size], ['skipped', r.reason, null, 4 * 1024 ** 3]);
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  } finally {
    await pool.close();
    await store.close();
  }
});

test('a stop during extraction: the file is killed after the grace period, skipped: interrupted, nothing recorded', async () => {
  const file = path.join(dir, 'hang.txt');
  fs.writeFileSync(file, 'The lock keeper waits for the tide.\n');
  const store = new SqliteStore(path.join(dir, 'stop.db'));
  const pool = new ExtractPool({ size: 1, timeoutMs: 20_000, stopGraceMs: 300, childModule: STUB, extractOptions: {} as ExtractOptions });
  const ac = new AbortController();
  try {
    const pending = processFile(source(file), undefined, deps(store, pool, ac.signal));
    while (pool.childPids.length === 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    ac.abort();
    const r = await pending;
    assert.deepEqual({ status: r.status, reason: r.reason }, { status: 'skipped', reason: 'interrupted: stopped after the 0.3s grace period; retried on the next run' });
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms after the stop`);
    assert.equal(await store.getDocument(file), undefined, 'an interrupted file is not recorded');
    const later = await processFile(source(file), undefined, deps(store, pool, ac.signal));
    assert.deepEqual({ status: later.status, reason: later.reason }, { status: 'skipped', reason: 'interrupted: not started; retried on the next run' });
    assert.equal(await store.getDocument(file), undefined);
  } finally {
    await pool.close();
    await store.close();
  }
});

test('a file skipped before any extractor read it is left alone on the next run, and tried again once the formats read change', async () => {
  const file = path.join(dir, 'drawing.vsd');
  const ole = Buffer.alloc(2048);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(ole, 0);
  Buffer.from('VisioDocument', 'utf16le').copy(ole, 1024);
  fs.writeFileSync(file, ole);
  const store = new SqliteStore(path.join(dir, 'formats.db'));
  const pool = new ExtractPool({ size: 1, extractOptions: defaultExtractOptions });
  const withFormats = (extractorVersions: Record<string, string>): FileDeps => ({ ...deps(store, pool), identity: { ...identity, extractorVersions } });
  try {
    const first = await processFile(source(file), undefined, withFormats({ txt: '1' }));
    assert.deepEqual([first.status, first.reason], ['skipped', 'unsupported-legacy-format: legacy vsd (OLE2)']);
    const again = await processFile(source(file), await store.getDocument(file), withFormats({ txt: '1' }));
    assert.equal(again.status, 'unchanged');
    // A release that reads one more format (as .ppt was added) looks at the file again.
    const upgraded = await processFile(source(file), await store.getDocument(file), withFormats({ txt: '1', vsd: '1' }));
    assert.equal(upgraded.status, 'skipped');
  } finally {
    await pool.close();
    await store.close();
  }
});
