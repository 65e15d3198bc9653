// Unit tests for the model registry, source ordering and option defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultModelOptions, findModel, listKnownModels } from '../../src/embed/index.js';
import { cacheDirName, sourcesFor } from '../../src/embed/registry.js';
import { MAVEN_CENTRAL, readMavenMirrors } from '../../src/embed/options.js';
import { tempDir } from './embed-helpers.js';

test('registry pins langchain4j files and keeps Hugging Face builds as separate models', () => {
  const all = listKnownModels();
  const names = all.map((m) => m.name);
  for (const n of ['all-minilm-l6-v2-q', 'bge-small-en-v1.5-q', 'all-minilm-l6-v2', 'xenova/all-minilm-l6-v2-q', 'xenova/bge-small-en-v1.5-q']) {
    assert.ok(names.includes(n), n);
  }
  for (const m of all) {
    assert.match(m.sha256 ?? '', /^[0-9a-f]{64}$/, `${m.name} pinned`);
    assert.match(m.tokenizerSha256 ?? '', /^[0-9a-f]{64}$/, `${m.name} tokenizer pinned`);
    assert.ok(!(m.maven && m.hf), `${m.name}: one publisher's bytes per entry`);
  }
  // Entries that pin the same file must describe it the same way, or one file would give two kinds of vectors.
  const describe = (m: (typeof all)[number]) => JSON.stringify([m.dims, m.pooling, m.maxTokens, m.queryPrefix, m.passagePrefix, m.sizeBytes, m.tokenizerSha256]);
  for (const a of all) for (const b of all) if (a.sha256 === b.sha256) assert.equal(describe(a), describe(b), `${a.name} vs ${b.name}`);
  const minilm = findModel('all-minilm-l6-v2-q');
  assert.equal(minilm?.maxTokens, 256);
  assert.equal(minilm?.pooling, 'mean');
  const bge = findModel('BGE-SMALL');
  assert.equal(bge?.name, 'bge-small-en-v1.5-q');
  assert.equal(bge?.pooling, 'cls');
  assert.equal(bge?.maxTokens, 512);
  assert.equal(bge?.queryPrefix, 'Represent this sentence for searching relevant passages: ');
  assert.equal(findModel('nope'), undefined);
});

test('xenova/* entries pin the hub files (LFS sha256 of onnx/model_quantized.onnx), not the endpoint ETag', () => {
  const minilm = findModel('xenova/all-minilm-l6-v2-q')!;
  assert.equal(minilm.hf?.modelFile, 'onnx/model_quantized.onnx');
  assert.equal(minilm.sha256, 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1');
  assert.equal(minilm.sizeBytes, 22972370);
  assert.equal(minilm.tokenizerSha256, 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0');
  const bge = findModel('xenova/bge-small-en-v1.5-q')!;
  assert.equal(bge.hf?.modelFile, 'onnx/model_quantized.onnx');
  assert.equal(bge.sha256, '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4');
  assert.equal(bge.sizeBytes, 34014426);
  assert.equal(bge.tokenizerSha256, 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66');
  for (const m of [minilm, bge]) assert.doesNotMatch(m.description, /ETag/);
});

test('sourcesFor follows the caller order, filtered to what the entry has', () => {
  const minilm = findModel('all-minilm-l6-v2-q')!;
  assert.deepEqual(sourcesFor(minilm, ['hf', 'maven', 'local']), ['maven', 'local']);
  assert.deepEqual(sourcesFor(minilm, ['local', 'maven']), ['local', 'maven']);
  const xen = findModel('xenova/all-minilm-l6-v2-q')!;
  assert.deepEqual(sourcesFor(xen, ['hf', 'maven', 'local']), ['hf', 'local']);
  assert.equal(cacheDirName('xenova/all-minilm-l6-v2-q'), 'xenova--all-minilm-l6-v2-q');
});

test('defaults: Maven Central unless settings.xml has mirrors', () => {
  const m2 = tempDir();
  const o = defaultModelOptions({ home: '/h', m2Home: m2 });
  assert.deepEqual(o.mavenRepos, [MAVEN_CENTRAL]);
  assert.deepEqual(o.sources, ['hf', 'maven', 'local']);
  assert.equal(o.model, 'all-minilm-l6-v2-q');
  assert.equal(o.batchSize, 32);
  mkdirSync(m2, { recursive: true });
  writeFileSync(
    join(m2, 'settings.xml'),
    `<settings><mirrors><!-- <mirror><url>http://commented.out</url></mirror> -->
      <mirror><id>corp</id><mirrorOf>*</mirrorOf><url> https://nexus.example/repo/ </url></mirror>
    </mirrors></settings>`,
  );
  assert.deepEqual(readMavenMirrors(m2), ['https://nexus.example/repo']);
  assert.deepEqual(defaultModelOptions({ home: '/h', m2Home: m2 }).mavenRepos, ['https://nexus.example/repo']);
});
