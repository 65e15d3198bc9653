// A minimal MS-CFB writer (version 3, 512-byte sectors): a storage found inside a compound file (a Word document
// embedded in a Word document) written out as a file of its own, so its extractor can read it like any other.
// msgreader's writer (Burner) was tried first: it shifted every stream after an empty one onto the wrong bytes.

import { CFB_SIGNATURE, ENDOFCHAIN, FREESECT, MINI_CUTOFF, MINI_SECTOR_BYTES } from './cfb.js';

const SECTOR = 512;
const FATSECT = 0xfffffffd;
const HEADER_FAT_SLOTS = 109;

/** A storage: its streams (bytes) and sub-storages, by name. */
export type CfbTree = Map<string, Buffer | CfbTree>;

interface Node {
  name: string;
  type: 1 | 2 | 5;
  data: Buffer;
  kids: number[];
  start: number;
  size: number;
  left: number;
  right: number;
  child: number;
}

const sectors = (bytes: number, unit = SECTOR) => Math.ceil(bytes / unit);

/** Serialises a storage tree; undefined when it would need more FAT than the header addresses (about 7 MB). */
export function writeCfb(tree: CfbTree): Buffer | undefined {
  const nodes: Node[] = [];
  const node = (name: string, type: Node['type'], data: Buffer = Buffer.alloc(0)): number =>
    nodes.push({ name, type, data, kids: [], start: ENDOFCHAIN, size: data.length, left: FREESECT, right: FREESECT, child: FREESECT }) - 1;
  const add = (t: CfbTree, parent: number) => {
    for (const [name, v] of t) {
      const i = Buffer.isBuffer(v) ? node(name, 2, v) : node(name, 1);
      nodes[parent]!.kids.push(i);
      if (!Buffer.isBuffer(v)) add(v, i);
    }
  };
  add(tree, node('Root Entry', 5));

  // Streams under the cutoff live in the mini stream, in 64-byte mini sectors chained by the mini FAT.
  const miniFat: number[] = [];
  const mini: Buffer[] = [];
  for (const n of nodes) {
    if (n.type !== 2 || n.size === 0 || n.size >= MINI_CUTOFF) continue;
    const count = sectors(n.size, MINI_SECTOR_BYTES);
    n.start = miniFat.length;
    for (let i = 1; i < count; i++) miniFat.push(n.start + i);
    miniFat.push(ENDOFCHAIN);
    mini.push(n.data, Buffer.alloc(count * MINI_SECTOR_BYTES - n.size));
  }
  const miniBytes = Buffer.concat(mini);
  const big = nodes.filter((n) => n.type === 2 && n.size >= MINI_CUTOFF);
  const dirSectors = sectors(nodes.length * 128);
  const miniFatSectors = sectors(miniFat.length * 4);
  const used = dirSectors + miniFatSectors + sectors(miniBytes.length) + big.reduce((s, n) => s + sectors(n.size), 0);
  let fatSectors = 1;
  while (fatSectors * (SECTOR / 4) < fatSectors + used) fatSectors++;
  if (fatSectors > HEADER_FAT_SLOTS) return undefined;

  const fat: number[] = new Array<number>(fatSectors).fill(FATSECT);
  const body: Buffer[] = [];
  const chain = (data: Buffer) => {
    const count = sectors(data.length);
    const start = fat.length;
    for (let i = 1; i < count; i++) fat.push(start + i);
    fat.push(ENDOFCHAIN);
    body.push(data, Buffer.alloc(count * SECTOR - data.length));
    return start;
  };
  const dirAt = body.length;
  const dirStart = chain(Buffer.alloc(dirSectors * SECTOR)); // filled in below, once every start sector is known
  const miniFatStart = miniFat.length ? chain(packU32s(miniFat)) : ENDOFCHAIN;
  nodes[0]!.start = miniBytes.length ? chain(miniBytes) : ENDOFCHAIN;
  nodes[0]!.size = miniBytes.length;
  for (const n of big) n.start = chain(n.data);

  // Siblings form a binary search tree ordered as MS-CFB says: by name length, then upper-cased name.
  const bst = (ids: number[]): number => {
    if (!ids.length) return FREESECT;
    const mid = ids.length >> 1;
    const n = nodes[ids[mid]!]!;
    n.left = bst(ids.slice(0, mid));
    n.right = bst(ids.slice(mid + 1));
    return ids[mid]!;
  };
  for (const n of nodes) {
    const kids = [...n.kids].sort((a, b) => {
      const x = nodes[a]!.name;
      const y = nodes[b]!.name;
      return x.length - y.length || (x.toUpperCase() < y.toUpperCase() ? -1 : x.toUpperCase() > y.toUpperCase() ? 1 : 0);
    });
    n.child = bst(kids);
  }
  const dir = Buffer.alloc(dirSectors * SECTOR);
  nodes.forEach((n, i) => {
    const at = i * 128;
    const name = Buffer.from(n.name.slice(0, 31), 'utf16le');
    name.copy(dir, at);
    dir.writeUInt16LE(name.length + 2, at + 64);
    dir[at + 66] = n.type;
    dir[at + 67] = 1; // black
    dir.writeUInt32LE(n.left, at + 68);
    dir.writeUInt32LE(n.right, at + 72);
    dir.writeUInt32LE(n.child, at + 76);
    const hasData = n.type === 5 || n.size > 0;
    dir.writeUInt32LE(n.type === 1 || !hasData ? 0 : n.start, at + 116);
    dir.writeBigUInt64LE(BigInt(n.size), at + 120);
  });
  body[dirAt] = dir;

  const header = Buffer.alloc(SECTOR);
  CFB_SIGNATURE.copy(header, 0);
  header.writeUInt16LE(0x3e, 0x18);
  header.writeUInt16LE(3, 0x1a);
  header.writeUInt16LE(0xfffe, 0x1c);
  header.writeUInt16LE(9, 0x1e);
  header.writeUInt16LE(6, 0x20);
  header.writeUInt32LE(fatSectors, 0x2c);
  header.writeUInt32LE(dirStart, 0x30);
  header.writeUInt32LE(MINI_CUTOFF, 0x38);
  header.writeUInt32LE(miniFatStart, 0x3c);
  header.writeUInt32LE(miniFat.length ? miniFatSectors : 0, 0x40);
  header.writeUInt32LE(ENDOFCHAIN, 0x44);
  for (let i = 0; i < HEADER_FAT_SLOTS; i++) header.writeUInt32LE(i < fatSectors ? i : FREESECT, 0x4c + 4 * i);
  const fatBytes = packU32s([...fat, ...new Array<number>(fatSectors * (SECTOR / 4) - fat.length).fill(FREESECT)]);
  return Buffer.concat([header, fatBytes, ...body]);
}

function packU32s(xs: number[]): Buffer {
  const b = Buffer.alloc(xs.length * 4);
  xs.forEach((x, i) => b.writeUInt32LE(x >>> 0, i * 4));
  return b;
}
