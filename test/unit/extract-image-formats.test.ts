// HEIC/HEIF (phone photos) and GIF images: detected by their bytes, decoded, read by OCR; damaged ones end as a
// reported status. Fixtures from scripts/make_image_formats.py.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';

const TMP = tempDir('docproc-image-formats-');
const DATA = 'test/data/images';
after(() => closeExtractors());
const text = async (p: string) => (await extractFile(p, defaultExtractOptions)).sections.map((s) => s.text).join('\n');

test('a HEIC photo is read by OCR, whatever its name says', async () => {
  const heic = path.join(DATA, 'slipway-notice.heic');
  assert.deepEqual(await detectType(heic), { type: 'heic', mime: 'image/heic' });
  const t = await text(heic);
  assert.match(t, /Harbour notice: the slipway closes/);
  assert.match(t, /Boats may use the north pier instead\./);
  // Named as a JPEG (a phone's export): the bytes decide, and the name is reported as a mismatch.
  const renamed = path.join(TMP, 'photo.jpg');
  writeFileSync(renamed, readFileSync(heic));
  assert.equal((await detectType(renamed)).type, 'heic');
});

test('a GIF is read by OCR', async () => {
  assert.equal((await detectType(path.join(DATA, 'lost-property.gif'))).type, 'gif');
  assert.match(await text(path.join(DATA, 'lost-property.gif')), /Lost property: a blue oilskin jacket\s+was handed in at the ferry office\./);
});

test('a HEIC cut short, or one that only claims to be one, fails as corrupt', async () => {
  const heic = readFileSync(path.join(DATA, 'slipway-notice.heic'));
  const cut = path.join(TMP, 'cut.heic');
  writeFileSync(cut, heic.subarray(0, Math.floor(heic.length / 2)));
  await assert.rejects(extractFile(cut, defaultExtractOptions), /^Error: corrupt: heic: |corrupt: heic: /);
  const fake = path.join(TMP, 'fake.heic');
  writeFileSync(fake, Buffer.concat([heic.subarray(0, 32), Buffer.alloc(4000, 7)]));
  await assert.rejects(extractFile(fake, defaultExtractOptions), /corrupt: heic: /);
});
