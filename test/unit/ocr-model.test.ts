// The fast English OCR model's fetch: a Maven repository served locally, the local Maven repository, the pinned
// sha256, the day-long pause after a failure, and the sources the user allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ensureFastEnglish, fastEnglishDir, FAST_ENGLISH, type OcrModelOptions, type OcrModelSpec } from '../../src/extract/ocr-model.js';
import { writeZip } from '../../src/extract/zip-write.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { startServer, tempDir } from './embed-helpers.js';

const MODEL = Buffer.from('stand-in traineddata bytes '.repeat(500));
const SPEC: OcrModelSpec = { ...FAST_ENGLISH, sha256: createHash('sha256').update(MODEL).digest('hex'), sizeBytes: MODEL.length };
const REL = 'net/sourceforge/tess4j/tess4j/5.20.0/tess4j-5.20.0.jar';

function jarWith(entry: string, bytes: Buffer): Buffer {
  return writeZip([{ name: 'META-INF/MANIFEST.MF', method: 0, crc: crc32(Buffer.from('x')), size: 1, compressed: Buffer.from('x') }, { name: entry, method: 0, crc: crc32(bytes), size: bytes.length, compressed: bytes }]);
}

/** A Maven repository that serves `jar` and counts the requests. */
async function mavenRepo(jar: Buffer) {
  let requests = 0;
  const srv = await startServer((req, res) => {
    requests++;
    if (req.url === `/repo/${REL}`) res.writeHead(200, { 'content-length': jar.length }).end(jar);
    else res.writeHead(404).end();
  });
  return { srv, url: `${srv.url}/repo`, requests: () => requests };
}

function warnings(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const rec = (l: string) => (_o: unknown, m?: string) => void lines.push(`${l}: ${m ?? ''}`);
  return { log: { ...silentLogger, warn: rec('warn') } as Logger, lines };
}

function opts(o: Partial<OcrModelOptions> & { home: string }): OcrModelOptions {
  return { mavenRepos: [], sources: ['hf', 'maven', 'local'], connectTimeoutMs: 2000, log: silentLogger, ...o };
}

test('fetched once from a Maven repository, checked against the pinned sha256, then read from the cache', async () => {
  const repo = await mavenRepo(jarWith(SPEC.entry, MODEL));
  try {
    const home = tempDir('docproc-ocr-');
    const dir = await ensureFastEnglish(opts({ home, mavenRepos: [repo.url] }), SPEC);
    assert.equal(dir, fastEnglishDir(home));
    assert.deepEqual(readFileSync(join(dir!, 'eng.traineddata')), MODEL);
    assert.deepEqual(readdirSync(join(home, 'ocr')), ['tessdata-fast'], 'no staging folder or jar left behind');
    const before = repo.requests();
    assert.equal(await ensureFastEnglish(opts({ home, mavenRepos: [repo.url] }), SPEC), dir);
    assert.equal(repo.requests(), before, 'a cached model makes no request');
  } finally {
    await repo.srv.close();
  }
});

test('a file that is not the pinned one is refused; the bundled model is used and the network left alone for a day', async () => {
  const repo = await mavenRepo(jarWith(SPEC.entry, Buffer.from('x'.repeat(MODEL.length))));
  try {
    const home = tempDir('docproc-ocr-');
    const w = warnings();
    assert.equal(await ensureFastEnglish(opts({ home, mavenRepos: [repo.url], log: w.log }), SPEC), undefined);
    assert.ok(!existsSync(fastEnglishDir(home)), 'nothing installed');
    assert.equal(w.lines.length, 1);
    assert.match(w.lines[0]!, /fast English model could not be fetched/);
    const marker = JSON.parse(readFileSync(join(home, 'ocr', '.fetch-failed'), 'utf8')) as { tried: string[] };
    assert.match(marker.tried[0]!, /sha256/);
    const before = repo.requests();
    assert.equal(await ensureFastEnglish(opts({ home, mavenRepos: [repo.url] }), SPEC), undefined);
    assert.equal(repo.requests(), before, 'no retry within a day');
  } finally {
    await repo.srv.close();
  }
});

test('the local Maven repository needs no network; sources without maven never reach it', async () => {
  const home = tempDir('docproc-ocr-');
  const m2 = tempDir('docproc-m2-');
  const repo = await mavenRepo(jarWith(SPEC.entry, MODEL));
  try {
    assert.equal(await ensureFastEnglish(opts({ home, m2Home: m2, mavenRepos: [repo.url], sources: ['local'] }), SPEC), undefined);
    assert.equal(repo.requests(), 0, 'modelSources without maven: no request');
    mkdirSync(join(m2, 'repository', REL, '..'), { recursive: true });
    writeFileSync(join(m2, 'repository', REL), jarWith(SPEC.entry, MODEL));
    const dir = await ensureFastEnglish(opts({ home, m2Home: m2, mavenRepos: [repo.url], sources: ['local'] }), SPEC);
    assert.deepEqual(readFileSync(join(dir!, 'eng.traineddata')), MODEL);
    assert.equal(repo.requests(), 0);
  } finally {
    await repo.srv.close();
  }
});

test('the pinned model is the fast English one in tess4j 5.20.0', () => {
  assert.equal(FAST_ENGLISH.entry, 'tessdata/eng.traineddata');
  assert.equal(FAST_ENGLISH.sizeBytes, 4_113_088);
  assert.match(FAST_ENGLISH.sha256, /^7d4322bd/);
});

test('a damaged copy (wrong size) is replaced whole, leaving nothing aside', async () => {
  const repo = await mavenRepo(jarWith(SPEC.entry, MODEL));
  try {
    const home = tempDir('docproc-ocr-');
    mkdirSync(fastEnglishDir(home), { recursive: true });
    writeFileSync(join(fastEnglishDir(home), 'eng.traineddata'), 'truncated');
    const dir = await ensureFastEnglish(opts({ home, mavenRepos: [repo.url] }), SPEC);
    assert.deepEqual(readFileSync(join(dir!, 'eng.traineddata')), MODEL);
    assert.deepEqual(readdirSync(join(home, 'ocr')), ['tessdata-fast']);
  } finally {
    await repo.srv.close();
  }
});

test('a server that sends far more than the jar is cut off and nothing is installed', async () => {
  let requests = 0;
  const srv = await startServer((req, res) => {
    requests++;
    if (req.url !== `/repo/${REL}`) return void res.writeHead(404).end();
    res.writeHead(200); // no length: a stream that never ends
    const chunk = Buffer.alloc(1 << 20, 7);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  try {
    const home = tempDir('docproc-ocr-');
    const w = warnings();
    assert.equal(await ensureFastEnglish(opts({ home, mavenRepos: [`${srv.url}/repo`], log: w.log }), SPEC), undefined);
    const marker = JSON.parse(readFileSync(join(home, 'ocr', '.fetch-failed'), 'utf8')) as { tried: string[] };
    assert.match(marker.tried[0]!, /sent more than 67108864 bytes/);
    assert.ok(!existsSync(fastEnglishDir(home)));
    assert.deepEqual(readdirSync(join(home, 'ocr')), ['.fetch-failed'], 'the partial download is removed');
    assert.equal(requests, 1);
  } finally {
    await srv.close();
  }
});
