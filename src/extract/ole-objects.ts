// Objects embedded in a Word .doc (its ObjectPool storage): a file dropped in as a package, a PDF or RTF object, an
// Office 2007+ document, a whole Word 97 document. Each becomes an attachment, read by its own extractor under the
// parent's limits (attachments.ts), as a message's attachments are. Links and pictures of objects carry no text.
import type { Cfb, CfbEntry } from './cfb.js';
import { childEntry, isCompoundFile, parseCfb, rootEntry } from './cfb.js';
import type { Attachment } from './attachments.js';
import { writeCfb, type CfbTree } from './cfb-write.js';

/** The embedded objects of a compound document that hold a file, in the order they were inserted. */
export function embeddedObjects(cfb: Cfb): Attachment[] {
  const pool = rootEntry(cfb, 'ObjectPool');
  if (!pool || pool.kind !== 'storage') return [];
  const out: Attachment[] = [];
  // Word names each object "_" and a number that grows as objects are inserted: roughly the order a reader meets them.
  const order = (name: string) => (/^_\d+$/.test(name) ? Number(name.slice(1)) : Infinity);
  const objects = pool.children.map((id) => cfb.entries.get(id)!).filter((e) => e.kind === 'storage');
  objects.sort((a, b) => order(a.name) - order(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const obj of objects) {
    const found = oleObjectFile(cfb, obj, `embedded object ${out.length + 1}`);
    if (found) out.push(found);
  }
  return out;
}

/**
 * The file an OLE object's storage holds, if any. It is named by the packaged file's name, else `name` when the caller
 * knows one (a message's attachment name), else its CompObj user type, else `fallback`.
 */
export function oleObjectFile(cfb: Cfb, obj: CfbEntry, fallback: string, name?: string): Attachment | undefined {
  const child = (n: string) => childEntry(cfb, obj, n);
  const label = name ?? userType(cfb, child('\u0001CompObj')) ?? fallback;
  // OLE1 native data is a file only when Packager wrapped one; otherwise it is an application's private format
  // (an Equation 3.0 formula, a Paintbrush picture), with no text to read.
  const native = child('\u0001Ole10Native');
  if (native?.kind === 'stream') return packageFile(ole10Data(cfb.read(native)));
  // A whole compound document (Word, Excel, PowerPoint 97-2003) stored as the object's own storage.
  if (['WordDocument', 'Workbook', 'Book', 'PowerPoint Document'].some((s) => child(s)?.kind === 'stream')) {
    const bytes = storageAsFile(cfb, obj);
    return bytes ? { name: label, bytes } : { name: label, bytes: Buffer.alloc(0), unreadable: 'not read: too large to rewrite as a file of its own' };
  }
  // Office 2007+ documents ("Package"), and objects whose native data is a file (Acrobat's PDF, WordPad's RTF).
  for (const s of ['Package', 'CONTENTS']) {
    const e = child(s);
    if (e?.kind === 'stream' && e.size) return { name: label, bytes: cfb.read(e) };
  }
  return undefined;
}

/** CompObj's user type ("Acrobat Document", "Microsoft Office Word Document"): the object's name when it has no file name. */
function userType(cfb: Cfb, e: CfbEntry | undefined): string | undefined {
  if (e?.kind !== 'stream') return undefined;
  const b = cfb.read(e);
  // A 28-byte header, then AnsiUserType: a length-prefixed, NUL-terminated ANSI string.
  if (b.length < 32) return undefined;
  const len = b.readUInt32LE(28);
  if (len < 2 || len > 256 || 32 + len > b.length) return undefined;
  const s = b.subarray(32, 32 + len - 1).toString('latin1').trim();
  return /^[\x20-\x7e\xa0-\xff]+$/.test(s) ? s : undefined;
}

/** The data of an OLE1 native stream: a 4-byte size, then that many bytes. */
function ole10Data(b: Buffer): Buffer {
  if (b.length < 4) return Buffer.alloc(0);
  return b.subarray(4, 4 + Math.min(b.readUInt32LE(0), b.length - 4));
}

/**
 * An OLE Package (Packager's Ole10Native, after its size): 2, the file's name and path (NUL-terminated), 0 and 3, the temp path
 * (length-prefixed), then the file's size and bytes. Anything that does not add up is not a package.
 */
function packageFile(data: Buffer): Attachment | undefined {
  let at = 0;
  const u16 = () => (at + 2 <= data.length ? data.readUInt16LE((at += 2) - 2) : -1);
  const u32 = () => (at + 4 <= data.length ? data.readUInt32LE((at += 4) - 4) : -1);
  const zstr = () => {
    const end = data.indexOf(0, at);
    if (end < 0) return undefined;
    const s = data.subarray(at, end).toString('latin1');
    at = end + 1;
    return s;
  };
  if (u16() !== 2) return undefined;
  const label = zstr();
  const source = zstr();
  if (label === undefined || source === undefined) return undefined;
  u16(); // reserved
  if (u16() !== 3) return undefined; // 3: the file itself is embedded (1 would be a link)
  const tempLen = u32();
  if (tempLen < 0 || at + tempLen > data.length) return undefined;
  at += tempLen;
  const size = u32();
  if (size < 0 || at + size > data.length) return undefined;
  const name = (label || source.split(/[\\/]/).pop() || 'package').trim();
  return { name, bytes: data.subarray(at, at + size) };
}

/** A storage inside the file, written out as a compound file of its own. */
function storageAsFile(cfb: Cfb, storage: CfbEntry): Buffer | undefined {
  const tree = (e: CfbEntry): CfbTree =>
    new Map(e.children.map((id) => cfb.entries.get(id)!).map((c) => [c.name, c.kind === 'stream' ? cfb.read(c) : tree(c)] as const));
  return writeCfb(tree(storage));
}

/**
 * An RTF document's embedded object (\\objdata: an OLE1 EmbeddedObject, MS-OLEDS 2.2.4): a header naming its class,
 * then its native data, which is a packaged file for "Package" and a whole compound file for an OLE2 object (a Word
 * document, a workbook, Acrobat's PDF), read like a .doc's ObjectPool entry. Linked objects hold no data.
 */
export function ole1Object(b: Buffer, fallback: string): Attachment | undefined {
  let at = 0;
  const u32 = () => (at + 4 <= b.length ? b.readUInt32LE((at += 4) - 4) : -1);
  const str = () => {
    const len = u32();
    if (len < 0 || at + len > b.length) return undefined;
    const s = b.subarray(at, at + Math.max(0, len - 1)).toString('latin1');
    at += len;
    return s;
  };
  u32(); // OLEVersion
  if (u32() !== 2) return undefined; // 2: embedded; 1 is a link, 5 a static picture
  const cls = str();
  if (cls === undefined || str() === undefined || str() === undefined) return undefined;
  const size = u32();
  if (size <= 0 || at + size > b.length) return undefined;
  const native = b.subarray(at, at + size);
  if (cls === 'Package') return packageFile(native);
  if (!isCompoundFile(native)) return undefined;
  let cfb: Cfb;
  try {
    cfb = parseCfb(native);
  } catch {
    return undefined;
  }
  return oleObjectFile(cfb, cfb.root, fallback);
}
