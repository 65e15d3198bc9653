// Checks the extractors against /work/shared/corpus (skipped when absent): expected snippets, every file gets an outcome.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { FileError } from '../../src/errors.js';

const CORPUS = process.env.DOCPROC_CORPUS ?? '/work/shared/corpus';
const have = existsSync(path.join(CORPUS, 'expected_snippets.tsv'));
// Compare as the corpus README says: NFKC, collapsed whitespace, words hyphenated at a line break joined.
const norm = (s: string) => s.normalize('NFKC').replace(/(\w)-\s*\n\s*(\w)/g, '$1$2').replace(/\s+/g, ' ').trim();

after(() => closeExtractors());

test('corpus: expected snippets', { skip: !have && 'corpus not present' }, async () => {
  const rows = readFileSync(path.join(CORPUS, 'expected_snippets.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
  const texts = new Map<string, string>();
  const missing: string[] = [];
  for (const r of rows) {
    const [file, snippet, , mode] = r.split('\t');
    if (!file || !snippet || mode === 'msg') continue;
    if (!texts.has(file)) {
      const d = await extractFile(path.join(CORPUS, file), { ...defaultExtractOptions });
      texts.set(file, norm(d.sections.map((s) => s.text).join('\n')));
    }
    if (!texts.get(file)!.includes(norm(snippet))) missing.push(`${file}: ${snippet}`);
  }
  assert.deepEqual(missing, []);
});

test('corpus: broken files end as failures or skips with a reason, never crash', { skip: !have && 'corpus not present' }, async () => {
  const dir = path.join(CORPUS, 'broken');
  for (const f of readdirSync(dir)) {
    try {
      const d = await extractFile(path.join(dir, f), { ...defaultExtractOptions, ocr: false });
      // Readable-but-damaged files may still yield text; they must say something when they don't.
      if (!d.sections.length) assert.ok(d.warnings.length > 0, `${f}: empty without a warning`);
    } catch (e) {
      assert.ok(e instanceof FileError, `${f}: threw ${String(e)}`);
      assert.ok(e.reason.length > 0);
    }
  }
});
