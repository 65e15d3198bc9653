// Tar archives and gzip files through the real extractor: members read as their own kinds and headed by their paths
// (GNU long names, pax paths and ustar prefixes included), folders, links and hidden files passed over, an oversized
// member listed but never held, a bad header a corrupt archive, and what inflates past the archive cap a zip bomb.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';
import { FileError } from '../../src/errors.js';

const TMP = tempDir('docproc-tar-');
const opts = { ...defaultExtractOptions, ocr: false };
after(() => closeExtractors());

interface TarEntry {
  name: string;
  data?: string | Buffer;
  /** '0' file (default), '5' folder, '2' symbolic link, 'L' GNU long name, 'x' pax header. */
  type?: string;
  /** ustar prefix (the path's folders, when the name field is too short). */
  prefix?: string;
}

/** A tar laid out block by block: a 512-byte header with its checksum, the data padded to 512, two zero blocks. */
function tar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name.slice(0, 100), 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write(e.type ?? '0', 156);
    h.write('ustar\u000000', 257, 'latin1');
    if (e.prefix) h.write(e.prefix, 345);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

function write(name: string, data: Buffer): string {
  const file = path.join(TMP, name);
  writeFileSync(file, data);
  return file;
}

const longName = `reports/${'winter-'.repeat(20)}timetable.txt`;
const entries: TarEntry[] = [
  { name: 'reports/', type: '5' },
  { name: 'tides.txt', prefix: 'reports/harbour', data: 'High water at noon on Saturdays.' },
  { name: '././@LongLink', type: 'L', data: longName + '\0' },
  { name: longName.slice(0, 100), data: 'The island ferry runs twice a day in winter.' },
  { name: 'PaxHeader', type: 'x', data: '30 path=reports/fares-2027.csv\n' },
  { name: 'short-name.csv', data: 'route,adult\nisland,4.50\n' },
  { name: 'reports/latest.txt', type: '2' },
  { name: 'reports/.hidden.txt', data: 'not for the index' },
  { name: 'reports/huge.txt', data: 'x'.repeat(3000) },
];

test('a tar, a .tar.gz and a .tgz: members as their kinds, headed by their paths; folders, links, hidden files passed over', async () => {
  const plain = tar(entries);
  for (const [name, bytes, type] of [['harbour.tar', plain, 'tar'], ['harbour.tar.gz', gzipSync(plain), 'gz'], ['harbour.tgz', gzipSync(plain), 'gz']] as const) {
    const file = write(name, bytes);
    assert.equal((await detectType(file)).type, type, name);
    // The size cap applies to the archive's file too: a plain tar is larger than its largest member.
    const cap = type === 'tar' ? 20_000 : 2000;
    const d = await extractFile(file, { ...opts, maxFileBytes: cap });
    // A plain tar's members are never larger than the tar, which passed the cap: only a compressed one's can be.
    const read = ['reports/harbour/tides.txt', longName, 'reports/fares-2027.csv', ...(type === 'tar' ? ['reports/huge.txt'] : [])];
    assert.deepEqual([...new Set(d.sections.map((s) => s.loc.heading?.split(',')[0]))], read, name);
    const text = d.sections.map((s) => s.text).join('\n');
    assert.match(text, /High water at noon/);
    assert.match(text, /twice a day in winter/);
    assert.match(text, /island/);
    assert.deepEqual(d.warnings, type === 'tar' ? [] : ['attachment reports/huge.txt: skipped: size: 3000 bytes > 2000'], name);
  }
});

test('a gzip of one file is read as that file; one that inflates past the size cap is listed, not read', async () => {
  const file = write('rota.csv.gz', gzipSync('keeper,watch\nMacLeod,first\nStevenson,middle\n'));
  assert.equal((await detectType(file)).type, 'gz');
  const d = await extractFile(file, opts);
  assert.equal(d.sections[0]?.loc.heading?.startsWith('rota.csv'), true);
  assert.match(d.sections.map((s) => s.text).join('\n'), /Stevenson/);
  const big = await extractFile(write('big.txt.gz', gzipSync('y'.repeat(5000))), { ...opts, maxFileBytes: 2000 });
  assert.deepEqual(big.warnings.filter((w) => w.startsWith('attachment')), ['attachment big.txt: skipped: size: inflates past 2000 bytes']);
});

test('a tar header that fails its checksum is a corrupt archive; a .tar.gz inflating past the archive cap is a zip bomb', async () => {
  const broken = tar(entries);
  broken[0] = 'Z'.charCodeAt(0);
  await assert.rejects(extractFile(write('broken.tar', broken), opts), (e: unknown) => e instanceof FileError && e.status === 'failed' && e.reason === 'corrupt');
  const bomb = write('bomb.tar.gz', gzipSync(tar([{ name: 'zeros.txt', data: Buffer.alloc(300_000) }])));
  const capped = { ...opts, zip: { ...opts.zip, maxTotalBytes: 100_000 } };
  await assert.rejects(extractFile(bomb, capped), (e: unknown) => e instanceof FileError && e.status === 'failed' && e.reason === 'zip-bomb');
});
