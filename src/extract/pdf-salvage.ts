// A PDF cut short (an interrupted download or copy), or one whose catalog, page tree and trailer are lost: pdf.js finds
// its objects but nothing leading to its pages, and gives up ("Invalid PDF structure"). The pages are usually still
// there, each a /Type /Page object naming its own contents and resources. A new page tree over them, appended with a
// catalog and a trailer, lets pdf.js's recovery read every page whose objects survived: 11 of the 14 pages of a paper
// cut to its first 300 KB, of which poppler's pdftotext reads nothing.
//
// Only page objects written out in the file are found: in a compressed object stream (PDF 1.5 and later) they are not
// visible without the stream's index, which such damage usually takes with it.

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
  const headers = [...text.matchAll(OBJECT_HEADER)];
  // By object number: a page updated in an incremental save keeps its place, and its newer copy is the one pdf.js reads.
  const pages = new Map<number, number>();
  let maxNum = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const num = Number(h[1]);
    maxNum = Math.max(maxNum, num);
    const start = h.index + h[0].length;
    const end = Math.min(headers[i + 1]?.index ?? text.length, start + MAX_DICT_CHARS);
    const body = text.slice(start, end);
    const dict = body.slice(0, firstOf(body, ['stream', 'endobj']));
    if (PAGE_TYPE.test(dict)) pages.set(num, Number(h[2]));
  }
  if (!pages.size) return undefined;
  const kids = [...pages].slice(0, maxPages).map(([num, gen]) => `${num} ${gen} R`);
  const tail = appendedTree(text, buf.length, maxNum + 1, kids);
  return { data: new Uint8Array(Buffer.concat([buf, Buffer.from(tail, 'latin1')])), pages: kids.length, leftOut: pages.size - kids.length };
}

// The last cross-reference offset the file declares.
const START_XREF = /startxref[ \t\r\n]+(\d+)/g;

/**
 * A page tree and a catalog as objects `first` and `first + 1`, and a trailer naming them. A file whose cross-references
 * pdf.js can read gets them as an incremental update (its own table, the file's before it), which pdf.js reads in place
 * of the file's broken tree; a file cut before its cross-references gets a bare trailer, which pdf.js's recovery, reading
 * the file object by object, finds.
 */
function appendedTree(text: string, length: number, first: number, kids: string[]): string {
  const objects = [
    `${first} 0 obj\n<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${kids.length} >>\nendobj\n`,
    `${first + 1} 0 obj\n<< /Type /Catalog /Pages ${first} 0 R >>\nendobj\n`,
  ];
  const body = `\n${objects.join('')}`;
  const size = first + 2;
  const prev = [...text.matchAll(START_XREF)].at(-1)?.[1];
  // An encrypted file's update would need its keys carried over: left to recovery, as a file with no table.
  if (prev === undefined || text.includes('/Encrypt')) return `${body}trailer\n<< /Root ${first + 1} 0 R /Size ${size} >>\n%%EOF\n`;
  const at = [length + 1, length + 1 + objects[0]!.length];
  const entries = at.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  const xref = length + body.length;
  return `${body}xref\n${first} 2\n${entries}trailer\n<< /Root ${first + 1} 0 R /Size ${size} /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`;
}

function firstOf(s: string, words: string[]): number {
  let at = s.length;
  for (const w of words) {
    const i = s.indexOf(w);
    if (i >= 0 && i < at) at = i;
  }
  return at;
}
