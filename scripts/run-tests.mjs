#!/usr/bin/env node
// Runs the whole test suite: fetches the real models once into a shared cache, then node's test runner.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const home = process.env.DOCPROC_TEST_HOME ?? path.join(repo, '.docproc-home');
const env = { ...process.env, DOCPROC_TEST_HOME: home, DOCPROC_HOME: home };

// Pull before the tests so parallel test files never race to download the same model.
for (const model of ['all-minilm-l6-v2-q', 'bge-small-en-v1.5-q']) {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/docproc.js'), 'models', 'pull', model, '--quiet'], { env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`could not fetch model ${model}; tests need it (see README, "Models")`);
    process.exit(r.status ?? 1);
  }
}

const files = process.argv.slice(2);
// Only *.test.js: given a folder, Node 20 would also run helpers (stub children, fixtures) as test files.
const all = fs.readdirSync(path.join(repo, 'dist/test'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .map((f) => path.join(repo, 'dist/test', f));
const args = ['--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...(files.length ? files : all)];
const r = spawnSync(process.execPath, args, { env, stdio: 'inherit', cwd: repo });
process.exit(r.status ?? 1);
