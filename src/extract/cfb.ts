// OLE2 / Compound File Binary (MS-CFB) reader that validates the whole structure before any parser (.msg, .doc) sees it.
//
// The parsers docproc hands OLE2 files to follow sector chains and directory links without checking them: a chain
// that loops, a directory that points back at itself, or a stream that declares 4 GB would hang or exhaust them.
// parseCfb walks every chain and every directory link once, with visited sets, and checks every size against what
// the file can hold, so a file that passes is finite and in bounds; one that doesn't fails with what is wrong.

export const FREESECT = 0xffffffff;
export const ENDOFCHAIN = 0xfffffffe;
const MAXREGSECT = 0xfffffffa;
const NOSTREAM = 0xffffffff;
export const CFB_SIGNATURE = Buffer.from('d0cf11e0a1b11ae1', 'hex');

/** Whether the bytes start as a compound file does (they may still be damaged: parseCfb says). */
export const isCompoundFile = (b: Buffer): boolean => b.length >= 8 && b.subarray(0, 8).equals(CFB_SIGNATURE);
const DIR_ENTRY_BYTES = 128;
export const MINI_SECTOR_BYTES = 64;
export const MINI_CUTOFF = 4096;
// Parsers recurse per storage level; real files nest a few levels (a message attached to a message ...).
const MAX_STORAGE_DEPTH = 64;

/** A structural defect; the extractors report it as `failed: corrupt`. */
export class CfbError extends Error {
  constructor(detail: string) {
    super(`OLE2 ${detail}`);
    this.name = 'CfbError';
  }
}

export interface CfbEntry {
  id: number;
  name: string;
  kind: 'root' | 'storage' | 'stream';
  start: number;
  size: number;
  /** Child entry ids (storages only), in directory order. */
  children: number[];
}

export interface Cfb {
  root: CfbEntry;
  entries: Map<number, CfbEntry>;
  /** The bytes of a stream entry. */
  read(entry: CfbEntry): Buffer;
}

interface Geometry {
  buf: Buffer;
  sectorBytes: number;
  /** Sectors that start inside the file. */
  sectors: number;
}

/** Parses and validates an OLE2 file held in memory; throws CfbError on any structural defect. */
export function parseCfb(buf: Buffer): Cfb {
  if (buf.length < 512 || !isCompoundFile(buf)) throw new CfbError('header: not a compound file');
  const major = buf.readUInt16LE(0x1a);
  const shift = buf.readUInt16LE(0x1e);
  if (buf.readUInt16LE(0x1c) !== 0xfffe) throw new CfbError('header: bad byte order mark');
  if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) throw new CfbError(`header: version ${major} with sector shift ${shift}`);
  if (buf.readUInt16LE(0x20) !== 6) throw new CfbError('header: mini sector shift is not 6');
  const sectorBytes = 1 << shift;
  if (buf.length < sectorBytes) throw new CfbError(`truncated: ${buf.length} bytes, shorter than its ${sectorBytes}-byte header`);
  const g: Geometry = { buf, sectorBytes, sectors: Math.ceil((buf.length - sectorBytes) / sectorBytes) };
  const fat = readFat(g);
  const owner = new Map<number, string>(); // sector -> what uses it: two users of one sector are an overlap
  const chain = (start: number, what: string, minBytes = 0) => walkChain(g, fat, owner, start, what, minBytes);
  const dirSectors = chain(buf.readUInt32LE(0x30), 'the directory');
  const raw = readDirectory(readChain(g, dirSectors, dirSectors.length * sectorBytes));
  const root = raw.get(0);
  if (!root || root.kind !== 'root') throw new CfbError('directory: entry 0 is not the root');
  const entries = linkTree(raw);
  const miniFatBytes = buf.readUInt32LE(0x40) * sectorBytes;
  const miniFat = miniFatBytes ? u32s(readChain(g, chain(buf.readUInt32LE(0x3c), 'the mini FAT', miniFatBytes), miniFatBytes)) : new Uint32Array(0);
  if (root.size > buf.length) throw new CfbError(`the mini stream declares ${root.size} bytes in a ${buf.length}-byte file`);
  const miniStream = root.size ? readChain(g, chain(root.start, 'the mini stream', root.size), root.size) : Buffer.alloc(0);
  const miniOwner = new Map<number, string>();
  const layout = new Map<number, number[]>(); // entry id -> its sectors (regular) or mini sectors
  for (const e of entries.values()) {
    if (e.kind !== 'stream' || e.size === 0) continue;
    const what = `stream '${printable(e.name)}'`;
    if (e.size > buf.length) throw new CfbError(`${what} declares ${e.size} bytes in a ${buf.length}-byte file`);
    if (e.size < MINI_CUTOFF) layout.set(e.id, walkMiniChain(miniFat, miniStream.length, miniOwner, e.start, what, e.size));
    else layout.set(e.id, chain(e.start, what, e.size));
  }
  return {
    root,
    entries,
    read(entry) {
      const sectors = layout.get(entry.id);
      if (entry.kind !== 'stream' || !sectors) return Buffer.alloc(0);
      if (entry.size >= MINI_CUTOFF) return readChain(g, sectors, entry.size);
      return Buffer.concat(sectors.map((s) => miniStream.subarray(s * MINI_SECTOR_BYTES, (s + 1) * MINI_SECTOR_BYTES))).subarray(0, entry.size);
    },
  };
}

/** The FAT: its sector ids come from the header's 109 DIFAT slots, then the DIFAT sector chain. */
function readFat(g: Geometry): Uint32Array {
  const { buf, sectorBytes } = g;
  const fatSectors = buf.readUInt32LE(0x2c);
  // A FAT larger than the file could address is a lie; bounding it keeps the allocation honest.
  if (fatSectors > g.sectors) throw new CfbError(`header: ${fatSectors} FAT sectors declared in a ${g.sectors}-sector file`);
  const ids: number[] = [];
  for (let i = 0; i < 109 && ids.length < fatSectors; i++) ids.push(buf.readUInt32LE(0x4c + i * 4));
  let difat = buf.readUInt32LE(0x44);
  const seen = new Set<number>();
  const perSector = sectorBytes / 4 - 1;
  while (ids.length < fatSectors) {
    if (difat > MAXREGSECT) throw new CfbError(`header: ${fatSectors} FAT sectors declared, the DIFAT lists ${ids.length}`);
    if (seen.has(difat)) throw new CfbError(`sector chain loop: sector ${difat} repeats in the DIFAT`);
    seen.add(difat);
    const s = sector(g, difat, 'DIFAT');
    for (let i = 0; i < perSector && ids.length < fatSectors; i++) ids.push(s.readUInt32LE(i * 4));
    difat = s.readUInt32LE(perSector * 4);
  }
  return u32s(Buffer.concat(ids.map((id) => sector(g, id, 'FAT'))));
}

/** Follows a FAT chain from `start`; every sector must be in the file, used once, and the chain must end. */
function walkChain(g: Geometry, fat: Uint32Array, owner: Map<number, string>, start: number, what: string, minBytes: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  let s = start;
  while (s !== ENDOFCHAIN) {
    if (s > MAXREGSECT || s >= fat.length) throw new CfbError(`${what}: bad sector id ${s === FREESECT ? 'FREESECT' : s} in its chain`);
    if (s >= g.sectors) throw new CfbError(`truncated: sector ${s} of ${what} lies past the end of the file (${g.buf.length} bytes)`);
    if (seen.has(s)) throw new CfbError(`sector chain loop: sector ${s} repeats in the chain of ${what}`);
    const prev = owner.get(s);
    if (prev) throw new CfbError(`sector ${s} is used by both ${prev} and ${what}`);
    seen.add(s);
    owner.set(s, what);
    out.push(s);
    s = fat[s]!;
  }
  const need = Math.ceil(minBytes / g.sectorBytes);
  if (out.length < need) throw new CfbError(`${what} declares ${minBytes} bytes but its chain holds ${out.length * g.sectorBytes}`);
  // The last sector may be cut short at the end of the file; the bytes the entry needs must be there.
  const last = out[need - 1];
  if (last !== undefined && g.sectorBytes * (last + 1) + (minBytes - (need - 1) * g.sectorBytes) > g.buf.length) {
    throw new CfbError(`truncated: ${what} runs past the end of the file (${g.buf.length} bytes)`);
  }
  return out;
}

function walkMiniChain(miniFat: Uint32Array, miniBytes: number, owner: Map<number, string>, start: number, what: string, size: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  let held = 0;
  let s = start;
  while (s !== ENDOFCHAIN) {
    if (s > MAXREGSECT || s >= miniFat.length) throw new CfbError(`${what}: bad mini sector id ${s} in its chain`);
    if (s * MINI_SECTOR_BYTES >= miniBytes) throw new CfbError(`${what}: mini sector ${s} lies past the end of the mini stream`);
    if (seen.has(s)) throw new CfbError(`sector chain loop: mini sector ${s} repeats in the chain of ${what}`);
    const prev = owner.get(s);
    if (prev) throw new CfbError(`mini sector ${s} is used by both ${prev} and ${what}`);
    seen.add(s);
    owner.set(s, what);
    out.push(s);
    held += Math.min(MINI_SECTOR_BYTES, miniBytes - s * MINI_SECTOR_BYTES);
    s = miniFat[s]!;
  }
  if (held < size) throw new CfbError(`${what} declares ${size} bytes but its mini chain holds ${held}`);
  return out;
}

function sector(g: Geometry, id: number, what: string): Buffer {
  const at = (id + 1) * g.sectorBytes;
  if (id > MAXREGSECT || at + g.sectorBytes > g.buf.length) {
    throw new CfbError(`truncated: ${what} sector ${id} lies past the end of the file (${g.buf.length} bytes)`);
  }
  return g.buf.subarray(at, at + g.sectorBytes);
}

function readChain(g: Geometry, sectors: number[], bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let done = 0;
  for (const s of sectors) {
    if (done >= bytes) break;
    const at = (s + 1) * g.sectorBytes;
    done += g.buf.copy(out, done, at, Math.min(at + g.sectorBytes, at + bytes - done));
  }
  return out;
}

interface RawEntry extends CfbEntry {
  left: number;
  right: number;
  child: number;
}

function readDirectory(dir: Buffer): Map<number, RawEntry> {
  const out = new Map<number, RawEntry>();
  for (let id = 0; (id + 1) * DIR_ENTRY_BYTES <= dir.length; id++) {
    const e = dir.subarray(id * DIR_ENTRY_BYTES, (id + 1) * DIR_ENTRY_BYTES);
    const type = e[0x42];
    if (type === 0) continue;
    const kind = type === 5 ? 'root' : type === 1 ? 'storage' : type === 2 ? 'stream' : undefined;
    if (!kind) throw new CfbError(`directory: entry ${id} has unknown type ${type}`);
    const nameBytes = Math.min(e.readUInt16LE(0x40), 64);
    const name = e.subarray(0, Math.max(0, nameBytes - 2)).toString('utf16le');
    // Version 3 files may leave garbage in the size's high word (MS-CFB 2.6.3): only the low 32 bits count.
    const size = e.readUInt32LE(0x78);
    out.set(id, { id, name, kind, start: e.readUInt32LE(0x74), size, children: [], left: e.readUInt32LE(0x44), right: e.readUInt32LE(0x48), child: e.readUInt32LE(0x4c) });
  }
  return out;
}

/** Fills `children` from the sibling trees and returns the reachable entries; reaching one twice is a loop. */
function linkTree(entries: Map<number, RawEntry>): Map<number, CfbEntry> {
  const reached = new Map<number, CfbEntry>([[0, entries.get(0)!]]);
  const storages: [RawEntry, number][] = [[entries.get(0)!, 0]];
  while (storages.length) {
    const [parent, depth] = storages.pop()!;
    if (depth > MAX_STORAGE_DEPTH) throw new CfbError(`directory: storages nested deeper than ${MAX_STORAGE_DEPTH} levels`);
    const stack = parent.child === NOSTREAM ? [] : [parent.child];
    while (stack.length) {
      const id = stack.pop()!;
      const e = entries.get(id);
      if (!e) throw new CfbError(`directory: '${printable(parent.name)}' links to missing entry ${id}`);
      if (e.kind === 'root') throw new CfbError(`directory loop: entry ${id} (the root) is linked from '${printable(parent.name)}'`);
      if (reached.has(id)) throw new CfbError(`directory loop: entry ${id} ('${printable(e.name)}') is reached twice`);
      reached.set(id, e);
      parent.children.push(id);
      if (e.kind === 'storage') storages.push([e, depth + 1]);
      for (const next of [e.right, e.left]) if (next !== NOSTREAM) stack.push(next);
    }
  }
  return reached;
}

/** Stream names start with control characters ("\u0005SummaryInformation"): shown escaped in messages. */
function printable(name: string): string {
  return name.replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function u32s(b: Buffer): Uint32Array {
  const out = new Uint32Array(b.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = b.readUInt32LE(i * 4);
  return out;
}

/** The first-level entry names of the root storage. */
export function rootNames(cfb: Cfb): string[] {
  return cfb.root.children.map((id) => cfb.entries.get(id)!.name);
}

/** A child of a storage by name, compared without regard to case as MS-CFB says names compare. */
export function childEntry(cfb: Cfb, storage: CfbEntry, name: string): CfbEntry | undefined {
  const want = name.toUpperCase();
  for (const id of storage.children) {
    const e = cfb.entries.get(id)!;
    if (e.name.toUpperCase() === want) return e;
  }
  return undefined;
}

/** A first-level entry of the root storage by name, in any case. */
export const rootEntry = (cfb: Cfb, name: string): CfbEntry | undefined => childEntry(cfb, cfb.root, name);
