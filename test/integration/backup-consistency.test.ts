// A backup taken while `docproc ingest` is writing: restored, it answers a fixed set of queries (keyword, vector,
// hybrid) exactly as the source did at the backup point. The source at that point is rebuilt from the final
// source by removing the documents committed after the backup (ingest only adds here, and every document it
// committed before the backup is checked to be byte-identical), so the comparison is exact, scores included.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, spawnCli, tempDir, testHome } from '../helpers/cli.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { searchIndex } from '../../src/search/index.js';
import { openEmbedder } from '../../src/pipeline/resources.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import type { SearchMode } from '../../src/search/types.js';

const work = tempDir('docproc-backup-consistency-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

const PLACES = ['harbour', 'orchard', 'glacier', 'library', 'vineyard', 'observatory', 'marsh', 'bakery'];
const THINGS = ['lantern', 'telescope', 'accordion', 'compass', 'kettle', 'sextant', 'loom', 'anvil'];
const QUERIES = ['a lantern by the harbour', 'telescope in the observatory', 'bread from the bakery', 'compass and sextant at sea', 'glacier meltwater', 'weaving at the loom'];

function writeCorpus(dir: string, count: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const place = PLACES[i % PLACES.length]!;
    const thing = THINGS[(i * 3) % THINGS.length]!;
    fs.writeFileSync(path.join(dir, `entry-${String(i).padStart(4, '0')}.txt`),
      `Entry ${i}. At the ${place} someone left a ${thing}; it was catalogued on day ${i % 29 + 1}.\n` +
      `The ${thing} is ${i % 2 ? 'brass' : 'wooden'} and smells of ${PLACES[(i + 3) % PLACES.length]}. Record number ${i * 7919 % 10007}.\n`);
  }
}

function indexedCount(db: string): number {
  if (!fs.existsSync(db)) return 0;
  try {
    const s = new SqliteStore(db, { readonly: true });
    try {
      return (s.db.prepare("SELECT COUNT(*) AS n FROM documents WHERE status = 'indexed'").get() as { n: number }).n;
    } finally {
      s.db.close();
    }
  } catch {
    return 0; // not created or not migrated yet
  }
}

test('a backup taken mid-ingest restores to an index answering fixed queries exactly as the source at the backup point', { timeout: 600_000 }, async (t) => {
  const docs = path.join(work, 'docs');
  writeCorpus(docs, 400);
  const db = path.join(work, 'source.db');
  const ingest = spawnCli(['ingest', docs, '--db', db, '--json', '--workers', '1'], { cwd: work });
  let ingestErr = '';
  ingest.stderr!.on('data', (d: Buffer) => (ingestErr += d.toString()));
  ingest.stdout!.resume();
  let ingestDone = false;
  const ingestExit = new Promise<number | null>((resolve) => ingest.on('close', (code) => ((ingestDone = true), resolve(code))));

  const deadline = Date.now() + 300_000;
  while (indexedCount(db) < 40) {
    assert.ok(!ingestDone, `the ingest ended before the backup: ${ingestErr}`);
    assert.ok(Date.now() < deadline);
    await new Promise((r) => setTimeout(r, 50));
  }
  const b = await runCli(['backup', '--db', db, '--out', path.join(work, 'backups'), '--json'], { cwd: work });
  assert.equal(b.code, 0, b.stderr);
  assert.ok(!ingestDone, 'the ingest was still writing when the backup finished');
  const report = JSON.parse(b.stdout) as { file: string; counts: Record<string, number>; durationMs: number };
  assert.equal(await ingestExit, 0, ingestErr);
  const finalCount = indexedCount(db);
  t.diagnostic(`backup at ${report.counts['documents']} of ${finalCount} documents, in ${report.durationMs} ms while the ingest wrote`);
  assert.ok(report.counts['documents']! < finalCount, 'documents were committed after the backup');

  const restored = path.join(work, 'restored.db');
  const r = await runCli(['restore', report.file, '--db', restored], { cwd: work });
  assert.equal(r.code, 0, r.stderr);

  const live = new SqliteStore(db, { readonly: true });
  const back = new SqliteStore(restored, { readonly: true });
  // The source at the backup point: the final source without the documents committed after it.
  const refFile = path.join(work, 'reference.db');
  fs.copyFileSync(db, refFile);
  const ref = new SqliteStore(refFile);
  const embedder = await openEmbedder(configSchema.parse({ home: testHome() }), silentLogger);
  try {
    // Whole documents only: every restored document has all its chunks and vectors, identical to the source's.
    const finalDocs = new Map<string, { hashes: string[]; vectors: Float32Array[] }>();
    for await (const d of live.exportDocuments()) finalDocs.set(d.doc.path, { hashes: d.chunks.map((c) => c.sha256), vectors: d.vectors });
    const kept = new Set<string>();
    for await (const d of back.exportDocuments()) {
      kept.add(d.doc.path);
      const f = finalDocs.get(d.doc.path);
      assert.ok(f, d.doc.path);
      assert.equal(d.chunks.length, d.doc.chunkCount);
      assert.deepEqual(d.chunks.map((c) => c.sha256), f.hashes);
      d.vectors.forEach((v, i) => assert.ok(Buffer.from(v.buffer).equals(Buffer.from(f.vectors[i]!.buffer)), `${d.doc.path} vector ${i}`));
    }
    const stats = await back.stats();
    assert.equal(stats.vectors, stats.chunks);
    assert.equal(kept.size, report.counts['documents']);
    const runs = await back.runs.last(10);
    assert.deepEqual(runs.map((x) => x.outcome), [null], 'the backup caught the ingest mid-run');

    for (const p of finalDocs.keys()) if (!kept.has(p)) await ref.removeDocument(p);
    let compared = 0;
    for (const text of QUERIES) {
      for (const mode of ['keyword', 'vector', 'hybrid'] as SearchMode[]) {
        const q = { text, mode, limit: 10, groupBy: 'chunk' as const };
        const shape = (hits: Awaited<ReturnType<typeof searchIndex>>) => hits.map((h) => [h.path, h.chunkId, h.seq, h.score, h.text]);
        const got = shape(await searchIndex(back, embedder, q));
        assert.deepEqual(got, shape(await searchIndex(ref, embedder, q)), `${mode}: ${text}`);
        assert.ok(got.length > 0, `${mode}: ${text} finds something`);
        compared++;
      }
    }
    t.diagnostic(`${compared} query/mode pairs identical, scores included`);
  } finally {
    await embedder.close();
    await Promise.all([live.close(), back.close(), ref.close()]);
  }
});
