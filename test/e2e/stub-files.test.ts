// Stub files of a few bytes ("ok" markers, placeholders) are ordinary input: extract and ingest succeed, exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, parseNdjson, summaryOf, tempDir } from '../helpers/cli.js';

test('docproc extract of a 2-byte "ok" .txt exits 0 and prints its text', async () => {
  const dir = tempDir('docproc-stub-');
  const p = path.join(dir, 'tiny.txt');
  fs.writeFileSync(p, 'ok');
  const plain = await runCli(['extract', p]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^ok$/m);
  const r = await runCli(['extract', p, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { status: string; type: string; sections: { text: string }[] };
  assert.deepEqual([doc.status, doc.type, doc.sections.map((s) => s.text)], ['ok', 'txt', ['ok']]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('docproc extract of 1- and 3-byte files exits 0', async () => {
  const dir = tempDir('docproc-stub-');
  for (const [name, data] of [['one.txt', 'y'], ['three.md', 'yes'], ['noext', '1\n']] as const) {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    const r = await runCli(['extract', p, '--json']);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.equal((JSON.parse(r.stdout) as { status: string }).status, 'ok', name);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('docproc ingest of a folder of stub files exits 0 and indexes them', async () => {
  const dir = tempDir('docproc-stub-');
  for (const [name, data] of [['ok.txt', 'ok'], ['y.md', 'y'], ['abc.txt', 'abc']] as const) fs.writeFileSync(path.join(dir, name), data);
  const db = path.join(tempDir(), 'i.db');
  const r = await runCli(['ingest', dir, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const statuses = Object.fromEntries(parseNdjson(r.stdout).filter((e) => e['event'] === 'file').map((e) => [path.basename(String(e['path'])), e['status']]));
  assert.deepEqual(statuses, { 'abc.txt': 'indexed', 'ok.txt': 'indexed', 'y.md': 'indexed' });
  assert.equal(summaryOf(r.stdout)['failed'], 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('docproc extract --json of a file with no text says empty, with the reason, and exits 0', async () => {
  const dir = tempDir('docproc-stub-');
  for (const [name, data] of [['zero.txt', ''], ['blank.txt', '  \n\n']] as const) {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    const r = await runCli(['extract', p, '--json']);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { status: string; reason?: string; characters: number };
    assert.deepEqual([doc.status, doc.reason, doc.characters], ['empty', 'no text found', 0], name);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
