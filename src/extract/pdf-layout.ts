// Reading order of a PDF page's text from its geometry: runs grouped into lines (pdf-rows.ts), columns found by their
// gutters and read one after the other, full-width lines (titles, headers, footers) kept in place.
// Pure functions over positioned text runs; pdf.ts feeds them from pdf.js.
import type { CharBudget } from './normalize.js';
import { liftMarginNotes } from './pdf-margin-notes.js';
import { buildLines, buildRows, joinDropCaps, placeInRows, rangeOf, sameRow, streamRows, toLine, standApart, topDown, type Line, type TextRun } from './pdf-rows.js';
import type { Section } from './types.js';

export type { Line, TextRun } from './pdf-rows.js';

interface Gutter {
  x: number;
}

// Half a space either side bridges the gaps between words, never a column gutter.
const WORD_GAP_EM = 0.5;
// Rows separated from the column text by more than this many line pitches sit outside it (headers, footers).
const MARGIN_GAP_PITCHES = 2.5;
// Most rows of a table have three cell gaps (CELL_GAP_EM, pdf-rows.ts) or more.
const CELL_GAPS = 3;
const CELL_ROW_SHARE = 0.5;
// ...and most of their cells are a word or two.
const CELL_MAX_WORDS = 2;
const SHORT_CELL_SHARE = 0.75;
// Gutter searches nest at most this deep (up to 8 columns): a page of a few dozen words cannot split further anyway.
const MAX_COLUMN_SPLITS = 3;

/**
 * Orders one page's horizontal text runs into lines. Runs that are not horizontal are the caller's. `placed` runs
 * (filled-in form fields) have a position but no place in the written order: they join the line they are level with.
 */
export function layoutPage(runs: TextRun[], placed: TextRun[] = []): Line[] {
  const written = runs.filter((r) => r.str.trim() && r.width >= 0);
  const fields = placed.filter((r) => r.str.trim() && r.width >= 0);
  const rs = [...written, ...fields];
  if (!rs.length) return [];
  const gutters = findGutters(written.length ? written : rs);
  // Without columns the order the page was written in is kept: it is right far more often than geometry is for
  // boxes, captions and sidebars (measured on the corpus), and it is what pdftotext's reading order follows too.
  if (!gutters.length) {
    const isField = new Set(fields);
    // A row an answer joined, or one whose runs stand apart, is read left to right; the rest (runs written over each
    // other, right-to-left text) keep the order they were written in.
    const rows = liftMarginNotes(placeInRows(topDown(streamRows(written)), fields));
    return markMargins(joinDropCaps(rows.map((row) => toLine(row, row.some((r) => isField.has(r)) || standApart(row)))));
  }
  const crosses = (r: TextRun) => gutters.some((g) => r.x < g && r.x + r.width > g);
  // Rows are built per column: across the page, a line of one column would chain the lines of another whose
  // baselines it straddles. A row with a run across a gutter (a title, an author line) is read across, and the
  // column rows level with it join it.
  const spanRows = buildRows(rs.filter(crosses));
  // A run that crosses no gutter lies in the column right of every gutter it starts at or after.
  const columnOf = (r: TextRun) => gutters.filter((g) => r.x >= g).length;
  const columns = [...gutters, Infinity].map((_, i) => {
    const out: Line[] = [];
    for (const row of liftMarginNotes(buildRows(rs.filter((r) => !crosses(r) && columnOf(r) === i)))) {
      const level = spanRows.find((sr) => sr.some((a) => row.some((b) => sameRow(a, b))));
      if (level) level.push(...row);
      else out.push(toLine(row));
    }
    return joinDropCaps(out);
  });
  return orderColumns(columns, spanRows.map((r) => toLine(r)));
}

/**
 * The page's column gutters, left to right: a gutter splits the text in two, and each side is searched again, so a
 * three-column newsletter or a sidebar beside two columns is found as well as a two-column paper.
 */
export function findGutters(runs: TextRun[], depth = 0): number[] {
  const gutter = depth < MAX_COLUMN_SPLITS ? findGutter(runs) : undefined;
  if (!gutter) return [];
  const g = gutter.x;
  const left = findGutters(runs.filter((r) => r.x + r.width <= g), depth + 1);
  const right = findGutters(runs.filter((r) => r.x >= g), depth + 1);
  return [...left, g, ...right];
}

/**
 * A vertical band in the middle of the text that (almost) no run crosses, with column-wide lines on both sides:
 * two columns. Tables have gutters too, but their cells are short; their rows stay rows.
 */
export function findGutter(runs: TextRun[]): Gutter | undefined {
  const x0 = rangeOf(runs, (r) => r.x)[0];
  const x1 = rangeOf(runs, (r) => r.x + r.width)[1];
  const w = x1 - x0;
  if (w <= 0 || runs.length < 10) return undefined;
  const bins = Math.ceil(w);
  const cover = new Int32Array(bins + 1);
  for (const r of runs) {
    const pad = WORD_GAP_EM * r.height;
    const a = Math.max(0, Math.floor(r.x - pad - x0));
    const b = Math.min(bins, Math.ceil(r.x + r.width + pad - x0));
    for (let i = a; i <= b; i++) cover[i]!++;
  }
  // The emptiest stretch between 30% and 70% of the text width; its middle is the gutter.
  const lo = Math.floor(w * 0.3);
  const hi = Math.ceil(w * 0.7);
  let min = Infinity;
  for (let i = lo; i <= hi; i++) min = Math.min(min, cover[i]!);
  let best: [number, number] | undefined;
  for (let i = lo; i <= hi; i++) {
    if (cover[i] !== min) continue;
    let j = i;
    while (j + 1 <= hi && cover[j + 1] === min) j++;
    if (!best || j - i > best[1] - best[0]) best = [i, j];
    i = j;
  }
  if (!best) return undefined;
  const g = x0 + (best[0] + best[1]) / 2;
  const left = buildLines(runs.filter((r) => r.x + r.width <= g));
  const right = buildLines(runs.filter((r) => r.x >= g));
  const crossing = runs.filter((r) => r.x < g && r.x + r.width > g).length;
  if (left.length < 5 || right.length < 5 || crossing > 0.2 * (left.length + right.length)) return undefined;
  // Column text fills its column: most lines are more than half as wide as it.
  const filled = (ls: Line[], from: number, to: number) => median(ls.map((l) => l.x1 - l.x0)) >= 0.5 * (to - from);
  const lx0 = rangeOf(left, (l) => l.x0)[0];
  const rx1 = rangeOf(right, (l) => l.x1)[1];
  if (!filled(left, lx0, g) || !filled(right, g, rx1)) return undefined;
  // A wide table's halves fill their sides too, row by row; but its rows are four cells or more, far apart, where
  // a row across two columns has one wide gap (the gutter), two with a dot leader.
  if (isTable(runs)) return undefined;
  return { x: g };
}

/**
 * Whether most rows are table rows: CELL_GAPS gaps of CELL_GAP_EM or more between neighbouring runs, and short cells
 * (a code, a number, a name). Narrow columns of text are as far apart, but their lines are several words each.
 */
function isTable(runs: TextRun[]): boolean {
  const rows = buildRows(runs);
  const tableRows = rows.filter((row) => {
    const cells = toLine(row).cells ?? [];
    const short = cells.filter((c) => c.split(/\s+/).length <= CELL_MAX_WORDS).length;
    return cells.length > CELL_GAPS && short >= SHORT_CELL_SHARE * cells.length;
  });
  return tableRows.length > CELL_ROW_SHARE * rows.length;
}

/**
 * Reads column by column between full-width lines: each full-width line closes a band, and a band's columns are
 * read left to right. Rows at a band's top or bottom that stand apart from the columns (running headers, footers,
 * page numbers) are read across, as full-width lines are.
 */
function orderColumns(columns: Line[][], span: Line[]): Line[] {
  const pitch = median(columns.flatMap(pitches)) || 12;
  const breaks = [...span].sort((a, b) => b.y - a.y);
  const bands: Line[][][] = [...breaks, undefined].map(() => columns.map(() => []));
  // A line belongs to the band above the first break below it.
  const band = (l: Line) => bands[breaks.filter((b) => b.y > l.y).length]!;
  columns.forEach((col, i) => {
    for (const l of col) band(l)[i]!.push(l);
  });
  const out: Line[] = [];
  bands.forEach((b, i) => {
    out.push(...readBand(b, pitch));
    const stop = breaks[i];
    if (stop) out.push(stop);
  });
  return markMargins(out, pitch);
}

function readBand(columns: Line[][], pitch: number): Line[] {
  const rows = columns.flat().sort((a, b) => b.y - a.y);
  const ys = [...new Set(rows.map((l) => l.y))];
  // Peel rows off the top and bottom while a wide gap separates them from the rest.
  const gap = MARGIN_GAP_PITCHES * pitch;
  let top = 0;
  while (top < ys.length - 1 && ys[top]! - ys[top + 1]! > gap) top++;
  let bottom = ys.length - 1;
  while (bottom > top && ys[bottom - 1]! - ys[bottom]! > gap) bottom--;
  const head = ys.slice(0, top);
  const foot = ys.slice(bottom + 1);
  const across = (y: number) => rows.filter((l) => l.y === y).sort((a, b) => a.x0 - b.x0);
  const body = (ls: Line[]) => ls.filter((l) => !head.includes(l.y) && !foot.includes(l.y));
  return [...head.flatMap(across), ...columns.flatMap(body), ...foot.flatMap(across)];
}

/** Flags the lines at the top and bottom of the page that a wide gap sets apart from the rest. */
function markMargins(lines: Line[], pitchHint?: number): Line[] {
  const ys = [...new Set(lines.map((l) => l.y))].sort((a, b) => b - a);
  const pitch = pitchHint ?? (median(pitches(ys.map((y) => ({ y }) as Line)).filter((d) => d > 1)) || 12);
  const gap = MARGIN_GAP_PITCHES * pitch;
  const marked = new Set<number>();
  for (let i = 0; i < ys.length - 1 && ys[i]! - ys[i + 1]! > gap; i++) marked.add(ys[i]!);
  for (let i = ys.length - 1; i > 0 && ys[i - 1]! - ys[i]! > gap; i--) marked.add(ys[i]!);
  for (const l of lines) if (marked.has(l.y)) l.margin = true;
  return lines;
}

function pitches(ls: Line[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < ls.length; i++) {
    const d = ls[i - 1]!.y - ls[i]!.y;
    if (d > 0) out.push(d);
  }
  return out;
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

// A running header or footer can be a block: a rule, a title, a page number and a date under the text of every page.
const BLOCK_LINES = 4;

/**
 * Running headers and footers: a page's first or last line, or a line set apart at its top or bottom, that recurs
 * (digits aside, words in any order: "Page 3 of 9"; or each of its lettered parts) on at least half of the pages, two
 * at least, is kept where it first appears and
 * dropped elsewhere, so it does not fill every chunk and dominate keyword search. The lines just inside such a line
 * (four lines from the edge in all) go with it when each recurs in the same place on at least 80% of the pages, three
 * at least: a handbook's footer of a rule, its title, "Page 1-3" and its edition date kept all but the date on 449 of
 * 478 pages otherwise. Body lines that repeat now and then are not touched.
 */
export function dropRunningLines(pages: Pick<Line, 'text' | 'margin' | 'cells'>[][]): string[][] {
  // Digits aside, and words in any order: a book's footers mirror on facing pages ("Page 40 Publication 15" on the
  // left, "Publication 15 Page 41" on the right), and each alone recurs on only half of them.
  const key = (s: string) => s.toLowerCase().replace(/\d+/g, '#').split(/\s+/).filter(Boolean).sort().join(' ');
  const usable = (k: string) => k.length > 0 && k.length <= 120;
  const isEdge = (lines: Pick<Line, 'text' | 'margin'>[], i: number) => i === 0 || i === lines.length - 1 || !!lines[i]!.margin;
  // An edge line counts as itself and as each of its parts: a footer is "Page 4" on one page, "Page 40 ... Publication
  // 15" on another, its parts on lines of their own on a third. Parts without a letter (a page number, a year) say
  // nothing alone: a table's header row "2019 2020 2021" is not furniture because page numbers are.
  const parts = (l: Pick<Line, 'cells'>) => (l.cells ?? []).filter((c) => /\p{L}/u.test(c)).map(key);
  // A line's own key and its parts' keys, worked out once (the count, the verdict and the dedupe all ask), and only for
  // the lines near a page's edges that are asked about.
  const memo = new Map<Pick<Line, 'text' | 'cells'>, { k: string; ps: string[] }>();
  const keysOf = (l: Pick<Line, 'text' | 'cells'>) => {
    let v = memo.get(l);
    if (!v) memo.set(l, (v = { k: key(l.text), ps: parts(l) }));
    return v;
  };
  // The line `d` places in from the top (or the bottom) of a page, keyed by that place.
  const inner = (lines: Pick<Line, 'text' | 'cells'>[], d: number, fromBottom: boolean) => {
    const i = fromBottom ? lines.length - 1 - d : d;
    return i > 0 && i < lines.length - 1 ? `${fromBottom ? 'b' : 't'}${d}\0${keysOf(lines[i]!).k}` : '';
  };
  const counts = new Map<string, number>();
  const withText = pages.filter((p) => p.length);
  for (const lines of withText) {
    const keys = new Set(lines.filter((l, i) => isEdge(lines, i)).flatMap((l) => [keysOf(l).k, ...keysOf(l).ps]).filter(usable));
    for (let d = 1; d < BLOCK_LINES; d++) for (const b of [false, true]) keys.add(inner(lines, d, b));
    keys.delete('');
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const n = withText.length;
  const running = (k: string) => usable(k) && (counts.get(k) ?? 0) >= Math.max(2, n / 2);
  const runningInner = (k: string) => !!k && usable(k.slice(k.indexOf('\0') + 1)) && (counts.get(k) ?? 0) >= Math.max(3, 0.8 * n);
  const seen = new Set<string>();
  return pages.map((lines) => {
    const furniture = lines.map((l, i) => {
      if (!isEdge(lines, i)) return false;
      const { k, ps } = keysOf(l);
      return running(k) || (ps.length > 0 && ps.every(running));
    });
    for (const fromBottom of [false, true]) {
      for (let d = 1; d < BLOCK_LINES; d++) {
        const i = fromBottom ? lines.length - 1 - d : d;
        const outer = fromBottom ? i + 1 : i - 1;
        if (i <= 0 || i >= lines.length - 1 || !furniture[outer]) break;
        if (runningInner(inner(lines, d, fromBottom))) furniture[i] = true;
        else break;
      }
    }
    return lines
      .filter((l, i) => {
        if (!furniture[i]) return true;
        const { k, ps } = keysOf(l);
        if (seen.has(k) || (ps.length && ps.every((p) => seen.has(p)))) return false;
        // Kept here, the footer is also kept in each of its parts: "Page 3" alone later is the same footer.
        for (const p of [k, ...ps]) seen.add(p);
        return true;
      })
      .map((l) => l.text);
  });
}

/**
 * The same for pages read by OCR, which come as text: blank lines at a page's top and bottom are not its edges. A
 * scanned report's letterhead and "Page 3" footer were otherwise in every chunk. Three pages at least: a two-page
 * scan (a letter, a form and its back) keeps what it repeats.
 */
export function dropRunningText(pages: string[]): string[] {
  if (pages.length < 3) return pages;
  return dropRunningLines(pages.map((t) => t.trim().split('\n').map((text) => ({ text })))).map((lines) => lines.join('\n'));
}

/**
 * Sections of pages read by OCR (page order), their running lines kept once (dropRunningText), each taking its
 * share of the document's character budget.
 */
export function scannedPageSections(read: { page?: number; text: string }[], budget: CharBudget): Section[] {
  const kept = dropRunningText(read.map((r) => r.text));
  const sections: Section[] = [];
  read.forEach((r, i) => {
    if (kept[i]!.trim()) sections.push({ text: budget.take(kept[i]!), loc: r.page ? { page: r.page } : {} });
  });
  return sections;
}
