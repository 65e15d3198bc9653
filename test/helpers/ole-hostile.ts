// Hostile OLE2 files made by patching a good fixture (.msg / .doc): a truncated file, a sector chain that loops, a
// directory tree that loops, a stream declaring 4 GB. Only the fields named are touched, so each has one defect.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixture = (name: string): Buffer => readFileSync(path.join(ROOT, 'fixtures/docs', name));

interface Layout {
  sectorBytes: number;
  fatSectors: number[];
  dirStart: number;
}

function layout(b: Buffer): Layout {
  const sectorBytes = 1 << b.readUInt16LE(0x1e);
  const n = b.readUInt32LE(0x2c);
  if (n > 109) throw new Error('helper handles header-only DIFAT');
  return { sectorBytes, fatSectors: Array.from({ length: n }, (_, i) => b.readUInt32LE(0x4c + 4 * i)), dirStart: b.readUInt32LE(0x30) };
}

const fatOffset = (b: Buffer, l: Layout, sector: number) =>
  (l.fatSectors[Math.floor((sector * 4) / l.sectorBytes)]! + 1) * l.sectorBytes + ((sector * 4) % l.sectorBytes);

function dirChain(b: Buffer, l: Layout): number[] {
  const out: number[] = [];
  for (let s = l.dirStart; s !== 0xfffffffe; s = b.readUInt32LE(fatOffset(b, l, s))) out.push(s);
  return out;
}

/** Offset of directory entry `id` in the file. */
function entryOffset(b: Buffer, l: Layout, id: number): number {
  const perSector = l.sectorBytes / 128;
  const s = dirChain(b, l)[Math.floor(id / perSector)]!;
  return (s + 1) * l.sectorBytes + (id % perSector) * 128;
}

function findEntry(b: Buffer, l: Layout, name: string): number {
  const count = dirChain(b, l).length * (l.sectorBytes / 128);
  for (let id = 0; id < count; id++) {
    const at = entryOffset(b, l, id);
    const len = b.readUInt16LE(at + 0x40);
    if (b[at + 0x42] !== 0 && b.subarray(at, at + Math.max(0, len - 2)).toString('utf16le') === name) return id;
  }
  throw new Error(`no entry ${name}`);
}

export function truncated(src: Buffer, keep: number): Buffer {
  return Buffer.from(src.subarray(0, keep));
}

/** The directory's last sector points back at its first: a FAT chain without an end. */
export function fatLoop(src: Buffer): { data: Buffer; sector: number } {
  const b = Buffer.from(src);
  const l = layout(b);
  const chain = dirChain(b, l);
  b.writeUInt32LE(l.dirStart, fatOffset(b, l, chain.at(-1)!));
  return { data: b, sector: l.dirStart };
}

/** The root's first child lists itself as its right sibling: the directory tree is a cycle. */
export function directoryLoop(src: Buffer): { data: Buffer; id: number; name: string } {
  const b = Buffer.from(src);
  const l = layout(b);
  const id = b.readUInt32LE(entryOffset(b, l, 0) + 0x4c);
  const at = entryOffset(b, l, id);
  b.writeUInt32LE(id, at + 0x48);
  return { data: b, id, name: b.subarray(at, at + b.readUInt16LE(at + 0x40) - 2).toString('utf16le') };
}

/** One stream's directory entry declares `bytes` (its chain is unchanged). */
export function hugeStream(src: Buffer, name: string, bytes = 0xfffffff0): Buffer {
  const b = Buffer.from(src);
  const l = layout(b);
  b.writeUInt32LE(bytes, entryOffset(b, l, findEntry(b, l, name)) + 0x78);
  return b;
}

const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** A file wrapped by Packager (the OLE Package payload: 2, name, source path, 0, 3, temp path, size, bytes). */
export function olePackage(fileName: string, data: Buffer): Buffer {
  const z = (s: string) => Buffer.from(`${s}\0`, 'latin1');
  const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
  const temp = z(`C:\\Temp\\${fileName}`);
  return Buffer.concat([u16(2), z(fileName), z(`C:\\Users\\me\\${fileName}`), u16(0), u16(3), u32le(temp.length), temp, u32le(data.length), data]);
}

/** An Ole10Native stream: the package payload after its size. */
export const ole10Native = (fileName: string, data: Buffer): Buffer => {
  const body = olePackage(fileName, data);
  return Buffer.concat([u32le(body.length), body]);
};

/** An OLE1 EmbeddedObject (MS-OLEDS 2.2.4) as RTF's \objdata holds it: header, class name, native data. */
export function ole1Object(cls: string, native: Buffer, formatId = 2): Buffer {
  const lps = (s: string) => Buffer.concat([u32le(s.length + 1), Buffer.from(`${s}\0`, 'latin1')]);
  return Buffer.concat([u32le(0x0501), u32le(formatId), lps(cls), lps(''), lps(''), u32le(native.length), native]);
}
