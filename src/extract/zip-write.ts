// Writes a fresh zip from vetted entries: what mammoth and SheetJS get instead of the original file.
import { crc32 } from 'node:zlib';
import { FileError } from '../errors.js';
import type { VettedEntry } from './zip.js';

const UTF8_NAMES = 0x0800;
const DOS_DATE_1980 = 0x21;

/** An entry written stored (not compressed): a part docproc made or rewrote before a parser reads the package. */
export function storedEntry(name: string, data: Buffer | string): VettedEntry {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { name, method: 0, crc: crc32(bytes), size: bytes.length, compressed: bytes };
}

/**
 * Every entry keeps its compressed bytes; headers carry the sizes and CRC measured while vetting, so a parser that
 * trusts headers (JSZip, SheetJS) and one that inflates to the end see the same thing. No data descriptors, no zip64.
 */
export function writeZip(entries: VettedEntry[]): Buffer {
  if (entries.length > 0xffff) throw new FileError('failed', 'too-large', `${entries.length} zip entries`);
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const fields = (b: Buffer, at: number) => {
      b.writeUInt16LE(20, at); // version needed: deflate
      b.writeUInt16LE(UTF8_NAMES, at + 2);
      b.writeUInt16LE(e.method, at + 4);
      b.writeUInt16LE(0, at + 6); // time
      b.writeUInt16LE(DOS_DATE_1980, at + 8);
      b.writeUInt32LE(e.crc >>> 0, at + 10);
      b.writeUInt32LE(e.compressed.length, at + 14);
      b.writeUInt32LE(e.size, at + 18);
      b.writeUInt16LE(name.length, at + 22);
      b.writeUInt16LE(0, at + 24); // extra field length
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4); // version made by
    fields(cen, 6);
    cen.writeUInt32LE(offset, 42); // comment length, disk, attributes stay 0
    locals.push(local, name, e.compressed);
    central.push(cen, name);
    offset += local.length + name.length + e.compressed.length;
    if (offset > 0xffffffff) throw new FileError('failed', 'too-large', 'rebuilt zip over 4 GB');
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
