// MS-PPT binary records. Every record of the "PowerPoint Document" stream starts with an 8-byte header; containers
// (version 0xF) hold more records. Which records are live is said by the edit history: the "Current User" stream
// points at the newest UserEditAtom, each edit at the one before and at its persist directory, which maps persist ids
// to stream offsets. A fast-saved file keeps old copies of slides in the stream: only the directory tells them apart.
import { FileError } from '../errors.js';

export const RT = {
  Document: 0x03e8,
  Slide: 0x03ee,
  SlideAtom: 0x03ef,
  Notes: 0x03f0,
  SlidePersistAtom: 0x03f3,
  MainMaster: 0x03f8,
  ExOleObjStg: 0x1011,
  SlideListWithText: 0x0ff0,
  OutlineTextRefAtom: 0x0f9e,
  TextHeaderAtom: 0x0f9f,
  TextCharsAtom: 0x0fa0,
  TextBytesAtom: 0x0fa8,
  UserEditAtom: 0x0ff5,
  CurrentUserAtom: 0x0ff6,
  PersistDirectoryAtom: 0x1772,
  PlaceholderAtom: 0x0bc3,
  SpContainer: 0xf004,
  ClientTextbox: 0xf00d,
} as const;

export interface PptRecord {
  type: number;
  instance: number;
  /** 0xF for a container. */
  ver: number;
  /** Where the record's data starts and ends in the stream. */
  start: number;
  end: number;
}

const HEADER_BYTES = 8;
// BinaryTagDataBlob: an atom by its version, but PowerPoint 2002+ keeps records in it (comments, among others).
const BLOB = 0x138b;
// Real files nest shapes in groups a few levels deep; a crafted stream of nested headers would otherwise recurse
// once per 8 bytes.
export const MAX_DEPTH = 64;
// PowerPoint compacts a file long before its edit history grows this long; past it, or at an edit seen before (a
// loop), the history read so far is used.
const MAX_EDITS = 4096;
const HEADER_TOKEN = 0xe391c05f;
const ENCRYPTED_TOKEN = 0xf3d1c4df;

/** The record whose header is at `pos`, if it fits before `limit`. */
export function recordAt(buf: Buffer, pos: number, limit: number): PptRecord | undefined {
  if (pos < 0 || pos + HEADER_BYTES > limit) return undefined;
  const verInstance = buf.readUInt16LE(pos);
  const start = pos + HEADER_BYTES;
  const len = buf.readUInt32LE(pos + 4);
  if (len > limit - start) return undefined;
  return { ver: verInstance & 0xf, instance: verInstance >> 4, type: buf.readUInt16LE(pos + 2), start, end: start + len };
}

/** A container's records, up to the first that does not fit (the rest of a damaged container is lost, not guessed). */
export function childrenOf(buf: Buffer, r: PptRecord): PptRecord[] {
  const out: PptRecord[] = [];
  if (r.ver !== 0xf && r.type !== BLOB) return out;
  for (let pos = r.start; pos < r.end; ) {
    const c = recordAt(buf, pos, r.end);
    if (!c) break;
    out.push(c);
    pos = c.end;
  }
  return out;
}

/** Visits a record and its descendants depth first; `visit` returns false to skip a container's contents. */
export function walkRecords(buf: Buffer, r: PptRecord, visit: (r: PptRecord) => boolean, depth = 0): void {
  if (!visit(r) || depth >= MAX_DEPTH) return;
  for (const c of childrenOf(buf, r)) walkRecords(buf, c, visit, depth + 1);
}

/** A record's data as UTF-16 (an odd last byte dropped). */
export const utf16 = (buf: Buffer, r: PptRecord): string => buf.toString('utf16le', r.start, r.end - ((r.end - r.start) & 1));

/** The text of a TextCharsAtom (UTF-16) or TextBytesAtom (one byte a character), paragraph marks as newlines. */
export function atomText(buf: Buffer, r: PptRecord): string | undefined {
  let s: string;
  if (r.type === RT.TextCharsAtom) s = utf16(buf, r);
  else if (r.type === RT.TextBytesAtom) s = buf.toString('latin1', r.start, r.end);
  else return undefined;
  // \r ends a paragraph and \v breaks a line; other control characters are field and object placeholders.
  return s.replace(/[\r\v]/g, '\n').replace(/[\0-\x08\x0c\x0e-\x1f\x7f]/g, '');
}

export interface EditHistory {
  /** Persist id → offset of the record in the stream; the newest edit's entry wins. */
  persist: Map<number, number>;
  docPersistId: number;
}

/**
 * The live persist directory, from "Current User" and the chain of edits; undefined when it cannot be followed (the
 * caller reads the stream in order instead). A password-protected file is reported as such.
 */
export function editHistory(doc: Buffer, currentUser: Buffer | undefined): EditHistory | undefined {
  const cu = currentUser && recordAt(currentUser, 0, currentUser.length);
  if (!cu || cu.type !== RT.CurrentUserAtom || cu.end - cu.start < 12) return undefined;
  const token = currentUser.readUInt32LE(cu.start + 4);
  if (token === ENCRYPTED_TOKEN) throw new FileError('failed', 'encrypted', 'password-protected PowerPoint presentation');
  if (token !== HEADER_TOKEN) return undefined;
  const persist = new Map<number, number>();
  let docPersistId: number | undefined;
  const seen = new Set<number>();
  // Each entry of a real directory is four bytes of the stream of its own: many edits naming one large directory (or
  // directories overlapping) would otherwise be read over and over.
  const reader = { entriesLeft: Math.floor(doc.length / 4) };
  for (let at = currentUser.readUInt32LE(cu.start + 8); at !== 0 && !seen.has(at) && seen.size < MAX_EDITS; ) {
    seen.add(at);
    const edit = recordAt(doc, at, doc.length);
    if (!edit || edit.type !== RT.UserEditAtom || edit.end - edit.start < 28) return undefined;
    docPersistId ??= doc.readUInt32LE(edit.start + 16);
    if (!readPersistDirectory(doc, doc.readUInt32LE(edit.start + 12), persist, reader)) return undefined;
    at = doc.readUInt32LE(edit.start + 8);
  }
  return docPersistId === undefined ? undefined : { persist, docPersistId };
}

/**
 * Adds one PersistDirectoryAtom's entries that a newer edit has not set; false when there is none at `at`, or when the
 * directories hold more entries than the stream has room for.
 */
function readPersistDirectory(doc: Buffer, at: number, persist: Map<number, number>, reader: { entriesLeft: number }): boolean {
  const dir = recordAt(doc, at, doc.length);
  if (!dir || dir.type !== RT.PersistDirectoryAtom) return false;
  for (let pos = dir.start; pos + 4 <= dir.end; ) {
    const head = doc.readUInt32LE(pos);
    pos += 4;
    const first = head & 0xfffff;
    const count = head >>> 20;
    for (let i = 0; i < count && pos + 4 <= dir.end; i++, pos += 4) {
      if (--reader.entriesLeft < 0) return false;
      if (!persist.has(first + i)) persist.set(first + i, doc.readUInt32LE(pos));
    }
  }
  return true;
}

/** The top-level record a persist id points at, when it is of the expected type. */
export function persistRecord(doc: Buffer, h: EditHistory, id: number, type: number): PptRecord | undefined {
  const at = h.persist.get(id);
  const r = at === undefined ? undefined : recordAt(doc, at, doc.length);
  return r?.type === type ? r : undefined;
}
