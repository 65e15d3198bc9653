// Word 6.0 and Word 95 .doc (nFib 101-105), which word-extractor does not read: archives of 1990s letters, minutes
// and reports still hold them. Their text is 8-bit in the WordDocument stream, in the code page of the language Word
// was installed for; a fast-saved ("complex") file keeps it in pieces listed by the piece table (CLX), in any order.
// Layout from the Word 6 File Information Block as documented by wvWare and Apache POI (HWPFOldDocument).
import iconv from 'iconv-lite';
import { FileError } from '../../errors.js';
import { paragraphSections, partText } from './text.js';
import type { Section } from '../types.js';

export const WORD6_IDENT = 0xa5dc;
/** nFib of Word 6.0 (101) through Word 95 (104-105). */
export const isWord6Fib = (nFib: number) => nFib >= 101 && nFib <= 105;

const FIB = {
  flags: 0x0a,
  lid: 0x06,
  charset: 0x14,
  fcMin: 0x18,
  ccp: 0x34, // ccpText, ccpFtn, ccpHdr, ccpMcr, ccpAtn, ccpEdn, ccpTxbx, ccpHdrTxbx: eight u32s
  fcClx: 0x160,
  lcbClx: 0x164,
  bytes: 0x168,
} as const;
const F_COMPLEX = 0x0004;
const F_ENCRYPTED = 0x0100;
const MAC_CHARSET = 256;

// The subdocuments after the body, in CP order, and the heading each gets (the Word 97 path's names where it has one).
// The header subdocument holds every section's headers and footers together: Word 6 says which is which only through
// each section's properties, so they share one heading.
const PARTS = ['Footnotes', 'Headers and footers', undefined /* macros */, 'Comments', 'Endnotes', 'Text boxes', 'Text boxes'] as const;

interface Piece {
  cp: number;
  end: number;
  fc: number;
}

/** The sections of a Word 6/95 document: body paragraphs, then footnotes, headers and footers, comments, endnotes, text boxes. */
export function word6Sections(stream: Buffer): Section[] {
  if (stream.length < FIB.bytes) throw new FileError('failed', 'corrupt', 'doc: Word 6 File Information Block is truncated');
  const flags = stream.readUInt16LE(FIB.flags);
  if (flags & F_ENCRYPTED) throw new FileError('failed', 'encrypted', 'password-protected Word document');
  const ccps = Array.from({ length: 8 }, (_, i) => stream.readInt32LE(FIB.ccp + 4 * i));
  if (ccps.some((n) => n < 0 || n > stream.length)) throw new FileError('failed', 'corrupt', 'doc: Word 6 character counts exceed the file');
  const pieces = flags & F_COMPLEX ? pieceTable(stream) : [{ cp: 0, end: stream.length, fc: stream.readUInt32LE(FIB.fcMin) }];
  const encoding = codepage(stream);
  const text = (from: number, to: number) =>
    iconv.decode(cleanControls(bytesOf(stream, pieces, from, to)), encoding).replace(/\x1e/g, '\u2011');

  const sections = paragraphSections(text(0, ccps[0]!));
  let at = ccps[0]!;
  PARTS.forEach((heading, i) => {
    const n = ccps[i + 1]!;
    const part = n ? partText(text(at, at + n)) : '';
    at += n;
    if (!heading || !part) return;
    const same = sections.find((s) => s.loc.heading === heading && s.loc.line === undefined);
    if (same) same.text += `\n${part}`;
    else sections.push({ text: part, loc: { heading } });
  });
  return sections;
}

/** The piece table: which bytes of the stream hold each run of character positions. */
function pieceTable(stream: Buffer): Piece[] {
  const fc = stream.readUInt32LE(FIB.fcClx);
  const lcb = stream.readUInt32LE(FIB.lcbClx);
  if (!lcb || fc + lcb > stream.length) throw new FileError('failed', 'corrupt', 'doc: Word 6 piece table lies outside the file');
  let at = fc;
  const end = fc + lcb;
  // Property modifiers (clxt 1) come first; the piece table (clxt 2) follows them.
  while (at < end && stream[at] === 1) {
    if (at + 3 > end) break;
    at += 3 + stream.readUInt16LE(at + 1);
  }
  if (at + 5 > end || stream[at] !== 2) throw new FileError('failed', 'corrupt', 'doc: Word 6 piece table not found');
  const size = stream.readUInt32LE(at + 1);
  const plc = at + 5;
  const n = (size - 4) / 12;
  if (!Number.isInteger(n) || n < 1 || plc + size > end) throw new FileError('failed', 'corrupt', 'doc: Word 6 piece table is malformed');
  const pieces: Piece[] = [];
  for (let i = 0; i < n; i++) {
    const cp = stream.readUInt32LE(plc + 4 * i);
    const next = stream.readUInt32LE(plc + 4 * (i + 1));
    // Word 97 marks 8-bit pieces by bit 30 and a doubled offset; a Word 6 file never sets it, but a converter might.
    let pfc = stream.readUInt32LE(plc + 4 * (n + 1) + 8 * i + 2);
    if (pfc & 0x40000000) pfc = (pfc & ~0x40000000) / 2;
    if (next < cp || pfc + (next - cp) > stream.length) throw new FileError('failed', 'corrupt', 'doc: Word 6 text piece lies outside the file');
    pieces.push({ cp, end: next, fc: pfc });
  }
  return pieces;
}

/** The bytes of character positions [from, to): one byte each, gathered from the pieces that hold them. */
function bytesOf(stream: Buffer, pieces: Piece[], from: number, to: number): Buffer {
  const parts: Buffer[] = [];
  for (const p of pieces) {
    const a = Math.max(from, p.cp);
    const b = Math.min(to, p.end);
    if (a < b) parts.push(stream.subarray(p.fc + (a - p.cp), Math.min(stream.length, p.fc + (b - p.cp))));
  }
  return Buffer.concat(parts);
}

/**
 * Word's control characters, byte by byte (safe for double-byte code pages too: their trail bytes are never below
 * 0x20). Paragraph and line ends, page breaks and row ends become line ends, cell marks tabs; a field keeps its result and
 * loses its code ("HYPERLINK ..."), nested fields included; anchors of pictures, footnotes and drawings go.
 */
function cleanControls(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  const fields: boolean[] = []; // per open field: still in its code part
  let inCode = 0;
  let prev = -1;
  for (const c of bytes) {
    const before = prev;
    prev = c;
    if (c === 0x13) {
      fields.push(true);
      inCode++;
    } else if (c === 0x14) {
      if (fields.length && fields[fields.length - 1]) {
        fields[fields.length - 1] = false;
        inCode--;
      }
    } else if (c === 0x15) {
      if (fields.length && fields.pop()) inCode--;
    } else if (inCode) {
      continue;
    } else if (c === 0x0d || c === 0x0b || c === 0x0c) out[n++] = 0x0a;
    else if (c === 0x07 && n && out[n - 1] === 0x09 && before === 0x07) out[n - 1] = 0x0a; // a row ends after its last cell
    else if (c === 0x07 || c === 0x09) out[n++] = 0x09;
    else if (c === 0x1e) out[n++] = c; // non-breaking hyphen: U+2011 once decoded
    else if (c >= 0x20) out[n++] = c; // 0x1f (optional hyphen) and anchors go
  }
  return out.subarray(0, n);
}

// Windows code pages by the primary language of the installation that saved the file (FIB lid); Western otherwise.
const CODEPAGE_BY_LANGUAGE: Record<number, number> = {
  0x05: 1250, 0x0e: 1250, 0x15: 1250, 0x18: 1250, 0x1b: 1250, 0x24: 1250, 0x1c: 1250, 0x1a: 1250,
  0x02: 1251, 0x19: 1251, 0x22: 1251, 0x23: 1251, 0x2f: 1251,
  0x08: 1253, 0x1f: 1254, 0x0d: 1255, 0x01: 1256, 0x20: 1256, 0x29: 1256,
  0x25: 1257, 0x26: 1257, 0x27: 1257, 0x2a: 1258, 0x1e: 874, 0x11: 932, 0x12: 949,
};

function codepage(stream: Buffer): string {
  if (stream.readUInt16LE(FIB.charset) === MAC_CHARSET) return 'macintosh';
  const lid = stream.readUInt16LE(FIB.lid);
  const primary = lid & 0x3ff;
  if (primary === 0x04) return lid === 0x0804 || lid === 0x1004 ? 'cp936' : 'cp950';
  return `cp${CODEPAGE_BY_LANGUAGE[primary] ?? 1252}`;
}
