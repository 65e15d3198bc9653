// Margin notes: a word or an icon set in the margin beside a paragraph's line ("TIP", "CAUTION" and a "!" in IRS
// publications). Level with the line, they joined it at its start, between the two halves of a word broken at the end
// of the line above ("fur-" / "TIP nishing"), which then stayed broken. Such a note is read after the paragraph's line
// that ends unbroken.
import { rangeOf, toLine, type TextRun } from './pdf-rows.js';

const MAX_NOTE_WORDS = 3;
const MAX_NOTE_CHARS = 24;
// The line's text starts where the line above starts, to within this many ems. The note ends before it, set apart
// by more than a word space (a justified line's reach 0.8 em), or by half an em in type of another size ("CAUTION" in
// 5.4 pt beside 10 pt, 0.86 em before the text). A line whose first word ("tives,", 0.76 em before the next) stood out
// only because the line above had lost its own first word is left alone.
const ALIGN_EM = 0.5;
const NOTE_GAP_EM = 1;
const SIZED_NOTE_GAP_EM = 0.5;
const OTHER_SIZE = 0.15;
// The line above is running text: this many ems wide at least, and within this many line heights.
const MIN_TEXT_EM = 8;
const NEIGHBOUR_HEIGHTS = 2;
// List markers and numbers ("•", "1.", "(a)", "752") start their item; they stay where they are.
const LIST_MARKER = /^([•◦▪▫■□●○‣⁃∙·*–—-]|\(?[\p{L}\p{N}]{1,4}[.)]|\p{N}+)$/u;
const BROKEN_END = /[-‐\u00ad]$/;

interface Above {
  x0: number;
  x1: number;
  y: number;
  height: number;
  broken: boolean;
}

/** Rows (top down) with each margin note that splits a broken word taken out, and read after its paragraph's line. */
export function liftMarginNotes(rows: TextRun[][]): TextRun[][] {
  const out: TextRun[][] = [];
  // Each note stays a row of its own: two notes of two lines are two lines, in their order.
  let pending: TextRun[][] = [];
  let above: Above | undefined;
  for (const row of rows) {
    const whole = extent(row);
    const split = above?.broken ? splitNote(row, whole, above) : undefined;
    const body = split?.body ?? row;
    if (split) pending.push(split.note);
    out.push(body);
    above = split ? extent(body) : whole;
    if (pending.length && !above.broken) {
      out.push(...pending);
      pending = [];
    }
  }
  out.push(...pending);
  return out;
}

/** A row's extent, baseline and size (its tallest run's), and whether its rightmost run ends in a hyphen. */
function extent(row: TextRun[]): Above {
  let main = row[0]!;
  let last = row[0]!;
  for (const r of row) {
    if (r.height > main.height) main = r;
    if (r.x + r.width >= last.x + last.width) last = r;
  }
  return { x0: rangeOf(row, (r) => r.x)[0], x1: last.x + last.width, y: main.y, height: main.height, broken: BROKEN_END.test(last.str.trimEnd()) };
}

/**
 * The runs that make a note at the start of a row, and the rest: the row's text resumes, in lower case, where the
 * line above (running text ending in a broken word) starts, and what comes before is a few words or a mark.
 */
function splitNote(row: TextRun[], whole: Above, above: Above): { note: TextRun[]; body: TextRun[] } | undefined {
  const em = above.height;
  if (above.x1 - above.x0 < MIN_TEXT_EM * em || Math.abs(above.y - whole.y) > NEIGHBOUR_HEIGHTS * em) return undefined;
  const starts = (r: TextRun) => Math.abs(r.x - above.x0) <= ALIGN_EM * em;
  if (!row.some(starts)) return undefined;
  const first = row.filter(starts).reduce((a, b) => (b.x < a.x ? b : a));
  const bodyX = first.x;
  const note = row.filter((r) => r.x < bodyX);
  // Every run holds a character at least: more runs than a note has characters are no note.
  if (!note.length || note.length > MAX_NOTE_CHARS) return undefined;
  const sized = Math.abs(extent(note).height - first.height) >= OTHER_SIZE * first.height;
  const gap = (sized ? SIZED_NOTE_GAP_EM : NOTE_GAP_EM) * em;
  if (note.some((r) => r.x + r.width > bodyX - gap)) return undefined;
  const body = row.filter((r) => r.x >= bodyX);
  const text = toLine(note).text.trim();
  if (!text || text.length > MAX_NOTE_CHARS || text.split(/\s+/).length > MAX_NOTE_WORDS || LIST_MARKER.test(text)) return undefined;
  if (!/^\p{Ll}/u.test(first.str.trimStart())) return undefined;
  return { note, body };
}
