// Skew and sideways pages by projection profiles on the ink mask, and the mask levelled for row measurements.
// Pure functions: no canvas, no OCR engine.
import type { InkMask } from './ocr-prep.js';

export interface Skew {
  /** Degrees, clockwise on screen: rotating the page by -angleDeg (after a quarter turn if sideways) levels it. */
  angleDeg: number;
  /** Text lines run top to bottom: the page needs a quarter turn (which way is for orientation detection to say). */
  sideways: boolean;
}

/**
 * The mask turned by -angleDeg about its centre (nearest pixel, same size), so that a skewed page's rules run along
 * rows: at 1° a rule of 100 mask pixels drifts by almost two rows, and its runs break.
 */
export function levelledMask(m: InkMask, angleDeg: number): InkMask {
  if (angleDeg === 0) return m;
  const r = (angleDeg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  const cx = m.width / 2;
  const cy = m.height / 2;
  const bits = new Uint8Array(m.bits.length);
  for (let y = 0, i = 0; y < m.height; y++) {
    const dy = y - cy;
    for (let x = 0; x < m.width; x++, i++) {
      // Where this levelled pixel was on the page, which is turned clockwise by angleDeg.
      const dx = x - cx;
      const sx = Math.round(cx + dx * c - dy * s);
      const sy = Math.round(cy + dx * s + dy * c);
      if (sx >= 0 && sy >= 0 && sx < m.width && sy < m.height) bits[i] = m.bits[sy * m.width + sx]!;
    }
  }
  return { ...m, bits };
}

/** Row counts after rotating the ink points by -deg. */
function rowProfile(xs: Float32Array, ys: Float32Array, deg: number, bins: Int32Array, offset: number): Int32Array {
  const r = (deg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  bins.fill(0);
  for (let i = 0; i < xs.length; i++) {
    const k = Math.round(ys[i]! * c - xs[i]! * s) + offset;
    bins[k] = bins[k]! + 1;
  }
  return bins;
}

/** Sum of squared row counts after rotating the ink points by -deg: high when text lines line up with rows. */
function profileScore(xs: Float32Array, ys: Float32Array, deg: number, bins: Int32Array, offset: number): number {
  let score = 0;
  for (const b of rowProfile(xs, ys, deg, bins, offset)) score += b * b;
  return score;
}

/**
 * Sum of squared row counts less their local mean (within `window` rows either way): what is left is the alternation
 * of text lines and the gaps between them. Columns, margins and blocks vary over many lines and drop out.
 */
function lineScore(xs: Float32Array, ys: Float32Array, deg: number, bins: Int32Array, offset: number, window: number): number {
  const p = rowProfile(xs, ys, deg, bins, offset);
  const prefix = new Float64Array(p.length + 1);
  for (let i = 0; i < p.length; i++) prefix[i + 1] = prefix[i]! + p[i]!;
  let score = 0;
  for (let k = 0; k < p.length; k++) {
    const a = Math.max(0, k - window);
    const e = Math.min(p.length, k + window + 1);
    score += (p[k]! - (prefix[e]! - prefix[a]!) / (e - a)) ** 2;
  }
  return score;
}

/** The best whole degree within ±maxDeg. */
function coarseAngle(xs: Float32Array, ys: Float32Array, maxDeg: number, bins: Int32Array, offset: number): { deg: number; score: number } {
  let best = { deg: 0, score: profileScore(xs, ys, 0, bins, offset) };
  for (let d = -maxDeg; d <= maxDeg; d += 1) {
    if (d === 0) continue;
    const score = profileScore(xs, ys, d, bins, offset);
    if (score > best.score) best = { deg: d, score };
  }
  return best;
}

/** Narrows a coarse angle to a tenth of a degree. */
function refineAngle(xs: Float32Array, ys: Float32Array, coarse: { deg: number; score: number }, bins: Int32Array, offset: number): number {
  let best = coarse;
  for (const step of [0.5, 0.1]) {
    const around = best.deg;
    for (let d = around - step * 4; d <= around + step * 4 + 1e-9; d += step) {
      const score = profileScore(xs, ys, d, bins, offset);
      if (score > best.score) best = { deg: Math.round(d * 10) / 10, score };
    }
  }
  return best.deg;
}

// Whether text runs sideways is judged on rows within this many glyph heights of each other.
const LINE_WINDOW_GLYPHS = 1.5;
// Sideways only when the turned profile is clearly sharper: a page of pictures or a table can go either way.
const SIDEWAYS_MARGIN = 1.3;
const MAX_SKEW_DEG = 15;
const MAX_POINTS = 10_000;

/**
 * Skew by projection profiles: the angle within ±15° whose rows separate the text lines best, tried on the page as it
 * is and turned a quarter (sideways text). Points are subsampled so a full page costs a few milliseconds.
 *
 * With the glyph height (mask pixels), which way the lines run is judged on the alternation of lines and gaps alone.
 * The whole profile's sharpness also counts a page's columns: a two-column page turned a quarter, its columns' gutter
 * and margins as sharp across as its lines, was taken for upright (1.2× and 0.9× where 1.3× was asked) and read by
 * tesseract sideways, title lost and columns interleaved.
 */
export function estimateSkew(m: InkMask, glyph?: number): Skew {
  let ink = 0;
  for (let i = 0; i < m.bits.length; i++) ink += m.bits[i]!;
  if (ink < 50) return { angleDeg: 0, sideways: false };
  // Every step-th ink pixel in reading order, without listing them all first.
  const step = Math.max(1, Math.floor(ink / MAX_POINTS));
  const n = Math.floor(ink / step);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const cx = m.width / 2;
  const cy = m.height / 2;
  for (let i = 0, seen = 0, k = 0; k < n; i++) {
    if (!m.bits[i]) continue;
    if (seen++ % step === 0) {
      xs[k] = (i % m.width) - cx;
      ys[k++] = Math.floor(i / m.width) - cy;
    }
  }
  const offset = Math.ceil(Math.hypot(m.width, m.height) / 2) + 1;
  const bins = new Int32Array(offset * 2 + 2);
  const upright = coarseAngle(xs, ys, MAX_SKEW_DEG, bins, offset);
  // A quarter turn clockwise maps (x, y) to (-y, x) about the centre.
  const turnedYs = Float32Array.from(ys, (y) => -y);
  const turned = coarseAngle(turnedYs, xs, MAX_SKEW_DEG, bins, offset);
  // Only the orientation kept is refined.
  if (sideways(xs, ys, turnedYs, upright, turned, bins, offset, glyph)) return { angleDeg: refineAngle(turnedYs, xs, turned, bins, offset), sideways: true };
  return { angleDeg: refineAngle(xs, ys, upright, bins, offset), sideways: false };
}

type Angle = { deg: number; score: number };

/** Whether the quarter-turned profile is clearly the sharper: by its lines where the glyph height is known. */
function sideways(xs: Float32Array, ys: Float32Array, turnedYs: Float32Array, upright: Angle, turned: Angle, bins: Int32Array, offset: number, glyph: number | undefined): boolean {
  if (glyph === undefined) return turned.score > upright.score * SIDEWAYS_MARGIN;
  const window = Math.max(1, Math.round(LINE_WINDOW_GLYPHS * glyph));
  return lineScore(turnedYs, xs, turned.deg, bins, offset, window) > SIDEWAYS_MARGIN * lineScore(xs, ys, upright.deg, bins, offset, window);
}
