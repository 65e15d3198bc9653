// Search through the CLI: a --min-score that means the same across queries, large -k, and explicit model
// settings (env, config file) that win over the index's model or fail loudly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

const work = tempDir('docproc-search-');
const db = path.join(work, 'index.db');
after(() => fs.rmSync(work, { recursive: true, force: true }));

const DOCS: Record<string, string> = {
  'ferry.txt': 'The first ferry leaves the island harbour at six in the morning; the last boat returns at ten at night.',
  'bees.txt': 'Beekeepers inspect the hives every week in spring to check the queen and the brood.',
  'volcano.txt': 'Volcanic eruptions send ash high into the atmosphere and lava flows down the slopes.',
  'bread.txt': 'Sourdough bread rises slowly because wild yeast ferments the dough overnight.',
};

before(async () => {
  for (const [name, text] of Object.entries(DOCS)) {
    // Enough paragraphs that -k 1100 asks for more chunk candidates than sqlite-vec allows.
    fs.writeFileSync(path.join(work, name), `${text}\n\n`.repeat(3));
  }
  const r = await runCli(['ingest', work, '--db', db, '--json', '--chunk-tokens', '32', '--chunk-overlap', '0'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
});

type Hit = { path: string; score: number; similarity?: number };
async function search(query: string, ...args: string[]): Promise<{ code: number | null; hits: Hit[]; stderr: string }> {
  const r = await runCli(['search', query, '--db', db, '--json', ...args], { cwd: work });
  return { code: r.code, hits: r.code === 0 ? (JSON.parse(r.stdout) as Hit[]) : [], stderr: r.stderr };
}

test('hybrid --min-score applies to cosine similarity: nonsense finds nothing at 0.3, a real question still does', async () => {
  const nonsense = await search('xqzv plorf wibble', '--min-score', '0.3');
  assert.equal(nonsense.code, 0, nonsense.stderr);
  assert.deepEqual(nonsense.hits, []);
  // Without a threshold, hybrid still ranks something first, and its fused score is high: min-max normalisation.
  const unfiltered = await search('xqzv plorf wibble');
  assert.ok(unfiltered.hits.length > 0);
  assert.ok(unfiltered.hits[0]!.score >= 0.5);
  assert.ok(unfiltered.hits[0]!.similarity! < 0.3, `nonsense similarity ${unfiltered.hits[0]!.similarity}`);

  const real = await search('when does the first boat leave the island', '--min-score', '0.3');
  assert.equal(real.code, 0, real.stderr);
  assert.equal(path.basename(real.hits[0]!.path), 'ferry.txt');
  for (const h of real.hits) assert.ok(h.similarity! >= 0.3);
});

test('search -k 1100 works (vector candidates capped at sqlite-vec\'s 4096, with a warning)', async () => {
  const status = await runCli(['status', '--db', db, '--json'], { cwd: work });
  const chunks = (JSON.parse(status.stdout) as { chunks: number }).chunks;
  for (const groupBy of ['document', 'chunk']) {
    const r = await search('bread and bees', '-k', '1100', '--group-by', groupBy);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.hits.length, groupBy === 'document' ? 4 : chunks);
  }
  const warned = await runCli(['search', 'bread', '--db', db, '-k', '1100'], { cwd: work });
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /only the 4096 nearest chunks are considered/);
});

test('a model named by DOCPROC_MODEL or the config file wins: a mismatch with the index exits 2', async () => {
  const env = await runCli(['search', 'ferry', '--db', db], { cwd: work, env: { DOCPROC_MODEL: 'bge-small-en-v1.5-q' } });
  assert.equal(env.code, 2, env.stderr);
  assert.match(env.stderr, /model sha256 /);
  const cfg = path.join(work, 'docproc.config.json');
  fs.writeFileSync(cfg, JSON.stringify({ model: 'bge-small-en-v1.5-q' }));
  try {
    const file = await runCli(['search', 'ferry', '--db', db], { cwd: work });
    assert.equal(file.code, 2, file.stderr);
    // Keyword search never loads a model, so it still works.
    const kw = await runCli(['search', 'ferry', '--db', db, '--mode', 'keyword', '--json'], { cwd: work });
    assert.equal(kw.code, 0, kw.stderr);
  } finally {
    fs.rmSync(cfg);
  }
  const plain = await search('ferry');
  assert.equal(plain.code, 0, plain.stderr);
});
