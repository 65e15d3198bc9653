// dBase tables (.dbf: dBase III–5, FoxPro, and every shapefile's attribute table): the field names as a header row,
// then each live record (deleted ones left out), read like a CSV's rows. Text is decoded as the sidecar .cpg says,
// else as UTF-8 where the records are, else as the header's language driver says, else as the bytes look. Memo fields live
// in a separate .dbt/.fpt file and are not read.
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { register } from '../registry.js';
import { rowsToSections } from '../tabular.js';
import { detectEncoding, isValidUtf8 } from '../decode.js';
import { FileError } from '../../errors.js';
import { dbfFields, type DbfField as Field } from '../dbf-header.js';

// The header's language driver byte (offset 29) for the code pages seen in practice.
const LANGUAGE_DRIVERS: Record<number, string> = {
  0x01: 'cp437', 0x02: 'cp850', 0x03: 'windows-1252', 0x57: 'windows-1252', 0x58: 'windows-1252', 0x59: 'windows-1252',
  0x64: 'cp852', 0x65: 'cp866', 0x4d: 'gbk', 0x7a: 'gbk', 0x4e: 'cp949', 0x4f: 'big5', 0x13: 'shift_jis', 0x7b: 'shift_jis',
  0xc8: 'windows-1250', 0xc9: 'windows-1251', 0xca: 'windows-1254', 0xcb: 'windows-1253', 0x7d: 'windows-1255', 0x7e: 'windows-1256',
};

register(['dbf'], {
  version: '2',
  async extract(ctx) {
    const b = await readFile(ctx.absPath);
    const fields = dbfFields(b);
    if (!fields) throw new FileError('failed', 'corrupt', 'dbf: the header does not describe its records');
    const count = b.readUInt32LE(4);
    const headerBytes = b.readUInt16LE(8);
    const recordBytes = b.readUInt16LE(10);
    // The language driver byte is often 0 or a default written whatever the text is: records that are valid UTF-8
    // with bytes past ASCII are UTF-8 (no 8-bit text is by chance); else the driver; else what the bytes look like.
    const records = b.subarray(headerBytes);
    const utf8 = records.some((x) => x > 0x7f) && isValidUtf8(records);
    const encoding = (await sidecarEncoding(ctx.absPath)) ?? (utf8 ? 'utf-8' : LANGUAGE_DRIVERS[b[29]!] ?? detectEncoding(records).encoding);
    const text = (from: number, to: number) => iconv.decode(b.subarray(from, to), encoding).replace(/\0/g, '').trim();
    const rows: string[][] = [fields.map((f) => f.name)];
    let i = 0;
    for (; i < count; i++) {
      const at = headerBytes + i * recordBytes;
      if (at + recordBytes > b.length || b[at] === 0x1a) break; // cut short, or the end-of-file mark
      if (b[at] === 0x2a) continue; // deleted
      if (rows.length > ctx.opts.maxCells / fields.length) break;
      rows.push(fields.map((f) => cell(f, at, b, text)));
    }
    if (i < count) ctx.warnings.push(`dbf: ${count - i} of ${count} records not read (the file ends early, or the cell cap)`);
    return { sections: rowsToSections(rows, {}, ctx.budget) };
  },
});

function cell(f: Field, at: number, b: Buffer, text: (from: number, to: number) => string): string {
  const from = at + f.offset;
  switch (f.type) {
    case 'I': // Visual FoxPro integer
      return f.length === 4 ? String(b.readInt32LE(from)) : '';
    case 'B': // Visual FoxPro double
      return f.length === 8 ? String(b.readDoubleLE(from)) : text(from, from + f.length);
    case 'D': {
      const d = text(from, from + f.length);
      return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d;
    }
    case 'L': {
      const v = text(from, from + 1).toUpperCase();
      return 'TY'.includes(v) && v ? 'true' : 'FN'.includes(v) && v ? 'false' : '';
    }
    case 'M': case 'G': case 'P': case 'T': case 'Y': case '0':
      return ''; // memos (in another file), pictures, binary datetimes and currency, null flags: no text here
    default:
      return text(from, from + f.length);
  }
}

/** The encoding a shapefile's .cpg names ("UTF-8", "1252", "GBK"), if there is one beside the table. */
async function sidecarEncoding(absPath: string): Promise<string | undefined> {
  if (!/\.dbf$/i.test(absPath)) return undefined;
  try {
    const name = (await readFile(absPath.replace(/\.dbf$/i, '.cpg'), 'latin1')).trim().toLowerCase();
    const e = /^\d+$/.test(name) ? (name.length === 4 && name.startsWith('12') ? `windows-${name}` : `cp${name}`) : name;
    return iconv.encodingExists(e) ? e : undefined;
  } catch {
    return undefined;
  }
}
