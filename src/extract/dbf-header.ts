// A dBase table's header: its field descriptors, when the header holds together. The format has no magic number, so
// this is also what tells a .dbf from any other file of that name (detect.ts asks it; formats/dbf.ts reads with it).

export interface DbfField {
  name: string;
  type: string;
  /** Where the field starts in a record (after the record's deletion flag byte). */
  offset: number;
  length: number;
}

/**
 * The field descriptors, when the header holds together: a known version, 32-byte descriptors ending with 0x0D inside
 * the header, field names of letters, digits and underscores, and a record length of one flag byte plus the fields.
 * This is also what tells a .dbf from any other file of that name (the format has no magic number).
 */
export function dbfFields(b: Buffer): DbfField[] | undefined {
  if (b.length < 33 || !DBF_VERSIONS.has(b[0]!)) return undefined;
  const headerBytes = b.readUInt16LE(8);
  const recordBytes = b.readUInt16LE(10);
  if (headerBytes < 33 || headerBytes > b.length || recordBytes < 2) return undefined;
  const fields: DbfField[] = [];
  let offset = 1;
  for (let at = 32; ; at += 32) {
    if (at >= headerBytes || at >= b.length) return undefined;
    if (b[at] === 0x0d) break;
    if (at + 32 > headerBytes) return undefined;
    const name = b.toString('latin1', at, at + 11).replace(/\0[^]*$/, '').trim();
    const type = String.fromCharCode(b[at + 11]!);
    const length = b[at + 16]! + (type === 'C' ? b[at + 17]! * 256 : 0); // long character fields use the decimals byte
    if (!/^[A-Za-z_][\w]{0,10}$/.test(name) || !/[A-Z0-9@+]/.test(type) || length === 0) return undefined;
    fields.push({ name, type, offset, length });
    offset += length;
  }
  return fields.length && offset === recordBytes ? fields : undefined;
}

// dBase III, IV, 5 (with or without memo), FoxBASE, FoxPro and Visual FoxPro.
const DBF_VERSIONS = new Set([0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8b, 0x8e, 0xcb, 0xf5, 0xfb]);

