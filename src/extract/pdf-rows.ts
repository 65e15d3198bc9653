// Lines of a PDF page from its text runs: runs level with each other make a row (a superscript included, a heading's
// neighbours in small type not), a row's runs are joined with spaces where the page sets words apart, and a drop cap
// goes back to its word. pdf-layout.ts orders the lines into columns.

// Runs this many ems apart in a row are cells: a table's, a footer's page number and title.
export const CELL_GAP_EM = 2;

export interface TextRun {
  str: string;
  /** Baseline start, PDF user space (y grows upwards). */
  x: number;
  y: number;
  width: number;
  /** Font size: the run's vertical extent is about [y - 0.25h, y + 0.85h]. */
  height: number;
  rtl?: boolean;
}

export interface Line {
  text: string;
  x0: number;
  x1: number;
  /** Baseline of the line's main text. */
  y: number;
  height: number;
  /** Set apart from the page's text by a wide gap at its top or bottom: where running headers and footers sit. */
  margin?: boolean;
  /** The line's parts when wide gaps (CELL_GAP_EM) split it: a footer's page number and title, a table's cells. */
  cells?: string[];
}

// A run written this many ems back over the one before it was placed apart from it, not after it. OCR layers whose
// word boxes overlap need no more than half an em (a test file of redacted words read 57% of pdftotext's words at 0,
// 71% at 1 em, 100% at 0.5); CJK text that sets a full-width comma half an em narrower gains a space after it.
const BACK_EM = 0.5;
// Two runs in a line's own size whose baselines differ by this many ems are two words.
const BASELINE_STEP_EM = 0.15;
// Runs more than this many times another's size do not make a row with it: a heading's extent spans lines of small type.
const MAX_ROW_SIZE_RATIO = 3;
// A drop cap is at least this many times its paragraph's type size, and sits beside its first lines (up to this many).
const DROP_CAP_SIZE = 2;
const DROP_CAP_LINES = 3;

/**
 * The least and greatest of f over items, by a loop: spread into Math.min, a page's or a row's hundreds of thousands of
 * runs overflow the call's arguments (RangeError past about 120,000 on Node 20).
 */
export function rangeOf<T>(items: readonly T[], f: (t: T) => number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of items) {
    const v = f(t);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Rows in the order the page was written: a run that is not level with the row before starts the next. */
export function streamRows(runs: TextRun[]): TextRun[][] {
  const out: TextRun[][] = [];
  let row: TextRun[] = [];
  for (const r of runs) {
    if (row.length && !joinsRow(row, r)) {
      out.push(row);
      row = [];
    }
    row.push(r);
  }
  if (row.length) out.push(row);
  return out;
}

// A page is taken for written from the bottom up when at least this share of the steps from one row to the next go up
// (pages written top down go up only where a column, a box or a header starts).
const BOTTOM_UP_SHARE = 0.9;
const MIN_ROWS_FOR_ORDER = 5;

/**
 * The rows top down when the page was written from the bottom up, else as written. A report's page of two tables,
 * each written from its last row up, read "净利润" (net profit), a last row, first, and its header last.
 */
export function topDown(rows: TextRun[][]): TextRun[][] {
  if (rows.length < MIN_ROWS_FOR_ORDER) return rows;
  let up = 0;
  for (let i = 1; i < rows.length; i++) if (baseline(rows[i]!) > baseline(rows[i - 1]!)) up++;
  return up >= BOTTOM_UP_SHARE * (rows.length - 1) ? [...rows].reverse() : rows;
}

/**
 * Whether a row's runs stand apart, none reaching over the next by a tenth of an em, in left-to-right text: their x
 * order is then the row's whatever order they were written in. A report's rows written from their last cell back, and
 * a form's values written before their labels ("01/27/2014 Name: Abalde … Date:"), read in place.
 */
export function standApart(row: TextRun[]): boolean {
  if (row.length < 2 || row.some((r) => r.rtl)) return false;
  const s = [...row].sort((a, b) => a.x - b.x);
  for (let i = 1; i < s.length; i++) if (s[i]!.x < s[i - 1]!.x + s[i - 1]!.width - 0.1 * Math.min(s[i]!.height, s[i - 1]!.height)) return false;
  return true;
}

/**
 * Runs with a position but no written order join the row they are level with (an answer beside its label); one
 * level with none starts a row of its own after the nearest row above it, or first when nothing is above.
 */
export function placeInRows(rows: TextRun[][], placed: TextRun[]): TextRun[][] {
  const out = rows.map((r) => [...r]);
  for (const r of [...placed].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const level = out.find((row) => row.some((o) => sameRow(o, r)));
    if (level) {
      level.push(r);
      continue;
    }
    let after = -1;
    let best = Infinity;
    out.forEach((row, i) => {
      const d = rangeOf(row, (o) => o.y)[0] - r.y;
      if (d > 0 && d <= best) {
        best = d;
        after = i;
      }
    });
    out.splice(after + 1, 0, [r]);
  }
  return out;
}

/** Groups runs into lines, top down: see buildRows. */
export function buildLines(runs: TextRun[]): Line[] {
  return buildRows(runs).map((r) => toLine(r));
}

/** Rows of runs, top down: vertical extents that overlap by half the smaller one share a row (superscripts too). */
export function buildRows(runs: TextRun[]): TextRun[][] {
  const sorted = [...runs].sort((a, b) => b.y - a.y || a.x - b.x);
  const rows: TextRun[][] = [];
  for (const r of sorted) {
    // Runs come top down, so only the last few rows can share r's baseline.
    let row: TextRun[] | undefined;
    for (let k = rows.length - 1; k >= Math.max(0, rows.length - 8) && !row; k--) if (joinsRow(rows[k]!, r)) row = rows[k];
    if (row) row.push(r);
    else rows.push([r]);
  }
  return rows.sort((a, b) => baseline(b) - baseline(a));
}

/** The row's tallest run: its baseline is the line's (a superscript's is higher). */
function tallest(row: TextRun[]): TextRun {
  return row.reduce((m, r) => (r.height > m.height ? r : m), row[0]!);
}

function baseline(row: TextRun[]): number {
  return tallest(row).y;
}

/**
 * Whether r joins a row: level with one of its runs of a comparable size. A heading in 38-pt type beside two lines of
 * 6-pt notes is level with both: through it, the second line joined the first, written over it ("no longermade sense").
 * A superscript or a subscript is about 0.6 of its line's size, well within.
 */
function joinsRow(row: TextRun[], r: TextRun): boolean {
  return row.some((o) => sameRow(o, r) && Math.max(o.height, r.height) <= MAX_ROW_SIZE_RATIO * Math.min(o.height, r.height));
}

export function sameRow(a: TextRun, b: TextRun): boolean {
  const lo = Math.max(a.y - 0.25 * a.height, b.y - 0.25 * b.height);
  const hi = Math.min(a.y + 0.85 * a.height, b.y + 0.85 * b.height);
  return hi - lo >= 0.5 * 1.1 * Math.min(a.height, b.height);
}

/** Joins a row's runs, in x order (right to left for RTL text) or, with `sort` false, as written. */
export function toLine(row: TextRun[], sort = true): Line {
  const rtl = row.filter((r) => r.rtl).length > row.length / 2;
  const rs = sort ? [...row].sort((a, b) => (rtl ? b.x - a.x : a.x - b.x)) : row;
  const main = tallest(row);
  let text = '';
  const cells: string[] = [];
  let cellStart = 0;
  let prev: TextRun | undefined;
  for (const r of rs) {
    const gap = prev ? (rtl ? prev.x - (r.x + r.width) : r.x - (prev.x + prev.width)) : 0;
    if (prev && gap >= CELL_GAP_EM * Math.min(prev.height, r.height)) {
      cells.push(text.slice(cellStart).trim());
      cellStart = text.length;
    }
    // Written out of order (a run placed back over or before the one written before it, by half an em or more): a
    // space, not a glued word. A form drew a line's hyphens over it after the line: "prescription or‐" then ended in a
    // hyphen, and the next line's "otherwise" was joined to it.
    const back = prev && !sort && (rtl ? r.x + r.width > prev.x + BACK_EM * Math.min(prev.height, r.height) : r.x < prev.x + prev.width - BACK_EM * Math.min(prev.height, r.height));
    // Words in the line's own size whose baselines differ are two words: an OCR layer of a skewed scan sets each word at
    // its own height, boxes overlapping ("peuples" and "du" 0.25 em apart in height read "peuplesdu"). A subscript
    // after a superscript (smaller than the line) is left alone.
    const stepped = prev && Math.abs(r.y - prev.y) >= BASELINE_STEP_EM * main.height && Math.min(prev.height, r.height) >= 0.9 * main.height;
    if (prev && (gap > 0.15 * Math.min(prev.height, r.height) || back || stepped) && !/\s$/.test(text) && !/^\s/.test(r.str)) text += ' ';
    text += r.str;
    prev = r;
  }
  const line: Line = { text, x0: rangeOf(row, (r) => r.x)[0], x1: rangeOf(row, (r) => r.x + r.width)[1], y: main.y, height: main.height };
  if (cells.length) line.cells = [...cells, text.slice(cellStart).trim()].filter(Boolean);
  return line;
}

/**
 * A drop cap (a paragraph's first letter set over two or three of its lines) is put back at the start of the first
 * line beside it: read as a line of its own, it split the paragraph's first word ("S" / "calable quantum computation").
 * That line is the topmost of those nearby (in row order, a cap's baseline sorts it below the lines beside it) whose
 * top is level with the cap's, that starts just right of it, in lower case.
 */
export function joinDropCaps(lines: Line[]): Line[] {
  const out = [...lines];
  for (let i = 0; i < out.length; i++) {
    const cap = out[i]!;
    if (!/^\p{Lu}$/u.test(cap.text)) continue;
    let best = -1;
    for (let j = Math.max(0, i - DROP_CAP_LINES); j <= Math.min(out.length - 1, i + 1); j++) {
      const l = out[j]!;
      const em = l.height;
      const beside = j !== i && cap.height >= DROP_CAP_SIZE * em && /^\p{Ll}/u.test(l.text) && l.x0 >= cap.x1 - 0.5 * em && l.x0 <= cap.x1 + 1.5 * em;
      const level = Math.abs(l.y + 0.85 * em - (cap.y + 0.85 * cap.height)) <= 0.3 * cap.height;
      if (beside && level && (best < 0 || l.y > out[best]!.y)) best = j;
    }
    if (best < 0) continue;
    out[best] = { ...out[best]!, text: cap.text + out[best]!.text, x0: cap.x0 };
    out.splice(i, 1);
    i--;
  }
  return out;
}
