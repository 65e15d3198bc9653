// One ledger for a share mounted at different paths on two hosts: --path-alias maps each host's mount point to
// one stored name, so the second host finds every document unchanged and searches show its own paths.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, parseNdjson, summaryOf, tempDir } from '../helpers/cli.js';
import { mapPath, parsePathAliases } from '../../src/store/path-alias.js';

const work = tempDir('docproc-alias-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('mapPath maps by the longest matching folder prefix, never a string prefix', () => {
  const pairs = [{ from: '/mnt/a', to: '/share' }, { from: '/mnt/a/deep', to: '/deep' }];
  assert.equal(mapPath('/mnt/a/x.txt', pairs), '/share/x.txt');
  assert.equal(mapPath('/mnt/a', pairs), '/share');
  assert.equal(mapPath('/mnt/a/deep/y.txt', pairs), '/deep/y.txt');
  assert.equal(mapPath('/mnt/ab/z.txt', pairs), '/mnt/ab/z.txt');
  assert.deepEqual(parsePathAliases(['rel/dir/=/share/'], (p) => `/cwd/${p}`), [{ local: '/cwd/rel/dir', stored: '/share' }]);
  assert.throws(() => parsePathAliases(['/a'], (p) => p), /LOCAL=STORED/);
  assert.throws(() => parsePathAliases(['/a=share'], (p) => p), /absolute/);
});

test('two mount paths of one tree share one ledger through --path-alias', async () => {
  const real = path.join(work, 'real');
  fs.mkdirSync(real);
  for (const n of ['a', 'b', 'c']) fs.writeFileSync(path.join(real, `${n}.txt`), `Document ${n} about the harbour ferry timetable.\n`);
  // Two "hosts": the same tree reached through two different paths.
  for (const host of ['hostA', 'hostB']) {
    fs.mkdirSync(path.join(work, host));
    fs.symlinkSync(real, path.join(work, host, 'share'));
  }
  const db = path.join(work, 'index.db');
  const run = (host: string, ...args: string[]) => runCli([...args, '--db', db, '--json', '--path-alias', `${path.join(work, host, 'share')}=/share`], { cwd: work });
  const a = await run('hostA', 'ingest', path.join(work, 'hostA', 'share'));
  assert.equal(a.code, 0, a.stderr);
  assert.equal(summaryOf(a.stdout)['indexed'], 3);
  const b = await run('hostB', 'ingest', path.join(work, 'hostB', 'share'));
  assert.equal(b.code, 0, b.stderr);
  const s = summaryOf(b.stdout);
  assert.deepEqual([s['indexed'], s['unchanged'], s['removed'], s['modelCalls']], [0, 3, 0, 0]);
  assert.deepEqual(parseNdjson(b.stdout).filter((e) => e['event'] === 'file').map((e) => path.basename(String(e['path']))).sort(), ['a.txt', 'b.txt', 'c.txt']);
  const hits = await run('hostB', 'search', 'ferry timetable', '--mode', 'keyword');
  assert.equal(hits.code, 0, hits.stderr);
  for (const h of JSON.parse(hits.stdout) as { path: string }[]) assert.ok(h.path.includes(path.join('hostB', 'share')), h.path);
  // Without the alias, hostB's paths are other documents: the ledger would double (and prune hostA's).
  const plain = await runCli(['ingest', path.join(work, 'hostB', 'share'), '--db', db, '--json', '--dry-run'], { cwd: work });
  assert.equal(summaryOf(plain.stdout)['indexed'], 3);
});
