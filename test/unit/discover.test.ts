import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { compileGlobs, globToRegExp } from '../../src/pipeline/glob.js';
import { discover } from '../../src/pipeline/discover.js';
import { loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';

test('glob: *, **, ?, classes and braces', () => {
  assert.ok(globToRegExp('*.pdf').test('a.pdf'));
  assert.ok(!globToRegExp('*.pdf').test('dir/a.pdf'));
  assert.ok(globToRegExp('**/*.pdf').test('a.pdf'));
  assert.ok(globToRegExp('**/*.pdf').test('x/y/a.pdf'));
  assert.ok(globToRegExp('docs/**').test('docs/a/b.txt'));
  assert.ok(globToRegExp('report-?.{md,txt}').test('report-1.md'));
  assert.ok(!globToRegExp('report-?.{md,txt}').test('report-12.md'));
  assert.ok(globToRegExp('[ab]*.txt').test('b1.txt'));
  assert.ok(globToRegExp('a+b(1).txt').test('a+b(1).txt'), 'regex metacharacters are literal');
});

test('glob: patterns without a slash match any path segment, like .gitignore', () => {
  const m = compileGlobs(['drafts', '*.log']);
  assert.ok(m('drafts'));
  assert.ok(m('a/drafts/b.txt'));
  assert.ok(m('x/y.log'));
  assert.ok(!m('x/y.txt'));
});

test('discover: sorted, skips hidden and node_modules, reports broken links, single file roots', () => {
  const root = tempDir('docproc-discover-');
  fs.mkdirSync(path.join(root, 'sub'));
  fs.mkdirSync(path.join(root, 'node_modules'));
  fs.writeFileSync(path.join(root, 'b.txt'), 'b');
  fs.writeFileSync(path.join(root, 'sub', 'a.txt'), 'a');
  fs.writeFileSync(path.join(root, 'node_modules', 'x.txt'), 'x');
  fs.writeFileSync(path.join(root, '.env'), 'secret');
  fs.symlinkSync(path.join(root, 'missing'), path.join(root, 'dangling.txt'));
  const found = discover(root, { ignore: [], followSymlinks: true });
  assert.deepEqual(found.files.map((f) => f.relPath), ['b.txt', 'sub/a.txt']);
  assert.deepEqual(found.skipped.map((s) => [s.relPath, s.reason]), [['dangling.txt', 'broken-symlink']]);
  const single = discover(path.join(root, 'sub', 'a.txt'), { ignore: [], followSymlinks: false });
  assert.equal(single.singleFile, true);
  assert.equal(single.root, path.join(root, 'sub'));
});

test('discover: FIFOs and sockets, in the tree or behind a link, are reported skipped, never opened', async () => {
  const root = tempDir('docproc-discover-fifo-');
  fs.writeFileSync(path.join(root, 'a.txt'), 'a');
  assert.equal(spawnSync('mkfifo', [path.join(root, 'pipe')]).status, 0, 'mkfifo');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(path.join(root, 'sock'), r));
  try {
    fs.symlinkSync(path.join(root, 'pipe'), path.join(root, 'to-pipe'));
    const found = discover(root, { ignore: [], followSymlinks: true });
    assert.deepEqual(found.files.map((f) => f.relPath), ['a.txt']);
    assert.deepEqual(found.skipped.map((s) => [s.relPath, s.reason]), [['pipe', 'not-a-regular-file'], ['sock', 'not-a-regular-file'], ['to-pipe', 'not-a-regular-file']]);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('discover: names that are not UTF-8 are reported skipped (a folder once, not entered), never dropped silently', () => {
  const root = tempDir('docproc-discover-enc-');
  const latin1 = (...parts: (string | number)[]): Buffer =>
    Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p))));
  fs.writeFileSync(path.join(root, 'good.txt'), 'g');
  fs.writeFileSync(path.join(root, 'naïve.txt'), 'n'); // valid UTF-8 beyond ASCII is indexed as before
  fs.writeFileSync(latin1(root, '/caf', 0xe9, '.txt'), 'c');
  fs.mkdirSync(latin1(root, '/r', 0xe9, 'sum', 0xe9, 's'));
  fs.writeFileSync(latin1(root, '/r', 0xe9, 'sum', 0xe9, 's/cv.txt'), 'cv');
  fs.writeFileSync(latin1(root, '/.hidd', 0xe9, 'n'), 'h'); // hidden stays silent, whatever its bytes
  const found = discover(root, { ignore: [], followSymlinks: false });
  assert.deepEqual(found.files.map((f) => f.relPath), ['good.txt', 'naïve.txt']);
  assert.deepEqual(found.skipped.map((s) => [s.path, s.relPath, s.reason]), [
    [path.join(root, 'caf\\xE9.txt'), 'caf\\xE9.txt', 'invalid-filename-encoding'],
    [path.join(root, 'r\\xE9sum\\xE9s'), 'r\\xE9sum\\xE9s', 'invalid-filename-encoding'],
  ]);
  fs.rmSync(root, { recursive: true, force: true });
});

test('config: flags beat env beat file beat defaults; bad values name the key', () => {
  const dir = tempDir('docproc-config-');
  fs.writeFileSync(path.join(dir, 'docproc.config.json'), JSON.stringify({ batchSize: 4, ocr: false }));
  const cfg = loadConfig({ flags: { batchSize: 16 }, env: { DOCPROC_BATCH_SIZE: '8', DOCPROC_MODEL_SOURCES: 'maven,local' }, cwd: dir });
  assert.equal(cfg.batchSize, 16);
  assert.equal(cfg.ocr, false);
  assert.deepEqual(cfg.modelSources, ['maven', 'local']);
  assert.equal(loadConfig({ flags: {}, env: { DOCPROC_BATCH_SIZE: '8' }, cwd: dir }).batchSize, 8);
  assert.equal(loadConfig({ flags: {}, env: {}, cwd: os.tmpdir() }).chunkTokens, 256);
  assert.throws(() => loadConfig({ flags: {}, env: { DOCPROC_MODEL_SOURCES: 'ftp' }, cwd: dir }), (e: unknown) => e instanceof UsageError && /modelSources/.test(e.message));
  assert.throws(() => loadConfig({ flags: {}, env: {}, configFile: 'nope.json', cwd: dir }), /config file not found/);
});
