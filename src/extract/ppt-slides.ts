// The text of a PowerPoint 97-2003 presentation, slide by slide: placeholder text (kept in the document's slide list
// and referenced from the shapes), text boxes, tables and groups in shape order, then the slide's notes and comments;
// then what the masters add, once. The slides' date, slide-number, footer and header placeholders are left out: they
// repeat on every slide.
import { atomText, childrenOf, persistRecord, recordAt, RT, utf16, walkRecords, type EditHistory, type PptRecord } from './ppt-records.js';

export interface SlideText {
  slide: number;
  lines: string[];
}

interface ListEntry {
  persistId: number;
  slideId: number;
  /** Placeholder texts, by the index shapes refer to them with (one per TextHeaderAtom). */
  texts: string[];
}

// MS-PPT PlaceholderEnum: MasterDate, MasterSlideNumber, MasterFooter, MasterHeader.
const NOISE_PLACEHOLDERS = new Set([0x07, 0x08, 0x09, 0x0a]);
const CLIENT_DATA = 0xf011;
const COMMENT = 0x2ee0;
const CSTRING = 0x0fba;
const COMMENT_AUTHOR = 0;
const COMMENT_TEXT = 1;
const SLIDES = 0;
const MASTERS = 1;
const NOTES = 2;

/**
 * The slides of a presentation whose edit history could be followed, in presentation order, until `maxChars` are read.
 * Each slide and notes page is read once: a forged list naming one large slide thousands of times would otherwise
 * build its text thousands of times before any character budget saw it.
 */
export function slidesText(doc: Buffer, h: EditHistory, maxChars: number): SlideText[] | undefined {
  const document = persistRecord(doc, h, h.docPersistId, RT.Document);
  if (!document) return undefined;
  const notes = new Map(slideList(doc, document, NOTES).map((n) => [n.slideId, n]));
  const read = new Set<number>();
  const out: SlideText[] = [];
  let chars = 0;
  // By where the record sits, not by id: thousands of ids can name one slide.
  const once = (id: number) => {
    const at = h.persist.get(id) ?? -1 - id;
    if (read.has(at)) return false;
    read.add(at);
    return true;
  };
  for (const [i, entry] of slideList(doc, document, SLIDES).entries()) {
    if (chars >= maxChars) break;
    if (!once(entry.persistId)) continue;
    const container = persistRecord(doc, h, entry.persistId, RT.Slide);
    const lines: string[] = [];
    const comments: string[] = [];
    if (container) lines.push(...shapeText(doc, container, entry.texts, comments));
    else lines.push(...entry.texts.filter(Boolean));
    const note = container && notes.get(notesId(doc, container) ?? -1);
    const noteContainer = note && once(note.persistId) ? persistRecord(doc, h, note.persistId, RT.Notes) : undefined;
    const noteLines = noteContainer ? shapeText(doc, noteContainer, note!.texts, []) : [];
    if (noteLines.length) lines.push('', 'Notes:', ...noteLines);
    if (comments.length) lines.push('', 'Comments:', ...comments);
    chars += lines.reduce((n, l) => n + l.length, 0);
    out.push({ slide: i + 1, lines });
  }
  return out;
}

/**
 * Text boxes the masters put on every slide that uses them (a company name, "Confidential"), once, less the lines the
 * slides say themselves. Placeholders on a master hold prompts ("Click to edit Master title style") and fields.
 */
export function masterText(doc: Buffer, h: EditHistory, onSlides: Set<string>, maxChars: number): string[] {
  const document = persistRecord(doc, h, h.docPersistId, RT.Document);
  if (!document) return [];
  const seen = new Set(onSlides);
  const read = new Set<number>();
  const out: string[] = [];
  let chars = 0;
  for (const entry of slideList(doc, document, MASTERS)) {
    const at = h.persist.get(entry.persistId);
    if (chars >= maxChars) break;
    if (at === undefined || read.has(at)) continue;
    read.add(at);
    // A title master is stored as a slide.
    const master = persistRecord(doc, h, entry.persistId, RT.MainMaster) ?? persistRecord(doc, h, entry.persistId, RT.Slide);
    if (!master) continue;
    const lines: string[] = [];
    walkRecords(doc, master, (r) => {
      if (r.type === RT.SpContainer) return placeholderOf(doc, r) === undefined;
      if (r.type !== RT.ClientTextbox) return true;
      for (const c of childrenOf(doc, r)) pushText(lines, atomText(doc, c));
      return false;
    });
    // A field (slide number, date) is a '*' in the text: "Page *" says nothing once, away from its slides.
    for (const line of lines.filter((l) => !/(^|\s)\*(\s|$)/.test(l))) {
      if (!seen.has(line.trim())) {
        out.push(line);
        chars += line.length;
      }
      seen.add(line.trim());
    }
  }
  return out;
}

// MS-PPT HeadersFootersContainer (slides' instance 3, notes pages' 4) and the CStrings it holds: a fixed date typed
// in place of the date (instance 0), the header (1), the footer (2). Its HeadersFootersAtom's flags say which are
// shown: a date (0x01) that is the typed one (0x04), a header (0x10), a footer (0x20).
const HEADERS_FOOTERS = 0x0fd9;
const HEADERS_FOOTERS_ATOM = 0x0fda;
const HEADERS_FOOTERS_OF = new Set([3, 4]);
const SHOWN: Record<number, (flags: number) => boolean> = {
  0: (f) => (f & 0x01) !== 0 && (f & 0x04) !== 0,
  1: (f) => (f & 0x10) !== 0,
  2: (f) => (f & 0x20) !== 0,
};

/**
 * The header, footer and fixed-date text the document shows on its slides and notes pages, once, less the lines the
 * slides and masters say themselves. The placeholders that show it on each slide are left out of the slides' text (they
 * repeat); this is where it is typed, and it can say something ("Human Factors Research and Technology Division").
 */
export function headerFooterText(doc: Buffer, h: EditHistory, said: Set<string>): string[] {
  const document = persistRecord(doc, h, h.docPersistId, RT.Document);
  if (!document) return [];
  const seen = new Set(said);
  const out: string[] = [];
  for (const hf of childrenOf(doc, document)) {
    if (hf.type !== HEADERS_FOOTERS || !HEADERS_FOOTERS_OF.has(hf.instance)) continue;
    const kids = childrenOf(doc, hf);
    const atom = kids.find((c) => c.type === HEADERS_FOOTERS_ATOM && c.end - c.start >= 4);
    const flags = atom ? doc.readUInt16LE(atom.start + 2) : 0;
    for (const c of kids) {
      // Typed but not shown (a footer switched off) is not on any slide: left out.
      if (c.type !== CSTRING || !SHOWN[c.instance]?.(flags)) continue;
      const lines: string[] = [];
      pushText(lines, utf16(doc, c).replace(/[\r\v]/g, '\n'));
      for (const line of lines) if (!seen.has(line.trim())) out.push(line), seen.add(line.trim());
    }
  }
  return out;
}

/**
 * Without an edit history: every text atom in stream order, the main masters and master lists left out (a title
 * master, the notes master and the handout cannot be told from slides and notes here). A fast-saved file may then
 * repeat a slide's older text.
 */
export function streamText(doc: Buffer): string[] {
  const lines: string[] = [];
  for (let pos = 0; pos < doc.length; ) {
    const top = recordAt(doc, pos, doc.length);
    if (!top) break;
    pos = top.end;
    if (top.type === RT.MainMaster || top.type === RT.ExOleObjStg) continue;
    walkRecords(doc, top, (r) => {
      if (r.type === RT.SlideListWithText && r.instance === MASTERS) return false;
      if (r.type === RT.SpContainer && noisePlaceholder(doc, r)) return false;
      pushText(lines, atomText(doc, r));
      return true;
    });
  }
  return lines;
}

/** One of the document's slide lists: slides (instance 0) or notes (2), each with the placeholder texts it holds. */
function slideList(doc: Buffer, document: PptRecord, instance: number): ListEntry[] {
  const list = childrenOf(doc, document).find((r) => r.type === RT.SlideListWithText && r.instance === instance);
  const out: ListEntry[] = [];
  if (!list) return out;
  for (const r of childrenOf(doc, list)) {
    if (r.type === RT.SlidePersistAtom && r.end - r.start >= 16) {
      out.push({ persistId: doc.readUInt32LE(r.start), slideId: doc.readUInt32LE(r.start + 12), texts: [] });
      continue;
    }
    const entry = out.at(-1);
    if (!entry) continue;
    if (r.type === RT.TextHeaderAtom) entry.texts.push('');
    const text = atomText(doc, r);
    if (text === undefined) continue;
    if (!entry.texts.length) entry.texts.push('');
    entry.texts[entry.texts.length - 1] = text;
  }
  return out;
}

/** The notes page's slide id, from the slide's SlideAtom. */
function notesId(doc: Buffer, slide: PptRecord): number | undefined {
  const atom = childrenOf(doc, slide).find((r) => r.type === RT.SlideAtom);
  return atom && atom.end - atom.start >= 20 ? doc.readUInt32LE(atom.start + 16) : undefined;
}

/**
 * A slide's or notes page's text in shape order; a shape that refers to the slide list gets that text. Placeholder
 * text no shape refers to comes last, so nothing the list holds is lost.
 */
function shapeText(doc: Buffer, container: PptRecord, listed: string[], comments: string[]): string[] {
  const lines: string[] = [];
  const used = new Set<number>();
  walkRecords(doc, container, (r) => {
    if (r.type === RT.SpContainer) return !noisePlaceholder(doc, r);
    if (r.type === COMMENT) {
      const [author, text] = [COMMENT_AUTHOR, COMMENT_TEXT].map((i) => {
        const atom = childrenOf(doc, r).find((c) => c.type === CSTRING && c.instance === i);
        return atom && utf16(doc, atom);
      });
      if (text?.trim()) pushText(comments, author?.trim() ? `${author.trim()}: ${text}` : text);
      return false;
    }
    if (r.type !== RT.ClientTextbox) return true;
    for (const c of childrenOf(doc, r)) {
      if (c.type === RT.OutlineTextRefAtom && c.end - c.start >= 4) {
        // A text is shown once, however many shapes (forged) refer to it.
        const i = doc.readInt32LE(c.start);
        if (!used.has(i)) pushText(lines, listed[i]);
        used.add(i);
      } else pushText(lines, atomText(doc, c));
    }
    return false;
  });
  listed.forEach((t, i) => used.has(i) || pushText(lines, t));
  return lines;
}

/** Whether a shape is the date, slide number, footer or header placeholder. */
function noisePlaceholder(doc: Buffer, shape: PptRecord): boolean {
  const ph = placeholderOf(doc, shape);
  return ph !== undefined && NOISE_PLACEHOLDERS.has(ph);
}

/** A shape's placeholder kind (MS-PPT PlaceholderEnum), if it is a placeholder. */
function placeholderOf(doc: Buffer, shape: PptRecord): number | undefined {
  for (const data of childrenOf(doc, shape)) {
    if (data.type !== CLIENT_DATA) continue;
    const ph = childrenOf(doc, data).find((r) => r.type === RT.PlaceholderAtom && r.end - r.start >= 5);
    if (ph) return doc[ph.start + 4];
  }
  return undefined;
}

function pushText(lines: string[], text: string | undefined): void {
  if (text === undefined) return;
  // A field (slide number, date) is kept in the text as '*': a line of nothing else says nothing.
  for (const line of text.split('\n')) if (line.trim() && line.trim() !== '*') lines.push(line.trimEnd());
}
