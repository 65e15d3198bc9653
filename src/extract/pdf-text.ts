// A PDF page's text layer as lines in reading order: pdf.js text runs and filled-in form fields (pdf-fields.ts) to
// pdf-layout.ts, rotated text after them.
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { layoutPage, type Line, type TextRun } from './pdf-layout.js';
import { annotationRuns } from './pdf-fields.js';
import { joinLetterSpaced } from './pdf-letter-spacing.js';

export type PageLine = Pick<Line, 'text' | 'margin' | 'cells'>;

// A space item between runs closer than this (a justified line's or a kerned word's, 0.001-0.014 em in the PDFs seen)
// is set inside a word, not between two.
const MIN_SPACED_GAP_EM = 0.02;
// The same text this close to where it was drawn before is drawn over it (a fake bold is offset 0.02-0.05 em); across,
// in ems of the font's width (a font scaled 6 pt wide and 128 tall sets its letters 5 pt apart).
const DUPLICATE_EM = 0.1;
const MAX_DUPLICATE_PT = 4;
// Glyphs sheared further than this (horizontal over vertical, about 27°) are not type slanted for italics.
const MAX_SLANT = 0.5;

interface TextItemLike {
  str: string;
  dir?: string;
  hasEOL?: boolean;
  transform: number[];
  width: number;
  height: number;
}

/**
 * The page's lines, and how many non-space characters its text layer holds: whether a page is a scan is decided on
 * the layer alone, so a scanned form with its answers filled in is still read by OCR (which sees the answers drawn).
 */
export async function pageLines(doc: PDFDocumentProxy, p: number): Promise<{ lines: PageLine[]; layerChars: number }> {
  const page = await doc.getPage(p);
  try {
    const tc = await page.getTextContent();
    const runs: TextRun[] = [];
    const turned: TextItemLike[] = [];
    // A space the PDF writes between two words keeps them apart though set narrower than a word gap: OCR layers
    // (JSTOR's, scanners') place each word at its position on the scan, 0.05-0.15 em apart with a space between.
    let spaceAfter: TextRun | undefined;
    const drawn = drawnText();
    for (const raw of tc.items) {
      if (!('str' in raw)) continue;
      const it = raw as TextItemLike;
      const [a = 1, b = 0, c = 0, d = 1, x = 0, y = 0] = it.transform;
      // Upright horizontal text is laid out by position; anything turned (margin stamps, rotated tables) keeps
      // the order it was written in. Slanted type (an italic made by shearing the upright font) is horizontal text:
      // taken for turned, "Can-" / "nabis" of an italic "Cannabis" were read at the page's end, after its footer.
      if (Math.abs(b) > 1e-3 * Math.abs(a) || Math.abs(c) > MAX_SLANT * Math.abs(d) || a <= 0 || d <= 0) {
        turned.push(it);
        continue;
      }
      // A glyph its font maps to no character (U+0000) is a space too: set alone, in a font of its own, it is an
      // apostrophe or a dash between two words ("dell'impugnazione"), and dropped it would join them.
      if (it.str && !it.str.replace(/\0/g, '').trim()) {
        spaceAfter = runs.at(-1);
        continue;
      }
      const height = Math.abs(it.height) || Math.abs(d) || 10;
      // Text drawn twice in one place (a fake bold, a block of a report repeated over itself) is read once, as
      // pdftotext reads it: twice, its row read "Whole Foods Market inThe following table in…".
      if (drawn(it.str, x, y, DUPLICATE_EM * Math.abs(a), DUPLICATE_EM * height)) continue;
      const width = Math.max(0, it.width);
      const rtl = it.dir === 'rtl';
      const prev = spaceAfter;
      spaceAfter = undefined;
      if (prev && !rtl && !prev.rtl && Math.abs(prev.y - y) < 0.5 * height && x - (prev.x + prev.width) >= MIN_SPACED_GAP_EM * height && !/\s$/.test(prev.str)) prev.str += ' ';
      runs.push({ str: rtl ? it.str : joinLetterSpaced(it.str, width, height), x, y, width, height, rtl });
    }
    const fields = annotationRuns(await page.getAnnotations({ intent: 'display' }).catch(() => []));
    const lines: PageLine[] = layoutPage(runs, fields);
    const rest = streamText(turned);
    const layerChars = [...runs.map((r) => r.str), rest].join('').replace(/\s/g, '').length;
    return { lines: rest ? [...lines, ...rest.split('\n').map((text) => ({ text }))] : lines, layerChars };
  } finally {
    page.cleanup();
  }
}

/**
 * Whether a string was drawn before within tolX across and tolY up or down of (x, y); remembered if not. Positions are
 * kept in 1-pt cells, so a page of a hundred thousand one-letter runs costs a few lookups a run, not a scan of them all.
 * The search reaches at most MAX_DUPLICATE_PT: a fake bold is offset well under that in any type size.
 */
function drawnText(): (str: string, x: number, y: number, tolX: number, tolY: number) => boolean {
  // By string first: most runs are drawn once, and a string never seen before costs one lookup, not a key per cell.
  const byString = new Map<string, Map<string, { x: number; y: number }[]>>();
  return (str, x, y, tolX, tolY) => {
    const cx = Math.floor(x);
    const cy = Math.floor(y);
    let cells = byString.get(str);
    if (cells) {
      const kx = Math.min(MAX_DUPLICATE_PT, Math.ceil(tolX));
      const ky = Math.min(MAX_DUPLICATE_PT, Math.ceil(tolY));
      for (let dx = -kx; dx <= kx; dx++) {
        for (let dy = -ky; dy <= ky; dy++) {
          if (cells.get(`${cx + dx}|${cy + dy}`)?.some((q) => Math.abs(q.x - x) <= tolX && Math.abs(q.y - y) <= tolY)) return true;
        }
      }
    } else byString.set(str, (cells = new Map()));
    const k = `${cx}|${cy}`;
    const at = cells.get(k);
    if (at) at.push({ x, y });
    else cells.set(k, [{ x, y }]);
    return false;
  };
}

/** Text in content-stream order, a new line where pdf.js marks one. */
function streamText(items: TextItemLike[]): string {
  let out = '';
  for (const it of items) {
    out += it.str;
    if (it.hasEOL) out += '\n';
  }
  return out.trim();
}
