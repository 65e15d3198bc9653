// A zip cut short (an interrupted download or copy) loses its central directory, which is written last, and no zip
// reader opens it ("End of central directory record signature not found"). Every entry before the cut is still whole
// behind its local header, which repeats the name, method, sizes and CRC (or gives them in a data descriptor after the
// data). Those entries are collected in order and written into a fresh zip (zip-write.ts), which the usual reader then
// opens, under the usual limits: a .docx cut after its document part still reads.
import { crc32, inflateRawSync } from 'node:zlib';
import iconv from 'iconv-lite';
import type { VettedEntry } from './zip.js';
import { storedEntry, writeZip } from './zip-write.js';

const LOCAL_HEADER = 0x04034b50;
const DESCRIPTOR = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const LOCAL_HEADER_BYTES = 30;
const ENCRYPTED = 0x0001;
const SIZES_AFTER_DATA = 0x0008;
const UTF8_NAME = 0x0800;
// Sizes of 0xFFFFFFFF are in a zip64 extra field: such entries (4 GB and more) are past every limit anyway.
const ZIP64 = 0xffffffff;
const ZIP64_EXTRA = 0x0001;

export interface SalvagedZip {
  /** The new zip; undefined when every entry found whole was left out. */
  data?: Buffer;
  /** Entries found whole. */
  entries: number;
  /** Entries found whole but left out: encrypted, or in a compression method other than stored and deflate. */
  skipped: number;
  /** Of those, the encrypted ones. */
  encrypted: number;
}

/** The whole entries before the damage, as a new zip; undefined when no entry was found whole. */
export function salvageZip(buf: Buffer, maxEntries: number): SalvagedZip | undefined {
  const entries: VettedEntry[] = [];
  let skipped = 0;
  let encrypted = 0;
  let at = buf.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  while (at >= 0 && at + LOCAL_HEADER_BYTES <= buf.length && buf.readUInt32LE(at) === LOCAL_HEADER && entries.length + skipped < maxEntries) {
    const flags = buf.readUInt16LE(at + 6);
    const method = buf.readUInt16LE(at + 8);
    const nameStart = at + LOCAL_HEADER_BYTES;
    const dataStart = nameStart + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    if (dataStart > buf.length) break;
    const sizes = flags & SIZES_AFTER_DATA ? descriptorAfter(buf, dataStart, hasZip64Extra(buf, nameStart + buf.readUInt16LE(at + 26), dataStart)) : {
      crc: buf.readUInt32LE(at + 14), compressed: buf.readUInt32LE(at + 18), size: buf.readUInt32LE(at + 22), end: dataStart + buf.readUInt32LE(at + 18),
    };
    if (!sizes || sizes.compressed === ZIP64 || sizes.size === ZIP64 || sizes.end > buf.length) break;
    // Without the UTF-8 flag a name is in CP437, as the format says and the usual reader (yauzl) decodes it.
    const nameBytes = buf.subarray(nameStart, nameStart + buf.readUInt16LE(at + 26));
    const name = flags & UTF8_NAME ? nameBytes.toString('utf8') : iconv.decode(nameBytes, 'cp437');
    if (flags & ENCRYPTED) encrypted++;
    if (flags & ENCRYPTED || (method !== 0 && method !== 8)) skipped++;
    else entries.push({ name, method, crc: sizes.crc, size: sizes.size, compressed: buf.subarray(dataStart, dataStart + sizes.compressed) });
    at = sizes.end;
  }
  if (!entries.length && !skipped) return undefined;
  return { data: entries.length ? writeZip(entries) : undefined, entries: entries.length, skipped, encrypted };
}

/**
 * The sizes a data descriptor gives after an entry's data: the first descriptor whose compressed size is the distance
 * from the data's start (the signature's bytes can occur inside compressed data). Undefined when the cut came first.
 */
function descriptorAfter(buf: Buffer, dataStart: number, zip64: boolean): { crc: number; compressed: number; size: number; end: number } | undefined {
  // An entry with a zip64 extra field gives 8-byte sizes in its descriptor (24 bytes, not 16).
  const bytes = zip64 ? 24 : 16;
  for (let p = buf.indexOf(DESCRIPTOR, dataStart); p >= 0 && p + bytes <= buf.length; p = buf.indexOf(DESCRIPTOR, p + 1)) {
    const compressed = zip64 ? Number(buf.readBigUInt64LE(p + 8)) : buf.readUInt32LE(p + 8);
    if (compressed !== p - dataStart) continue;
    const size = zip64 ? Number(buf.readBigUInt64LE(p + 16)) : buf.readUInt32LE(p + 12);
    // Past 4 GB: over every limit, read as the end of what can be salvaged.
    return { crc: buf.readUInt32LE(p + 4), compressed, size: size >= ZIP64 ? ZIP64 : size, end: p + bytes };
  }
  return undefined;
}

/** Whether a local header's extra fields (from `start` to `end`) hold a zip64 one (id 0x0001). */
function hasZip64Extra(buf: Buffer, start: number, end: number): boolean {
  for (let p = start; p + 4 <= end; p += 4 + buf.readUInt16LE(p + 2)) {
    if (buf.readUInt16LE(p) === ZIP64_EXTRA) return true;
  }
  return false;
}

// An Office package's main part, by the name it has in each kind, and its content type.
const MAIN_PARTS: [string, string][] = [
  ['word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'],
  ['xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'],
  ['ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'],
];
const CONTENT_TYPES = '[Content_Types].xml';

/**
 * An Office package read from the entries before the damage, made whole enough for SheetJS, which fails outright on a
 * package without its content-types part, and on a part that part lists but the package lacks ("Cannot find file
 * xl/styles.xml"): such listings are dropped, and a missing [Content_Types].xml is written with the main part's type.
 * Relationships stay: mammoth finds a picture by its relationship, and reads no part it cannot find.
 */
export function repairPackage(entries: VettedEntry[]): VettedEntry[] {
  const names = new Set(entries.map((e) => e.name));
  const out = entries.map((e) => (e.name === CONTENT_TYPES && e.size ? withoutMissingParts(e, names) : e));
  if (!names.has(CONTENT_TYPES) && [...names].some((n) => n.endsWith('.xml'))) {
    const main = MAIN_PARTS.find(([part]) => names.has(part));
    const override = main ? `<Override PartName="/${main[0]}" ContentType="${main[1]}"/>` : '';
    out.push(storedEntry(CONTENT_TYPES, '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
      + `${override}</Types>`));
  }
  return out;
}

function withoutMissingParts(e: VettedEntry, names: Set<string>): VettedEntry {
  const xml = (e.method === 8 ? inflateRawSync(e.compressed) : e.compressed).toString('utf8');
  const kept = withoutOverrides(xml, (part) => !names.has(part));
  return kept === xml ? e : storedEntry(e.name, kept);
}

/**
 * The content types with the `<Override>` of each part `drop` names left out. A scan, not one pattern: a lazy
 * `<Override[^>]*?>` rescans to the end from every `<Override` that has no `>`, quadratic on a hostile part.
 */
export function withoutOverrides(xml: string, drop: (part: string) => boolean): string {
  let out = '';
  let from = 0;
  for (let at = xml.indexOf('<Override'), next = 0; at >= 0; at = xml.indexOf('<Override', next)) {
    next = at + 1;
    if (/[\w:.-]/.test(xml[at + 9] ?? '')) continue;
    const end = xml.indexOf('>', at);
    if (end < 0) break;
    // Each `>` is looked for once: the next tag starts after this one's end.
    next = end + 1;
    let stop = end + 1;
    if (xml[end - 1] !== '/') stop += /^\s*<\/Override>/.exec(xml.slice(stop, stop + 64))?.[0].length ?? 0;
    const part = /\bPartName\s*=\s*["']\/?([^"']*)["']/.exec(xml.slice(at, end))?.[1];
    if (part === undefined || !drop(part)) continue;
    out += xml.slice(from, at);
    from = stop;
  }
  return from ? out + xml.slice(from) : xml;
}

