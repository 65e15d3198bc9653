// A scanned report's letterhead and page footer, read by OCR on every page, are kept once, as a text layer's are.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeExtractors, defaultExtractOptions, extractFile } from '../../src/extract/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
after(() => closeExtractors());

test('a four-page scanned report: letterhead and "Page n of 4" once, every page body read', async () => {
  const d = await extractFile(path.join(ROOT, 'test/data/scans/harbour-report-scan.pdf'), { ...defaultExtractOptions });
  assert.equal(d.pagesOcr, 4);
  const all = d.sections.map((s) => s.text).join('\n');
  assert.equal(all.match(/Westray Harbour Trust/g)?.length, 1, all);
  assert.equal(all.match(/Page \d of 4/g)?.length, 1, all);
  assert.match(d.sections[0]!.text, /^Westray Harbour Trust - Quarterly Report/);
  assert.deepEqual(d.sections.map((s) => s.loc.page), [1, 2, 3, 4]);
  for (const w of ['north pier was resurfaced', 'Dredging of the inner basin', 'Two new mooring buoys', 'fish market roof was repaired']) {
    assert.match(all.replace(/\s+/g, ' '), new RegExp(w), w);
  }
});
