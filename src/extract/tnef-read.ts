// TNEF (MS-OXTNEF), the "winmail.dat" Outlook attaches in place of a rich-text message's body and attachments when it
// mails someone outside Exchange: a stream of attributes (message-level, then each attachment's), some of which are
// lists of MAPI properties. Read for what docproc indexes: the subject, the body (plain, HTML or compressed RTF) and
// each attachment's name and bytes. Every length is checked against the bytes that are there.

import iconv from 'iconv-lite';

export const TNEF_SIGNATURE = 0x223e9f78;

const LEVEL_ATTACHMENT = 0x02;
// Attribute IDs (the low 16 bits of the attribute's tag).
const ATT_SUBJECT = 0x8004;
const ATT_BODY = 0x800c;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_MSG_PROPS = 0x9003;
const ATT_ATTACHMENT = 0x9005;
const ATT_OEM_CODEPAGE = 0x9007;
// MAPI property IDs.
const PR_SUBJECT = 0x0037;
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;
const PR_DISPLAY_NAME = 0x3001;
const PR_ATTACH_DATA = 0x3701;
const PR_ATTACH_FILENAME = 0x3704;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_INTERNET_CPID = 0x3fde;

export interface TnefAttachment {
  name?: string;
  data?: Buffer;
}

export interface Tnef {
  subject?: string;
  body?: string;
  html?: Buffer;
  compressedRtf?: Buffer;
  codepage?: number;
  attachments: TnefAttachment[];
  /** Set when the stream ended inside an attribute: what came before it is kept. */
  truncated?: boolean;
}

type Props = Map<number, Buffer | string | number>;

/** Reads a TNEF stream; throws only when it is not one. */
export function readTnef(b: Buffer): Tnef {
  if (b.length < 6 || b.readUInt32LE(0) !== TNEF_SIGNATURE) throw new Error('not a TNEF stream');
  const out: Tnef = { attachments: [] };
  // 8-bit strings are in the code page the sender's Windows used (attOemCodepage, near the start), Windows-1252 if none.
  const decode = eightBit(oemCodepage(b));
  let current: TnefAttachment | undefined;
  let at = 6;
  while (at < b.length) {
    if (at + 9 > b.length) {
      out.truncated = true;
      break;
    }
    const level = b[at]!;
    const id = b.readUInt32LE(at + 1) & 0xffff;
    const length = b.readUInt32LE(at + 5);
    const start = at + 9;
    if (length > b.length - start) {
      out.truncated = true;
      break;
    }
    const data = b.subarray(start, start + length);
    at = start + length + 2; // and its checksum
    if (level === LEVEL_ATTACHMENT) {
      if (id === ATT_ATTACH_REND_DATA || !current) out.attachments.push((current = {}));
      if (id === ATT_ATTACH_TITLE) current.name ??= decode(cString(data));
      else if (id === ATT_ATTACH_DATA) current.data = data;
      else if (id === ATT_ATTACHMENT) {
        const p = readProps(data, decode);
        const name = p.get(PR_ATTACH_LONG_FILENAME) ?? p.get(PR_DISPLAY_NAME) ?? p.get(PR_ATTACH_FILENAME);
        if (typeof name === 'string' && name.trim()) current.name = name;
        const bin = p.get(PR_ATTACH_DATA);
        if (!current.data && Buffer.isBuffer(bin)) current.data = bin;
      }
    } else if (id === ATT_SUBJECT) out.subject ??= decode(cString(data));
    else if (id === ATT_BODY) out.body ??= decode(cString(data));
    else if (id === ATT_MSG_PROPS) {
      const p = readProps(data, decode);
      const str = (k: number) => (typeof p.get(k) === 'string' ? (p.get(k) as string) : undefined);
      const bin = (k: number) => (Buffer.isBuffer(p.get(k)) ? (p.get(k) as Buffer) : undefined);
      // The properties may be Unicode; the attributes before them are 8-bit: the properties win.
      out.subject = str(PR_SUBJECT) ?? out.subject;
      out.body = str(PR_BODY) ?? out.body;
      out.html ??= bin(PR_HTML);
      out.compressedRtf ??= bin(PR_RTF_COMPRESSED);
      const cp = p.get(PR_INTERNET_CPID);
      if (typeof cp === 'number') out.codepage = cp;
    }
  }
  return out;
}

/** An 8-bit string attribute's bytes, up to the NUL that ends it. */
function cString(data: Buffer): Buffer {
  const end = data.indexOf(0);
  return end === -1 ? data : data.subarray(0, end);
}

/** attOemCodepage's code page, found by a pass over the attributes' headers alone; undefined when absent. */
function oemCodepage(b: Buffer): number | undefined {
  for (let at = 6; at + 9 <= b.length; ) {
    const id = b.readUInt32LE(at + 1) & 0xffff;
    const length = b.readUInt32LE(at + 5);
    if (length > b.length - at - 9) return undefined;
    if (id === ATT_OEM_CODEPAGE && length >= 4) return b.readUInt32LE(at + 9);
    at += 9 + length + 2;
  }
  return undefined;
}

function eightBit(codepage: number | undefined): (b: Buffer) => string {
  const name = codepage && codepage !== 65001 ? `cp${codepage}` : codepage === 65001 ? 'utf-8' : 'windows-1252';
  const cs = iconv.encodingExists(name) ? name : 'windows-1252';
  return (bytes) => iconv.decode(bytes, cs);
}

// Fixed sizes of the MAPI property types docproc does not keep (each value padded to four bytes).
const FIXED: Record<number, number> = { 0x02: 4, 0x03: 4, 0x04: 4, 0x05: 8, 0x06: 8, 0x07: 8, 0x0a: 4, 0x0b: 4, 0x14: 8, 0x40: 8, 0x48: 16 };
const PT_OBJECT = 0x0d;
const PT_STRING8 = 0x1e;
const PT_UNICODE = 0x1f;
const PT_BINARY = 0x102;
const MULTI = 0x1000;

/** A MAPI property list: strings, binaries and 32-bit numbers by property ID; the rest passed over. Stops at damage. */
function readProps(b: Buffer, decode: (b: Buffer) => string): Props {
  const props: Props = new Map();
  if (b.length < 4) return props;
  const count = b.readUInt32LE(0);
  let at = 4;
  const need = (n: number) => at + n <= b.length;
  for (let i = 0; i < count && need(4); i++) {
    const type = b.readUInt16LE(at);
    const id = b.readUInt16LE(at + 2);
    at += 4;
    if (id >= 0x8000) {
      // A named property: its GUID, then a number or a name.
      if (!need(20)) break;
      const kind = b.readUInt32LE(at + 16);
      at += 20;
      if (kind === 0) at += 4;
      else {
        if (!need(4) || !need(4 + b.readUInt32LE(at))) break;
        at += 4 + pad4(b.readUInt32LE(at));
      }
    }
    const base = type & ~MULTI;
    const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
    let values = 1;
    if (type & MULTI || variable) {
      if (!need(4)) break;
      values = b.readUInt32LE(at);
      at += 4;
    }
    if (!variable) {
      const size = FIXED[base];
      if (size === undefined || !need(size * values)) break;
      if (base === 0x03 && values === 1) props.set(id, b.readInt32LE(at));
      at += size * values;
      continue;
    }
    for (let v = 0; v < values; v++) {
      if (!need(4)) return props;
      const len = b.readUInt32LE(at);
      at += 4;
      if (!need(len)) return props;
      const data = b.subarray(at, at + len);
      at += pad4(len);
      if (v > 0 || props.has(id)) continue;
      if (base === PT_UNICODE) props.set(id, data.toString('utf16le').replace(/\0+$/, ''));
      else if (base === PT_STRING8) props.set(id, decode(cString(data)));
      // An embedded object's data starts with the 16-byte interface ID it is opened through.
      else props.set(id, base === PT_OBJECT ? data.subarray(16) : data);
    }
  }
  return props;
}

/** Rounded up to a multiple of four, in plain arithmetic: a 32-bit mask turns a huge length negative. */
function pad4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}
