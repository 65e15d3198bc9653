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
    if (m.maven) assert.match(m.sha256 ?? '', /^[0-9a-f]{64}$/, `${m.name} pinned`);
    assert.ok(!(m.maven && m.hf), `${m.name}: one publisher's bytes per entry`);
  }
  assert.equal(new Set(all.filter((m) => m.sha256).map((m) => m.sha256)).size, all.filter((m) => m.sha256).length);
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
