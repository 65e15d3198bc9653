// Upside-down pages from the ink alone, before any reading. In Latin script more letters rise above the x-height
// (capitals, digits, b d f h k l t) than fall below it (g j p q y), so on a levelled page each text line has more ink
// above its core band than below, and an upside-down page the reverse: on the fixtures and the corpus the ratio is
// 3.5 to 10 either way. Read upright first, an upside-down page costs two readings and orientation detection; the
// guess saves one. The same votes, on a sideways page turned a quarter, say which quarter, where tesseract's OSD
// (a second engine, started for it) was asked before. A wrong turn costs time only: a doubtful first reading still
// falls back to OSD. A page the ink clearly calls upright is not sent to OSD when its reading is doubtful: upside-down
// Latin text votes the other way, so the doubt comes from the page (dot leaders, a form, noise), not its orientation.
import type { InkMask } from './ocr-prep.js';
import type { Skew } from './ocr-skew.js';

// A line votes when one side has this many times the other's ink; the page needs this many votes, nearly all one way.
const LINE_MARGIN = 1.5;
const MIN_VOTES = 3;
const MAJORITY = 3;
// Rows with less ink than this share of the busiest row are gaps between lines.
const GAP_SHARE = 0.03;
// A line's core (x-height band): its rows with at least this share of its busiest row.
const CORE_SHARE = 0.4;
// Vertical strips voted in separately: about a column's width or less on pages of two to four columns.
const STRIPS = 4;

// Scripts whose letters rise and fall as Latin does, by tesseract language code.
const LATIN = new Set(('afr cat ces cym dan deu eng epo est eus fin fra gle glg hrv hun ind isl ita lat lav lit msa nld nor pol ' +
  'por ron slk slv spa sqi swe tgl tur vie').split(' '));

/** Whether every language of a tesseract language list (`eng+deu`) is written in Latin script. */
export function latinScript(lang: string): boolean {
  return lang.split('+').every((l) => LATIN.has(l.trim()));
}

// Short of a majority, the votes still lean one way when one side has this many times the other's.
const LEAN = 2;

/**
 * Which way up the levelled page's lines say it is, from one count of their votes: `way` 'up' with clearly more ink
 * above their cores than below, 'down' with clearly more below, undefined when they do not say (a sideways page, fewer
 * than three lines, a split vote); `leansDown` when, short of that, over twice as many vote down as up (a small 96-dpi
 * page turned 185° voted 16 to 6; read as it lay, it came out as noise).
 */
export function inkWay(m: InkMask, skew: Skew): { way: 'up' | 'down' | undefined; leansDown: boolean } {
  if (skew.sideways) return { way: undefined, leansDown: false };
  const votes = lineVotes(m, skew.angleDeg);
  return { way: verdict(votes), leansDown: votes.lines >= MIN_VOTES && votes.down > LEAN * votes.up };
}

/** 'up' or 'down' when enough lines voted, nearly all one way; undefined otherwise. */
function verdict({ up, down, lines }: { up: number; down: number; lines: number }): 'up' | 'down' | undefined {
  if (lines < MIN_VOTES) return undefined;
  if (down >= MAJORITY * up) return 'down';
  if (up >= MAJORITY * down) return 'up';
  return undefined;
}

/** True when the levelled page's lines have clearly more ink below their core than above it. */
export function looksUpsideDown(m: InkMask, skew: Skew): boolean {
  return inkWay(m, skew).way === 'down';
}

/**
 * For a sideways page, the clockwise turn (90 or 270) after which its lines have their ascenders on top; undefined
 * when the ink does not say clearly, and then orientation detection decides as before.
 */
export function quarterTurnFromInk(m: InkMask, skew: Skew): 90 | 270 | undefined {
  if (!skew.sideways) return undefined;
  const way = verdict(lineVotes(quarterTurn(m), skew.angleDeg));
  return way === 'up' ? 90 : way === 'down' ? 270 : undefined;
}

/** The mask turned a quarter clockwise, as the page is turned by 90: (x, y) goes to (height - 1 - y, x). */
export function quarterTurn(m: InkMask): InkMask {
  const { width: w, height: h } = m;
  const bits = new Uint8Array(w * h);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i++) if (m.bits[i]) bits[x * h + (h - 1 - y)] = 1;
  return { bits, width: h, height: w, scale: m.scale };
}

/**
 * Text lines of the levelled page with clearly more ink above their core (up) or below it (down), counted in vertical
 * strips: side by side, columns of different line pitch fill each other's gaps in a whole-row profile, and a landscape
 * page of two such columns voted 14 to 3 for upside down. `lines` is the most lines one strip had.
 */
export function lineVotes(m: InkMask, angleDeg: number): { up: number; down: number; lines: number } {
  let up = 0;
  let down = 0;
  let lines = 0;
  for (const rows of levelledRows(m, angleDeg)) {
    const v = stripVotes(rows);
    up += v.up;
    down += v.down;
    lines = Math.max(lines, v.up + v.down);
  }
  return { up, down, lines };
}

function stripVotes(rows: Int32Array): { up: number; down: number } {
  let peak = 0;
  for (const v of rows) peak = Math.max(peak, v);
  const gap = Math.max(1, peak * GAP_SHARE);
  const bands: [number, number][] = [];
  for (let i = 0; i < rows.length; ) {
    if (rows[i]! < gap) {
      i++;
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j]! >= gap) j++;
    if (j - i >= 4) bands.push([i, j]);
    i = j;
  }
  // Pictures and rules make bands of other heights: only bands of about a text line's height vote.
  const heights = bands.map(([a, b]) => b - a).sort((a, b) => a - b);
  const typical = heights[heights.length >> 1] ?? 0;
  let up = 0;
  let down = 0;
  for (const [a, b] of bands) {
    if (b - a > 2 * typical) continue;
    let max = 0;
    for (let k = a; k < b; k++) max = Math.max(max, rows[k]!);
    let top = a;
    while (rows[top]! < CORE_SHARE * max) top++;
    let bottom = b - 1;
    while (rows[bottom]! < CORE_SHARE * max) bottom--;
    let above = 0;
    let below = 0;
    for (let k = a; k < top; k++) above += rows[k]!;
    for (let k = bottom + 1; k < b; k++) below += rows[k]!;
    if (above > LINE_MARGIN * below) up++;
    else if (below > LINE_MARGIN * above) down++;
  }
  return { up, down };
}

/** Ink per row once the page is levelled (rotated by -angle about its centre), top row first, in STRIPS strips. */
function levelledRows(m: InkMask, angleDeg: number): Int32Array[] {
  const r = (angleDeg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  const cx = m.width / 2;
  const cy = m.height / 2;
  const offset = Math.ceil(Math.hypot(m.width, m.height) / 2) + 1;
  const strips = Array.from({ length: STRIPS }, () => new Int32Array(offset * 2 + 2));
  const stripWidth = m.width / STRIPS;
  for (let y = 0, i = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++, i++) {
      if (!m.bits[i]) continue;
      const k = Math.min(STRIPS - 1, Math.max(0, Math.floor(((x - cx) * c + (y - cy) * s + cx) / stripWidth)));
      strips[k]![Math.round((y - cy) * c - (x - cx) * s) + offset]!++;
    }
  }
  return strips;
}
