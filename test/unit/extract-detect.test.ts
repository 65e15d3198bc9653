// Detection and limits: magic bytes over extensions, dangerous and legacy files, hostile archives, caps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, copyFileSync, rmSync } from 'node:fs';

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, detectType, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { FileError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';
import { buildZip } from '../helpers/hostile-fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = path.join(ROOT, 'fixtures/docs');
const opts = { ...defaultExtractOptions };
let dir = '';
const file = (name: string, data: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};
async function rejects(p: Promise<unknown>, status: string, reason: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FileError, String(e));
    assert.equal(e.status, status, e.message);
    assert.equal(e.reason, reason, e.message);
    return true;
  });
}

before(() => {
  dir = tempDir('docproc-extract-');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeExtractors();
});

test('mismatch: a JPEG named .pdf is detected as jpeg with a warning', async () => {
  const p = path.join(dir, 'photo.pdf');
  copyFileSync(path.join(DOCS, 'garden-rules.jpg'), p);
  const d = await detectType(p);
  assert.equal(d.type, 'jpeg');
  assert.equal(d.mismatch, 'type-mismatch: extension .pdf but content is jpeg');
  await rejects(extractFile(p, { ...opts, ocr: false }), 'skipped', 'ocr-disabled');
});

test('mismatch: a PDF named .docx is extracted as pdf', async () => {
  const p = path.join(dir, 'orbit.docx');
  copyFileSync(path.join(DOCS, 'orbital-mechanics.pdf'), p);
  const d = await extractFile(p, opts);
  assert.equal(d.type, 'pdf');
  assert.deepEqual(d.warnings, ['type-mismatch: extension .docx but content is pdf']);
});

test('dangerous: by extension and by magic', async () => {
  await rejects(extractFile(file('run.sh', 'echo hi\n'), opts), 'skipped', 'dangerous-type');
  await rejects(extractFile(file('tool.ps1', 'Write-Host hi\n'), opts), 'skipped', 'dangerous-type');
  await rejects(extractFile(file('notes.txt', '#!/bin/sh\nrm -rf /\n'), opts), 'skipped', 'dangerous-type');
  await rejects(extractFile(file('a.txt', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0])), opts), 'skipped', 'dangerous-type');
  await rejects(extractFile(file('b.dat', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)])), opts), 'skipped', 'dangerous-type');
});

test('legacy OLE2: a .doc or .ppt that is not a compound file is corrupt, an OLE2 kind docproc does not read is skipped, encrypted OOXML fails as encrypted', async () => {
  const ole = (stream: string) => {
    const b = Buffer.alloc(2048);
    Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(b, 0);
    Buffer.from(stream, 'utf16le').copy(b, 1024);
    return b;
  };
  await rejects(extractFile(file('old.doc', ole('WordDocument')), opts), 'failed', 'corrupt');
  await rejects(extractFile(file('old.ppt', ole('PowerPoint Document')), opts), 'failed', 'corrupt');
  await rejects(extractFile(file('drawing.vsd', ole('VisioDocument')), opts), 'skipped', 'unsupported-legacy-format');
  await rejects(extractFile(file('locked.xlsx', ole('EncryptedPackage')), opts), 'failed', 'encrypted');
});

test('an Office theme (.thmx), packaged like a presentation of layouts, is skipped as a type docproc does not read', async () => {
  const ct = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/theme/theme/themeManager.xml" ContentType="application/vnd.openxmlformats-officedocument.themeManager+xml"/><Override PartName="/theme/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>';
  const thmx = file('office.thmx', buildZip([{ name: '[Content_Types].xml', data: ct }, { name: 'theme/presentation.xml', data: '<p:presentation/>' }]));
  await rejects(extractFile(thmx, opts), 'skipped', 'type');
});

test('corrupt files fail with a reason', async () => {
  await rejects(extractFile(file('broken.pdf', '%PDF-1.7\n1 0 obj garbage'), opts), 'failed', 'corrupt');
  await rejects(extractFile(file('broken.docx', Buffer.from('PK\u0003\u0004 truncated')), opts), 'failed', 'corrupt');
});

test('limits: size, maxChars, allowedTypes', async () => {
  await rejects(extractFile(path.join(DOCS, 'lighthouse-logbook.txt'), { ...opts, maxFileBytes: 10 }), 'skipped', 'size');
  const d = await extractFile(path.join(DOCS, 'lighthouse-logbook.txt'), { ...opts, maxChars: 100 });
  assert.equal(d.sections.map((s) => s.text).join('').length, 100);
  assert.deepEqual(d.warnings, ['truncated: text exceeds maxChars (100)']);
  await rejects(extractFile(path.join(DOCS, 'sourdough.md'), { ...opts, allowedTypes: ['pdf'] }), 'skipped', 'type');
});

test('text: encodings, NUL and lone surrogates, empty file', async () => {
  const d16 = await extractFile(file('u16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Köln', 'utf16le')])), opts);
  assert.equal(d16.sections[0]?.text, 'Grüße aus Köln');
  const d1252 = await extractFile(file('w.txt', Buffer.from([0x93, 0x63, 0x61, 0x66, 0xe9, 0x94, 0x20, 0x80, 0x35])), opts);
  assert.equal(d1252.sections[0]?.text, '“café” €5');
  const dnul = await extractFile(file('n.txt', 'a\u0000b \ud800 c e\u0301'), opts);
  assert.equal(dnul.sections[0]?.text, 'ab \ufffd c é');
  const empty = await extractFile(file('empty.txt', ''), opts);
  assert.equal(empty.sections.length, 0);
  assert.deepEqual(empty.warnings, ['no text found']);
});

test('a text file that starts with "BM" is text, not a bitmap (two-byte magic needs a plausible header)', async () => {
  const d = await detectType(file('abstract.txt', 'BMI-1 regulates stem cell self-renewal in many tissues.\n'));
  assert.equal(d.type, 'txt');
  const noExt = await detectType(file('abstract', 'BMP/SMAD1 signalling controls bone formation.\n'));
  assert.equal(noExt.type, 'txt');
});

test('files of 1-3 bytes are detected and extracted, not failed on a short read', async () => {
  for (const [name, data, type] of [['ok.txt', 'ok', 'txt'], ['x', 'x', 'txt'], ['abc.md', 'abc', 'md'], ['u16.txt', '\ufeffa', 'txt']] as const) {
    const p = file(name, data);
    assert.equal((await detectType(p)).type, type, name);
    const d = await extractFile(p, opts);
    assert.equal(d.sections.map((s) => s.text).join(''), data.replace('\ufeff', ''), name);
  }
  // A truncated zip signature is an unreadable zip: skipped as an unsupported type, not a failure.
  assert.equal((await detectType(file('pk.txt', 'PK\u0003'))).type, 'package');
  await rejects(extractFile(file('pk.txt', 'PK\u0003'), opts), 'skipped', 'type');
  assert.equal((await detectType(file('pdf.pdf', '%P'))).type, 'txt');
});

// Every magic number detection looks at (and a few it only passes to file-type), as bytes.
const MAGIC: Record<string, Buffer> = Object.fromEntries(
  Object.entries({
    pdf: '%PDF-1.7\n', ole2: 'd0cf11e0a1b11ae1', zip: 'PK\u0003\u0004', zipEmpty: 'PK\u0005\u0006', png: '89504e470d0a1a0a',
    jpeg: 'ffd8ffe000104a464946', tiffLe: 'II*\u0000', tiffBe: 'MM\u0000*', bmp: 'BM', webp: 'RIFF\u0000\u0000\u0000\u0000WEBPVP8 ',
    gif: 'GIF89a', rtf: '{\\rtf1', mz: 'MZ', elf: '7f454c46', macho: 'feedfacf', fatMacho: 'cafebabe', shebang: '#!',
    utf8Bom: 'efbbbf', utf16le: 'fffe', utf16be: 'feff', utf32le: 'fffe0000', utf32be: '0000feff', gzip: '1f8b08',
    bzip2: 'BZh9', xz: 'fd377a585a00', sevenZip: '377abcaf271c', ogg: 'OggS', id3: 'ID3', mp3: 'fffb', wasm: '0061736d',
    html: '<!DOCTYPE html>', xml: '<?xml ', json: '{"', eml: 'From: a@b\r\n',
  }).map(([k, v]) => [k, /^[0-9a-f]+$/.test(v) && v.length % 2 === 0 ? Buffer.from(v, 'hex') : Buffer.from(v, 'latin1')]),
);

/** Seeded PRNG (mulberry32), so a failing case can be reproduced. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: every truncation (0-64 bytes) of every known magic, bare and followed by random bytes, detects or fails with a status', { timeout: 120_000 }, async () => {
  const rand = rng(8);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const exts = ['.txt', '', '.docx', '.xls', '.pdf', '.png'];
  const problems: string[] = [];
  let runs = 0;
  for (const [kind, magic] of Object.entries(MAGIC)) {
    const padded = Buffer.concat([magic, bytes(64)]);
    for (let len = 0; len <= 64; len++) {
      const cases = [padded.subarray(0, len)];
      // A cut magic followed by junk; past the magic's length that is the case above again.
      if (len <= magic.length) cases.push(Buffer.concat([magic.subarray(0, len), bytes(1 + Math.floor(rand() * 40))]));
      for (const [i, data] of cases.entries()) {
        const ext = exts[(len + i) % exts.length]!;
        const p = file(`fuzz-${kind}${ext}`, data);
        runs++;
        try {
          const d = await detectType(p);
          if (typeof d.type !== 'string' || !d.type) problems.push(`${kind}/${len}/${i}: no type`);
        } catch (e) {
          if (!(e instanceof FileError) || !e.status || !e.reason) problems.push(`${kind}/${len}/${i} ${data.toString('hex')}${ext}: ${String(e)}`);
        }
      }
    }
  }
  const magicLengths = Object.values(MAGIC).reduce((n, m) => n + m.length + 1, 0);
  assert.equal(runs, Object.keys(MAGIC).length * 65 + magicLengths);
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} of ${runs} inputs threw something other than a FileError`);
});
