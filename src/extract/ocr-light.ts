// Uneven lighting (a phone photo of a page, a lamp to one side, a curled scan darker at the spine): one global
// threshold calls the whole dim side ink, so text size, skew and orientation are measured on a dark slab and the
// page reads as nothing. Such pages are flat-fielded first: the paper's brightness is modelled as a smooth surface
// and every pixel divided by it. Evenly lit pages, and pages whose dark areas are pictures rather than shade, are
// left exactly as they are.
import type { Grey } from './ocr-prep.js';

// About this many tiles along the longer side; each tile's paper level is a high percentile of a sparse sample.
const TILES = 24;
const SAMPLES_PER_SIDE = 16;
const PAPER_PERCENTILE = 0.9;
// Flattened only where the paper is this much dimmer somewhere than at its brightest...
const MAX_EVEN_RATIO = 0.8;
// ...and the surface explains the tiles (shade is smooth; a photo or a dark box is not, and is left out of the fit).
const MAX_MEDIAN_RESIDUAL = 0.04;
const OUTLIER_BELOW = 0.85;
const MIN_KEPT_SHARE = 0.5;

// A rotated page's fill is pure white (255) and reaches the image's edge. Where the tiles with it do not make a page to
// flatten, those without it are tried: around a vignetted page turned 87°, the fill held the surface up at the corners,
// where the paper is darkest, and the surface no longer explained the page. The fill is not left out at first: on grey
// low-contrast paper it is what lifts the paper to white, and such turned pages read 96-100% only with it.
const FILL = 255;
const MIN_PAPER_SHARE = 0.25;

/** Whether the pixel at (x, y) is a rotation's fill. */
type FillMask = (x: number, y: number) => boolean;

interface Tile {
  u: number;
  v: number;
  level: number;
}

/** A flat-fielded copy of the page when its lighting is uneven, else undefined (use the page as it is). */
export function flattenLighting(g: Grey): Grey | undefined {
  const tiles = paperTiles(g);
  const first = flattenBy(g, tiles);
  if (first) return first;
  const fill = edgeFill(g, tiling(g).step);
  if (!fill) return undefined;
  // Fill is at the corners and edges of a turned page. Where it takes most of the page, it is the page's own white
  // paper (around a shaded photo, say), and a fit to what is left would flatten the photo.
  const paper = paperTiles(g, fill);
  return paper.length >= MIN_KEPT_SHARE * tiles.length ? flattenBy(g, paper) : undefined;
}

function flattenBy(g: Grey, tiles: Tile[]): Grey | undefined {
  if (tiles.length < 12) return undefined;
  const surface = robustSurface(tiles);
  if (!surface) return undefined;
  const { coef, kept } = surface;
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of tiles) {
    const s = evaluate(coef, t.u, t.v);
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  if (!(lo > 8) || lo / hi > MAX_EVEN_RATIO) return undefined;
  const residuals = kept.map((t) => Math.abs(t.level - evaluate(coef, t.u, t.v)) / hi).sort((a, b) => a - b);
  if (residuals[Math.floor(residuals.length / 2)]! > MAX_MEDIAN_RESIDUAL) return undefined;
  return divide(g, coef, hi);
}

/** Tile side and sampling pitch, in pixels. */
function tiling(g: Grey): { size: number; step: number } {
  const size = Math.max(8, Math.ceil(Math.max(g.width, g.height) / TILES));
  return { size, step: Math.max(1, Math.floor(size / SAMPLES_PER_SIDE)) };
}

/**
 * Paper level per tile: a high percentile of a sparse sample (even where text is dense, most of a tile is paper), `fill`
 * pixels left out, and tiles mostly of them.
 */
function paperTiles(g: Grey, fill?: FillMask): Tile[] {
  const { size, step } = tiling(g);
  const out: Tile[] = [];
  const hist = new Uint32Array(256);
  for (let y0 = 0; y0 + size / 2 <= g.height; y0 += size) {
    for (let x0 = 0; x0 + size / 2 <= g.width; x0 += size) {
      hist.fill(0);
      let n = 0;
      let all = 0;
      for (let y = y0; y < Math.min(g.height, y0 + size); y += step) {
        for (let x = x0, row = y * g.width; x < Math.min(g.width, x0 + size); x += step, all++) {
          if (fill?.(x, y)) continue;
          hist[g.data[row + x]!]!++;
          n++;
        }
      }
      if (n < MIN_PAPER_SHARE * all) continue;
      // The level with PAPER_PERCENTILE of the sample at or below it.
      let level = 0;
      for (let seen = 0, want = Math.ceil(PAPER_PERCENTILE * n); level < 255 && (seen += hist[level]!) < want; level++);
      const cx = Math.min(g.width, x0 + size / 2);
      const cy = Math.min(g.height, y0 + size / 2);
      out.push({ u: (2 * cx) / g.width - 1, v: (2 * cy) / g.height - 1, level });
    }
  }
  return out;
}

/**
 * Where a rotation's fill lies: the points of a grid `step` pixels apart (the tiles' sampling pitch) that are exactly
 * FILL and joined to the image's edge through others; undefined where there are none. On the grid, not every pixel: a
 * 16-megapixel page would need a stack of millions.
 */
function edgeFill(g: Grey, step: number): FillMask | undefined {
  const gw = Math.ceil(g.width / step);
  const gh = Math.ceil(g.height / step);
  const mask = new Uint8Array(gw * gh);
  const stack: number[] = [];
  const seed = (i: number) => {
    if (!mask[i] && g.data[Math.floor(i / gw) * step * g.width + (i % gw) * step] === FILL) {
      mask[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < gw; x++) {
    seed(x);
    seed((gh - 1) * gw + x);
  }
  for (let y = 0; y < gh; y++) {
    seed(y * gw);
    seed(y * gw + gw - 1);
  }
  if (!stack.length) return undefined;
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % gw;
    if (x > 0) seed(i - 1);
    if (x < gw - 1) seed(i + 1);
    if (i >= gw) seed(i - gw);
    if (i < (gh - 1) * gw) seed(i + gw);
  }
  // The grid is not lined up with every tile's samples: a sample is fill where it is FILL itself, in a fill cell.
  return (x, y) => g.data[y * g.width + x] === FILL && mask[Math.floor(y / step) * gw + Math.floor(x / step)] === 1;
}

/** Quadratic surface over (u, v) fitted to the tiles, refitted without tiles well below it (pictures, dark boxes). */
function robustSurface(tiles: Tile[]): { coef: number[]; kept: Tile[] } | undefined {
  let kept = tiles;
  let coef: number[] | undefined;
  for (let round = 0; round < 3; round++) {
    coef = fit(kept);
    if (!coef) return undefined;
    const c = coef;
    const next = tiles.filter((t) => t.level >= OUTLIER_BELOW * evaluate(c, t.u, t.v));
    if (next.length < MIN_KEPT_SHARE * tiles.length) return undefined;
    if (next.length === kept.length) break;
    kept = next;
  }
  return coef && { coef, kept };
}

const terms = (u: number, v: number): number[] => [1, u, v, u * u, v * v, u * v];

function evaluate(c: number[], u: number, v: number): number {
  return c[0]! + c[1]! * u + c[2]! * v + c[3]! * u * u + c[4]! * v * v + c[5]! * u * v;
}

/** Least squares through the normal equations (6 × 6, Gaussian elimination with partial pivoting). */
function fit(tiles: Tile[]): number[] | undefined {
  const n = 6;
  const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const t of tiles) {
    const x = terms(t.u, t.v);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i]![j]! += x[i]! * x[j]!;
      a[i]![n]! += x[i]! * t.level;
    }
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-9) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let k = col; k <= n; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

/** Each pixel scaled by paper-at-its-brightest over paper-here, so the paper is even and the ink keeps its contrast. */
function divide(g: Grey, coef: number[], top: number): Grey {
  const data = new Uint8Array(g.data.length);
  for (let y = 0; y < g.height; y++) {
    const v = (2 * (y + 0.5)) / g.height - 1;
    const row = y * g.width;
    for (let x = 0; x < g.width; x++) {
      const s = Math.max(8, evaluate(coef, (2 * (x + 0.5)) / g.width - 1, v));
      data[row + x] = Math.min(255, Math.round((g.data[row + x]! * top) / s));
    }
  }
  return { data, width: g.width, height: g.height };
}
