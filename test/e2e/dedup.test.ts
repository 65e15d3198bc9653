// Identical chunk texts are embedded once per run: copies of a file, or a section repeated inside one file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, summaryOf, tempDir } from '../helpers/cli.js';

const work = tempDir('docproc-dedup-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('copies of one text in a run reach the model once (embedded counts distinct texts, reused the rest)', async () => {
  const docs = path.join(work, 'docs');
  fs.mkdirSync(docs);
  const paper = Array.from({ length: 6 }, (_, i) => `Section ${i + 1}. The glacier retreated by ${i * 7 + 3} metres as the survey team measured ice cores and meltwater.`).join('\n\n');
  fs.writeFileSync(path.join(docs, 'paper.txt'), paper + '\n');
  fs.writeFileSync(path.join(docs, 'paper-copy.txt'), paper + '\n');
  // One file holding the paper four times over, like a PDF that bundles repeated copies.
  fs.writeFileSync(path.join(docs, 'bundle.txt'), Array(4).fill(paper).join('\n\n') + '\n');
  const r = await runCli(['ingest', docs, '--db', path.join(work, 'i.db'), '--json', '--chunk-tokens', '40', '--chunk-overlap', '0'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  const s = summaryOf(r.stdout);
  assert.equal(s['indexed'], 3);
  const chunks = Number(s['chunks']);
  assert.equal(Number(s['embedded']) + Number(s['reused']), chunks);
  // Six copies of the paper in all (two files, four inside the bundle), each chunked alike: one copy's chunks
  // go to the model, the other five come from the run's memo.
  assert.equal(Number(s['embedded']) * 6, chunks, `${s['embedded']} of ${chunks} chunks embedded`);
  assert.equal(s['modelCalls'] as number <= 3, true);
});
