// Nothing leaves the machine: onnxruntime-node's built-in telemetry (a device id, an event database, files in /tmp,
// HTTPS uploads) stays off when docproc embeds, outside CI too (the library turns itself off under CI variables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnCli, tempDir } from '../helpers/cli.js';

test('an ingest that embeds writes no onnxruntime telemetry id, cache or log', async () => {
  const home = tempDir('docproc-telemetry-');
  const docs = path.join(home, 'docs');
  fs.mkdirSync(docs);
  fs.writeFileSync(path.join(docs, 'note.txt'), 'The ferry leaves the island at seven every morning.');
  // CI, GITHUB_ACTIONS and TF_BUILD would silence the library by themselves and hide a regression.
  const started = Date.now() - 1000;
  const child = spawnCli(['ingest', docs, '--db', path.join(home, 'i.db'), '-q'], {
    env: { HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), CI: undefined, GITHUB_ACTIONS: undefined, TF_BUILD: undefined, ORT_DISABLE_TELEMETRY: undefined },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.ok(!fs.existsSync(path.join(home, 'cache', 'Microsoft')), 'no ~/.cache/Microsoft/DeveloperTools/.onnxruntime (device id, event database)');
  assert.ok(!fs.existsSync(path.join(home, '.cache', 'Microsoft')));
  // A file of that name may be left from an earlier process that had the same pid (older versions wrote one each).
  const log = `/tmp/mat-debug-${child.pid}.log`;
  assert.ok(!fs.existsSync(log) || fs.statSync(log).mtimeMs < started, 'no /tmp/mat-debug-<pid>.log written by this run');
});
