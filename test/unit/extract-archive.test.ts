// Zip archives through the real extractor: each member read by its own format's extractor and headed by its path,
// nested archives too; folders, hidden files and resource forks passed over; an encrypted or oversized member listed,
// not read; a member that lies about its size fails the archive; a zip under another name is a package, skipped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildZip } from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';
import { FileError } from '../../src/errors.js';

const TMP = tempDir('docproc-archive-');
const opts = { ...defaultExtractOptions, ocr: false };
after(() => closeExtractors());

function write(name: string, data: Buffer): string {
  const file = path.join(TMP, name);
  writeFileSync(file, data);
  return file;
}

test('a zip archive: each member read as its own kind, headed by its path; nested archives, folders and hidden files', async () => {
  const inner = buildZip([{ name: 'winter.txt', data: 'The island ferry runs twice a day in winter.' }]);
  const file = write('harbour.zip', buildZip([
    { name: 'notes/', data: '' },
    { name: 'notes/tides.txt', data: 'High water at noon on Saturdays.' },
    { name: 'fares.csv', data: 'route,adult\nisland,4.50\n' },
    { name: 'archive/old.zip', data: inner },
    { name: '__MACOSX/notes/._tides.txt', data: 'resource fork' },
    { name: 'notes/.DS_Store', data: 'finder' },
    { name: 'secret.txt', data: 'locked', encrypted: true },
    { name: 'huge.txt', data: 'x'.repeat(3000) },
  ]));
  assert.equal((await detectType(file)).type, 'zip');
  const d = await extractFile(file, { ...opts, maxFileBytes: 2000 });
  assert.equal(d.type, 'zip');
  const byHeading = d.sections.map((s) => [s.loc.heading, s.text.replace(/\s+/g, ' ').trim()]);
  assert.deepEqual(byHeading.map(([h]) => h), ['notes/tides.txt', 'fares.csv', 'archive/old.zip › winter.txt']);
  assert.match(byHeading[0]![1]!, /High water at noon/);
  assert.match(byHeading[1]![1]!, /island/);
  assert.match(byHeading[2]![1]!, /twice a day in winter/);
  assert.deepEqual(d.warnings, ['attachment secret.txt: encrypted: password-protected zip entry', 'attachment huge.txt: skipped: size: 3000 bytes > 2000']);
});

test('zip members that cannot be read are warnings, the first 20 by name; an unknown method is one; a zip without an extension is read', async () => {
  const inner = buildZip([{ name: 'note.txt', data: 'Moorings are free in March.' }]);
  const file = write('mixed.zip', buildZip([
    ...Array.from({ length: 30 }, (_, i) => ({ name: `locked-${String(i).padStart(2, '0')}.txt`, data: 'x', encrypted: true })),
    { name: 'seven-zip.txt', data: 'bzip2 in the headers', method: 12 },
    { name: 'attachment', data: inner },
  ]));
  const d = await extractFile(file, opts);
  assert.deepEqual(d.sections.map((s) => s.loc.heading), ['attachment › note.txt']);
  const named = d.warnings.filter((w) => w.startsWith('attachment locked-'));
  assert.equal(named.length, 20);
  assert.ok(d.warnings.includes('zip: 11 more members not read (encrypted, empty or over the size cap)'), d.warnings.join('\n'));
});

test('a zip member that inflates past its declared size fails the archive as a zip bomb; a zip named .idml is a package', async () => {
  const lying = write('lying.zip', buildZip([{ name: 'a.txt', data: 'fine' }, { name: 'b.txt', data: 'y'.repeat(200_000), declaredSize: 10 }]));
  await assert.rejects(extractFile(lying, opts), (e: unknown) => e instanceof FileError && e.status === 'failed' && /^zip-bomb/.test(e.message));
  const jar = write('layout.idml', buildZip([{ name: 'Stories/Story_u1.xml', data: '<Story>Ferry poster</Story>' }]));
  assert.equal((await detectType(jar)).type, 'package');
  await assert.rejects(extractFile(jar, opts), (e: unknown) => e instanceof FileError && e.status === 'skipped' && e.reason === 'type');
});
