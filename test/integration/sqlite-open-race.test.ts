// Several processes opening one new index at the same moment (three ingests started together) must all get a migrated
// index: before the migrations took the write lock first, all but one failed with "table meta already exists"; before
// the version table came in the same transaction, one now and then saw it alone ("not a docproc index"); and before
// the switch to WAL was retried, one in about 80 failed with "database is locked".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp.js';

const OPEN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/store/sqlite/open.js');

function openIn(file: string, startAt: number): Promise<{ code: number | null; stderr: string }> {
  // Each child waits for the same instant, then opens and counts the documents table.
  const script = `const { openDatabase } = await import(${JSON.stringify(OPEN)});
    while (Date.now() < ${startAt}) {}
    const db = openDatabase(${JSON.stringify(file)});
    db.prepare('SELECT count(*) FROM documents').get();
    db.close();`;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('processes opening a new index at once all get the migrated schema', async () => {
  for (let round = 0; round < 5; round++) {
    const file = path.join(tempDir('docproc-open-race-'), 'index.db');
    const startAt = Date.now() + 700;
    const results = await Promise.all(Array.from({ length: 4 }, () => openIn(file, startAt)));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
  }
});
