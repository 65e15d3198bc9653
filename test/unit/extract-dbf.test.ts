// dBase tables through the real extractor: field names as the header row, live records as rows (a deleted one left
// out), dates and logicals written out, text decoded as the shapefile's .cpg sidecar says; a .dbf whose header does not
// hold together is not taken for one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { detectType } from '../../src/extract/detect.js';

const TMP = tempDir('docproc-dbf-');
const opts = { ...defaultExtractOptions, ocr: false };
after(() => closeExtractors());

/** A dBase III table: 32-byte header, 32-byte field descriptors, 0x0D, then records (flag byte + fields), 0x1A. */
function dbf(fields: [string, string, number][], records: { deleted?: boolean; cells: (string | Buffer)[] }[]): Buffer {
  const recordBytes = 1 + fields.reduce((n, [, , len]) => n + len, 0);
  const headerBytes = 32 + 32 * fields.length + 1;
  const head = Buffer.alloc(32);
  head[0] = 0x03;
  head.writeUInt32LE(records.length, 4);
  head.writeUInt16LE(headerBytes, 8);
  head.writeUInt16LE(recordBytes, 10);
  const descriptors = fields.map(([name, type, len]) => {
    const d = Buffer.alloc(32);
    d.write(name, 0, 'latin1');
    d.write(type, 11, 'latin1');
    d[16] = len;
    return d;
  });
  const rows = records.map((r) => {
    const row = Buffer.alloc(recordBytes, 0x20);
    row[0] = r.deleted ? 0x2a : 0x20;
    let at = 1;
    r.cells.forEach((c, i) => {
      Buffer.from(c as string, typeof c === 'string' ? 'latin1' : undefined).copy(row, at);
      at += fields[i]![2];
    });
    return row;
  });
  return Buffer.concat([head, ...descriptors, Buffer.from([0x0d]), ...rows, Buffer.from([0x1a])]);
}

test("a dBase table: the field names head each row; deleted records are left out; text decoded as the .cpg says", async () => {
  const table = dbf([['HARBOUR', 'C', 16], ['BERTHS', 'N', 4], ['OPENED', 'D', 8], ['FERRY', 'L', 1]], [
    { cells: ['Kirkwall', '  12', '18861004', 'T'] },
    { deleted: true, cells: ['Scrapped pier', '   1', '19010101', 'F'] },
    { cells: [Buffer.from('Stromness café', 'latin1'), '   7', '19020315', 'F'] },
  ]);
  const file = path.join(TMP, 'harbours.dbf');
  writeFileSync(file, table);
  writeFileSync(path.join(TMP, 'harbours.cpg'), '1252\n');
  assert.equal((await detectType(file)).type, 'dbf');
  const d = await extractFile(file, opts);
  assert.equal(d.sections.map((s) => s.text).join('\n'), [
    'HARBOUR | BERTHS | OPENED | FERRY',
    'HARBOUR: Kirkwall; BERTHS: 12; OPENED: 1886-10-04; FERRY: true',
    'HARBOUR: Stromness café; BERTHS: 7; OPENED: 1902-03-15; FERRY: false',
  ].join('\n'));
  assert.deepEqual(d.warnings, [], 'a deleted record is not a record left unread');
  // Cut short in its last record: what is there is read, and a warning says what is not.
  writeFileSync(file, table.subarray(0, table.length - 20));
  const cut = await extractFile(file, opts);
  assert.deepEqual(cut.warnings, ['dbf: 1 of 3 records not read (the file ends early, or the cell cap)']);
});

test('a .dbf whose header does not describe its records is not taken for a table', async () => {
  const table = dbf([['NAME', 'C', 8]], [{ cells: ['Skerry'] }]);
  table.writeUInt16LE(99, 10); // a record length the fields do not add up to
  const file = path.join(TMP, 'odd.dbf');
  writeFileSync(file, table);
  assert.notEqual((await detectType(file)).type, 'dbf');
});
