// 7-Zip, RAR, cabinet, cpio and tar.bz2/tar.xz through libarchive (WebAssembly): members read by their own
// extractors, hidden files passed over; an archive with encrypted names fails as encrypted; the size cap and the
// decompression budget hold; a lone compressed file is skipped, saying why. Fixtures: scripts/make_archive_fixtures.py.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, detectType, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { tempDir } from '../helpers/temp.js';

after(() => closeExtractors());
const DATA = path.join(fileURLToPath(new URL('../../..', import.meta.url)), 'test/data/archives');
const opts = { ...defaultExtractOptions, ocr: false };
const TMP = tempDir('docproc-libarchive-');

test('7-Zip and tar.bz2/tar.xz archives: each document read by its own extractor, under its path; hidden files passed over', async () => {
  for (const [name, type] of [['minutes.7z', '7z'], ['minutes.tar.bz2', 'bz2'], ['minutes.tar.xz', 'xz']] as const) {
    const p = path.join(DATA, name);
    assert.equal((await detectType(p)).type, type);
    const d = await extractFile(p, opts);
    assert.deepEqual(d.sections.map((s) => s.loc.heading), ['minutes/harbour-board.txt', 'minutes/fees.csv'], name);
    assert.match(d.sections[0]!.text, /first Monday of each month/);
    assert.match(d.sections[1]!.text, /north quay; fee: 40/);
  }
});

test('an archive whose names are encrypted fails as encrypted; a damaged one as corrupt; a lone .bz2 is skipped', async () => {
  await assert.rejects(extractFile(path.join(DATA, 'minutes-locked.7z'), opts), (e: Error & { status?: string; reason?: string }) => {
    assert.equal(e.status, 'failed');
    assert.equal(e.reason, 'encrypted');
    assert.equal(e.message, 'encrypted: password-protected 7-Zip archive');
    return true;
  });
  const cut = path.join(TMP, 'cut.7z');
  writeFileSync(cut, readFileSync(path.join(DATA, 'minutes.7z')).subarray(0, 100));
  await assert.rejects(extractFile(cut, opts), (e: Error & { status?: string; reason?: string }) => e.status === 'failed' && e.reason === 'corrupt');
  // bzip2 of a single file, not a tar: said to be unsupported, not mistaken for damage.
  const lone = path.join(TMP, 'notes.txt.bz2');
  writeFileSync(lone, Buffer.from('425a683917724538509000000000', 'hex'));
  await assert.rejects(extractFile(lone, opts), (e: Error & { status?: string; reason?: string }) => {
    assert.equal(e.status, 'skipped');
    assert.equal(e.message, 'type: a bzip2 file with no tar archive readable in it');
    return true;
  });
  // The module is whole again for the next archive.
  assert.equal((await extractFile(path.join(DATA, 'minutes.7z'), opts)).sections.length, 2);
});

test('members over the size cap are skipped, and what all members decompress to is capped: a bomb ends as one', async () => {
  const bomb = path.join(DATA, 'zeros.7z'); // three members of 30 MB of zeros in 14 KB
  const small = await extractFile(bomb, { ...opts, maxFileBytes: 10 * 1024 * 1024 });
  assert.deepEqual(small.warnings, [1, 2, 3].map((i) => `attachment zeros-${i}.txt: skipped: size: 31457280 bytes > 10485760`));
  await assert.rejects(extractFile(bomb, { ...opts, zip: { ...opts.zip, maxTotalBytes: 50 * 1024 * 1024 } }), (e: Error & { reason?: string }) => {
    assert.equal(e.reason, 'zip-bomb');
    assert.match(e.message, /^zip-bomb: 7-Zip: members decompress to more than 52428800 bytes$/);
    return true;
  });
});

test('a member whose header declares 3 GiB is too large, not read into the module; the module stays whole; text with weak magic stays text', async () => {
  const d = await extractFile(path.join(DATA, 'huge-member.tar.xz'), opts);
  assert.deepEqual(d.warnings, [
    'attachment huge.txt: skipped: size: over 2 GB > 52428800',
    'xz: damaged after 1 member (Truncated input file (needed 3221225472 bytes, only 65536 available)); read up to it',
  ]);
  assert.equal((await extractFile(path.join(DATA, 'minutes.tar.xz'), opts)).sections.length, 2);
  // "070707" opens old cpio archives and "BZh" bzip2 streams: a CSV and a note that start so are read as text.
  const csv = path.join(TMP, 'orders.csv');
  writeFileSync(csv, '070707,Alpha,12\n070708,Beta,3\n');
  assert.equal((await detectType(csv)).type, 'csv');
  const note = path.join(TMP, 'note');
  writeFileSync(note, 'BZh is how a bzip2 stream begins.\n');
  assert.equal((await detectType(note)).type, 'txt');
});
