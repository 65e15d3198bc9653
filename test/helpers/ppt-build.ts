// Minimal PowerPoint 97 files laid out record by record (MS-PPT), for the cases no tool writes: a broken edit history,
// a loop in it, a password-protected header, nesting thousands deep, a compressed object that lies about its size.
import { deflateSync } from 'node:zlib';
import { writeCfb, type CfbTree } from '../../src/extract/cfb-write.js';

/** A record: an atom (bytes) or a container (records), with its type, instance and version. */
export function rec(type: number, body: Buffer | Buffer[], instance = 0): Buffer {
  const container = Array.isArray(body);
  const data = container ? Buffer.concat(body) : body;
  const head = Buffer.alloc(8);
  head.writeUInt16LE(((instance & 0xfff) << 4) | (container ? 0xf : 0), 0);
  head.writeUInt16LE(type, 2);
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data]);
}

const u32 = (...v: number[]) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32LE(x >>> 0); return b; }));
export const chars = (s: string) => rec(0x0fa0, Buffer.from(s, 'utf16le'));
export const bytes = (s: string) => rec(0x0fa8, Buffer.from(s, 'latin1'));
const header = (kind: number) => rec(0x0f9f, u32(kind));
const textbox = (...inner: Buffer[]) => rec(0xf00d, inner);
/** A shape; `placeholder` is its PlaceholderEnum (8: slide number). */
export const shape = (box: Buffer, placeholder?: number) =>
  rec(0xf004, [...(placeholder === undefined ? [] : [rec(0xf011, [rec(0x0bc3, Buffer.from([0, 0, 0, 0, placeholder, 0, 0, 0]))])]), box]);
export const textShape = (text: Buffer, placeholder?: number) => shape(textbox(header(4), text), placeholder);
/** A shape showing the slide list's text number `i`. */
export const outlineShape = (i: number) => shape(textbox(rec(0x0f9e, u32(i))));

export interface Deck {
  /** Placeholder text kept in the document's slide list, one array per slide. */
  listed: string[][];
  /** Each slide's shapes. */
  shapes: Buffer[][];
  /** Extra top-level records (an embedded object), appended to the persist directory after the slides. */
  extra?: Buffer[];
  /** Current User's header token (0xF3D1C4DF: encrypted). */
  token?: number;
  /** The edit's link to the edit before it: its own offset makes a loop. */
  selfLoop?: boolean;
  noCurrentUser?: boolean;
  /** Forged: this many more slide-list entries naming the first slide, and persist ids naming the first extra record. */
  aliases?: number;
  /** JPEG files for the Pictures stream. */
  pictures?: Buffer[];
  /** Each master's shapes (main masters, listed in the document's master list). */
  masters?: Buffer[][];
  /** More records in the Document container (a HeadersFootersContainer). */
  documentExtra?: Buffer[];
}

/** A .ppt: the document and its slides, one edit with its persist directory, and Current User pointing at it. */
export function buildPpt(d: Deck): Buffer {
  const slideIds = d.listed.map((_, i) => 256 + i);
  const aliases = Array.from({ length: d.aliases ?? 0 }, () => rec(0x03f3, u32(2, 0, 0, slideIds[0]!, 0)));
  const list = rec(0x0ff0, [...d.listed.flatMap((texts, i) => [
    rec(0x03f3, u32(2 + i, 0, texts.length, slideIds[i]!, 0)),
    ...texts.flatMap((t) => [header(0), chars(t)]),
  ]), ...aliases], 0);
  const slides = d.shapes.map((shapes) => rec(0x03ee, [rec(0x03ef, Buffer.alloc(24)), rec(0x040c, [rec(0xf002, [rec(0xf003, shapes)])])]));
  const masters = (d.masters ?? []).map((shapes) => rec(0x03f8, [rec(0x040c, [rec(0xf002, [rec(0xf003, shapes)])])]));
  const masterList = rec(0x0ff0, masters.map((_, i) => rec(0x03f3, u32(2 + slides.length + i, 0, 0, 0x80000000 + i, 0))), 1);
  const document = rec(0x03e8, [rec(0x03e9, Buffer.alloc(40)), ...(masters.length ? [masterList] : []), list, ...(d.documentExtra ?? [])]);
  const tops = [document, ...slides, ...masters, ...(d.extra ?? [])];
  const offsets: number[] = [];
  let at = 0;
  for (const t of tops) {
    offsets.push(at);
    at += t.length;
  }
  const extraAt = offsets[1 + slides.length + masters.length];
  const aliased = d.aliases && extraAt !== undefined ? Array.from({ length: d.aliases }, () => extraAt) : [];
  const dir = rec(0x1772, Buffer.concat([u32((offsets.length << 20) | 1), u32(...offsets),
    ...(aliased.length ? [u32((aliased.length << 20) | (offsets.length + 1)), u32(...aliased)] : [])]));
  const dirAt = at;
  const editAt = dirAt + dir.length;
  const edit = rec(0x0ff5, u32(0, 0x03000000, d.selfLoop ? editAt : 0, dirAt, 1, offsets.length + aliased.length + 1, 0));
  const stream = Buffer.concat([...tops, dir, edit]);
  const tree: CfbTree = new Map([['PowerPoint Document', stream]]);
  // A JPEG BLIP with one id (instance 0x46A): the id, a tag byte, the file.
  if (d.pictures) tree.set('Pictures', Buffer.concat(d.pictures.map((jpeg) => rec(0xf01d, Buffer.concat([Buffer.alloc(16, 7), Buffer.from([0xff]), jpeg]), 0x46a))));
  if (!d.noCurrentUser) tree.set('Current User', rec(0x0ff6, Buffer.concat([u32(0x14, d.token ?? 0xe391c05f, editAt), Buffer.alloc(12)])));
  return writeCfb(tree)!;
}

/** An embedded object record: a compound file, zlib-compressed, that declares `declared` bytes inflated. */
export function compressedObject(inner: Buffer, declared = inner.length): Buffer {
  return rec(0x1011, Buffer.concat([u32(declared), deflateSync(inner)]), 1);
}

/** Containers nested `depth` deep with a text atom at the bottom (headers written in place: no copying per level). */
export function nested(depth: number): Buffer {
  const leaf = chars('deep text');
  const out = Buffer.alloc(depth * 8 + leaf.length);
  for (let i = 0; i < depth; i++) {
    out.writeUInt16LE(0xf, i * 8);
    out.writeUInt16LE(0xf003, i * 8 + 2);
    out.writeUInt32LE(out.length - (i + 1) * 8, i * 8 + 4);
  }
  leaf.copy(out, depth * 8);
  return out;
}
