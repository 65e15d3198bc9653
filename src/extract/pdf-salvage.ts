// A PDF cut short (an interrupted download or copy), or one whose catalog, page tree and trailer are lost: pdf.js finds
// its objects but nothing leading to its pages, and gives up ("Invalid PDF structure"). The pages are usually still
// there, each a /Type /Page object naming its own contents and resources. A new page tree over them, appended with a
// catalog and a trailer, lets pdf.js's recovery read every page whose objects survived: 11 of the 14 pages of a paper
// cut to its first 300 KB, of which poppler's pdftotext reads nothing.
//
// Pages kept in compressed object streams (PDF 1.5 and later), which pdf.js's recovery does not look into, are found
// by reading every object stream that survives (pdf-object-streams.ts); their objects are written out again as plain
// ones, before the new tree, so that pdf.js finds them with their fonts and resources.
import { closeCutObject } from './pdf-cut-object.js';
import { isObjectStream, MAX_OBJECT_NUMBER, newStreamBudget, streamedObjects, type StreamedObject } from './pdf-object-streams.js';

// An indirect object's header ("12 0 obj"), not part of a larger number.
const OBJECT_HEADER = /(?<![0-9])(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj(?![A-Za-z])/g;
// A page (not /Pages, the tree's inner nodes).
const PAGE_TYPE = /\/Type[ \t\r\n\f\0]*\/Page(?![A-Za-z0-9#])/;
// Only an object's dictionary is searched: a page's is short, and a stream's data must not be taken for one.
const MAX_DICT_CHARS = 64 * 1024;

export interface RebuiltPdf {
  data: Uint8Array;
  /** Page objects found and put in the new page tree. */
  pages: number;
  /** Page objects found past `maxPages`, left out. */
  leftOut: number;
}

/** The file with a page tree over every page object found (in the file's order), or undefined when it holds none. */
export function rebuildPageTree(bytes: Uint8Array, maxPages: number): RebuiltPdf | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('latin1');
  // By object number, with its generation and where it was first found: a page updated in an incremental save keeps
  // its place, and its newer copy is the one pdf.js reads.
  const pages = new Map<number, { gen: number; at: number }>();
  const addPage = (num: number, gen: number, at: number) => pages.set(num, { gen, at: pages.get(num)?.at ?? at });
  const catalogs = new Set<string>();
  // Where each plain object was last written, and the object streams: a streamed object written plain later is stale.
  const plainAt = new Map<number, number>();
  const objectStreams: ObjectStreamAt[] = [];
  let maxNum = 0;
  // Each header's object runs to the next header: the headers are read one ahead, not all held at once.
  const headers = text.matchAll(OBJECT_HEADER);
  let cutObject = '';
  for (let h = nextHeader(headers); h; ) {
    const next = nextHeader(headers);
    const num = Number(h[1]);
    maxNum = Math.max(maxNum, bounded(num));
    // A cut later copy (an incremental save's) must not replace a whole earlier one: pdf.js keeps the earlier copy
    // when the later one ends in the cut, and a closed copy would parse, losing what the cut took.
    const seenBefore = plainAt.has(num);
    plainAt.set(num, h.index!);
    const start = h.index! + h[0].length;
    const body = text.slice(start, Math.min(next?.index ?? text.length, start + MAX_DICT_CHARS));
    const dict = body.slice(0, firstOf(body, ['stream', 'endobj']));
    if (PAGE_TYPE.test(dict)) addPage(num, Number(h[2]), h.index!);
    else if (CATALOG_TYPE.test(dict)) catalogs.add(`${num} ${h[2]}`);
    else if (isObjectStream(dict) && body.startsWith('stream', dict.length)) {
      objectStreams.push({ at: h.index!, dict, dataStart: start + dict.length + 6, limit: next?.index ?? buf.length });
    }
    if (!next && !seenBefore && start + body.length === text.length && !body.includes('endobj')) {
      const closed = closeCutObject(body);
      if (closed) cutObject = `${num} ${h[2]} obj\n${closed}\nendobj\n`;
    }
    h = next;
  }
  const encrypt = lastMatch(text, ENCRYPT);
  // An encrypted file's object streams are encrypted too: only pdf.js, with the keys, could read them.
  const fromStreams = encrypt ? undefined : readObjectStreams(buf, objectStreams, plainAt);
  let streamed = '';
  const found = new Set(plainAt.keys());
  for (const o of fromStreams?.objects ?? []) {
    found.add(o.num);
    maxNum = Math.max(maxNum, o.num);
    // A catalog is not written out: the new one takes its number.
    if (CATALOG_TYPE.test(o.body)) catalogs.add(`${o.num} 0`);
    else streamed += `${o.num} 0 obj\n${o.body}\nendobj\n`;
    if (PAGE_TYPE.test(o.body)) addPage(o.num, 0, o.at);
  }
  if (!pages.size) return undefined;
  for (const m of text.matchAll(ROOT_REF)) catalogs.add(`${Number(m[1])} ${Number(m[2])}`);
  // A trailer's /Root that names a page (damage, or a hostile file) must not put the catalog in that page's place.
  for (const c of catalogs) if (pages.has(Number(c.split(' ')[0]))) catalogs.delete(c);
  for (const c of catalogs) found.add(Number(c.split(' ')[0]));
  const refs = missingReferences([text, streamed], found);
  // Objects the damage took are null, as the format reads a reference to an object that is not there: a surviving
  // table (a fast-web-view file's first) may list them at offsets past the cut, and pdf.js then fails the page that
  // names them (a font, an image) instead of reading its text. Only when every object stream was read: an object in
  // one that was not may still be found through such a table.
  const nulls = fromStreams?.complete ? nullObjects(refs) : '';
  // In the file's order: a page found in an object stream stands where its stream does.
  const kids = [...pages].sort((a, b) => a[1].at - b[1].at).slice(0, maxPages).map(([num, p]) => `${num} ${p.gen} R`);
  const id = encrypt && lastMatch(text, FILE_ID);
  const keys = encrypt ? ` /Encrypt ${encrypt}${id ? ` /ID ${id}` : ''}` : '';
  const objects = closeOpenTable(text) + cutObject + streamed + nulls;
  const tail = appendedTree(buf.length, firstFreeNumber(text, refs.max, maxNum), kids, catalogs, objects, keys);
  return { data: new Uint8Array(Buffer.concat([buf, Buffer.from(tail, 'latin1')])), pages: kids.length, leftOut: pages.size - kids.length };
}

// A cross-reference table's keyword (the file's last token, when the cut came right after it), not `startxref`'s end.
const TABLE = /(?<![A-Za-z])xref(?=[ \t\r\n\f\0]|$)/g;

/**
 * A file cut inside its cross-reference table or the trailer after it (near its end: a download that almost
 * finished) leaves the table open. pdf.js's recovery passes over a table by skipping to the next `trailer` and then
 * the next `startxref`, which would be the new ones, past every object written after the cut: an empty trailer and a
 * `startxref` end the table first.
 */
function closeOpenTable(text: string): string {
  // Only what follows the last `startxref` can be an open table (the whole file when none survived).
  TABLE.lastIndex = text.lastIndexOf('startxref') + 1;
  return TABLE.test(text) ? 'trailer\n<< >>\nstartxref\n0\n%%EOF\n' : '';
}

interface ObjectStreamAt {
  /** Where its header is, where its data starts and what bounds it (the next header, or the end of the file). */
  at: number;
  dict: string;
  dataStart: number;
  limit: number;
}

/**
 * The objects of every object stream found, each with its stream's place in the file, less those the file writes
 * plain after that stream (an incremental save's newer copy); `complete` when every stream could be read.
 */
function readObjectStreams(buf: Buffer, streams: ObjectStreamAt[], plainAt: Map<number, number>) {
  const budget = newStreamBudget();
  const objects: (StreamedObject & { at: number })[] = [];
  let complete = true;
  for (const s of streams) {
    const read = streamedObjects(buf, s.dict, s.dataStart, s.limit, budget);
    if (!read.length) complete = false;
    for (const o of read) if ((plainAt.get(o.num) ?? -1) < s.at) objects.push({ ...o, at: s.at });
  }
  return { objects, complete };
}

// What makes a catalog: every catalog object and every trailer's /Root.
const CATALOG_TYPE = /\/Type[ \t\r\n\f\0]*\/Catalog(?![A-Za-z0-9#])/;
const ROOT_REF = /\/Root[ \t\r\n\f\0]+(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+R/g;
// An encrypted file's keys, which the new trailer must carry for its strings and streams to be read.
const ENCRYPT = /\/Encrypt[ \t\r\n\f\0]*(\d{1,10}[ \t\r\n\f\0]+\d{1,5}[ \t\r\n\f\0]+R)/g;
const FILE_ID = /\/ID[ \t\r\n\f\0]*(\[[^\]]{0,400}\])/g;

/**
 * The objects written again (`objects`: read from object streams, the cut one closed, nulls), a page tree (object
 * `first`), a catalog over it (`first + 1`) and the same catalog under the number of every catalog the file has (a
 * later copy of an object is the one a reader takes), then a trailer and a cross-reference offset that points at no
 * table. pdf.js then reads the file in its recovery mode, object by object, whatever its own tables say (they may list
 * objects the cut took, or lead to a tree that loops), and every trailer it finds leads to the new tree.
 */
function appendedTree(length: number, first: number, kids: string[], catalogs: Set<string>, objects: string, keys: string): string {
  const catalog = `<< /Type /Catalog /Pages ${first} 0 R >>`;
  let out = `\n${objects}${first} 0 obj\n<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${kids.length} >>\nendobj\n${first + 1} 0 obj\n${catalog}\nendobj\n`;
  for (const [num, gen] of [...catalogs].map((c) => c.split(' '))) out += `${num} ${gen} obj\n${catalog}\nendobj\n`;
  const trailer = length + out.length;
  return `${out}trailer\n<< /Root ${first + 1} 0 R /Size ${first + 2}${keys} >>\nstartxref\n${trailer}\n%%EOF\n`;
}

// References and declared table sizes: the new objects must take no number the file uses, even for an object the
// damage took (a reference to it would otherwise lead to the new tree). Past the format's limit, numbers are ignored.
const REF = /(?<![0-9])(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+R(?![A-Za-z])/g;
const SIZE = /\/Size[ \t\r\n\f\0]+(\d{1,10})/g;
// More missing objects than this is not damage a null can mend (or a hostile file): none is written.
const MAX_NULL_OBJECTS = 100_000;

interface MissingReferences {
  /** The highest object number referenced. */
  max: number;
  /** Objects referenced but not found, by number: their generation, or -1 where references disagree on it. */
  missing: Map<number, number>;
  /** More missing than MAX_NULL_OBJECTS: none is written. */
  tooMany: boolean;
}

/** What `texts` reference that is not in `found`; at most MAX_NULL_OBJECTS of them are held. */
function missingReferences(texts: string[], found: Set<number>): MissingReferences {
  const r: MissingReferences = { max: 0, missing: new Map(), tooMany: false };
  for (const t of texts) {
    for (const m of t.matchAll(REF)) {
      const num = bounded(Number(m[1]));
      const gen = Number(m[2]);
      r.max = Math.max(r.max, num);
      if (!num || found.has(num) || r.tooMany) continue;
      const seen = r.missing.get(num);
      if (seen === undefined && r.missing.size >= MAX_NULL_OBJECTS) r.tooMany = true;
      else r.missing.set(num, seen === undefined || seen === gen ? gen : -1);
    }
  }
  return r;
}

// A null whose generation differs from a reference's fails that reference in pdf.js ("Inconsistent generation"), where
// the missing object alone reads as null: where references disagree, none is written.
function nullObjects(refs: MissingReferences): string {
  if (refs.tooMany) return '';
  return [...refs.missing].filter(([, gen]) => gen >= 0).map(([num, gen]) => `${num} ${gen} obj\nnull\nendobj\n`).join('');
}

function firstFreeNumber(text: string, maxRef: number, maxNum: number): number {
  let max = Math.max(maxNum, maxRef);
  for (const m of text.matchAll(SIZE)) max = Math.max(max, bounded(Number(m[1]) - 1));
  return max + 1;
}

const bounded = (n: number) => (n <= MAX_OBJECT_NUMBER ? n : 0);

const nextHeader = (it: IterableIterator<RegExpMatchArray>): RegExpMatchArray | undefined => {
  const r = it.next();
  return r.done ? undefined : r.value;
};

/** The first group of the last match. */
function lastMatch(text: string, re: RegExp): string | undefined {
  let last: string | undefined;
  for (const m of text.matchAll(re)) last = m[1];
  return last;
}

function firstOf(s: string, words: string[]): number {
  let at = s.length;
  for (const w of words) {
    const i = s.indexOf(w);
    if (i >= 0 && i < at) at = i;
  }
  return at;
}
