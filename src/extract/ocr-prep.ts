// Page-image analysis before OCR, on grey pixels: ink mask (Otsu), text size (small scans are upscaled), skew
// angle and sideways pages (projection profiles). Pure functions: no canvas, no OCR engine.

export interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Ink mask of a (possibly downscaled) page: 1 = ink. `scale` maps its pixels back: original = mask / scale. */
export interface InkMask {
  bits: Uint8Array;
  width: number;
  height: number;
  scale: number;
}

export interface Skew {
  /** Degrees, clockwise on screen: rotating the page by -angleDeg (after a quarter turn if sideways) levels it. */
  angleDeg: number;
  /** Text lines run top to bottom: the page needs a quarter turn (which way is for orientation detection to say). */
  sideways: boolean;
}

/** RGBA to luma, compositing transparent pixels over white (a transparent page background is paper, not ink). */
export function toGrey(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Grey {
  const data = new Uint8Array(width * height);
  for (let i = 0, p = 0; p < data.length; i += 4, p++) {
    const a = rgba[i + 3]! / 255;
    const y = 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
    data[p] = Math.round(y * a + 255 * (1 - a));
  }
  return { data, width, height };
}

/** Otsu's threshold: the grey level that best separates ink from paper. */
export function otsu(hist: Float64Array | number[]): number {
  let total = 0;
  let sum = 0;
  for (let i = 0; i < 256; i++) {
    total += hist[i]!;
    sum += i * hist[i]!;
  }
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const between = wB * wF * (sumB / wB - (sum - sumB) / wF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

/** Area-averages the page to at most `maxDim` pixels a side and thresholds it; light-on-dark pages are inverted. */
export function inkMask(g: Grey, maxDim: number): InkMask {
  const f = Math.max(1, Math.ceil(Math.max(g.width, g.height) / maxDim));
  const width = Math.max(1, Math.floor(g.width / f));
  const height = Math.max(1, Math.floor(g.height / f));
  const hist = new Float64Array(256);
  let small: Uint8Array;
  if (f === 1) {
    // A page under the analysis size (a photo, a 150 dpi scan) is measured as it is: no averaging pass.
    small = g.data;
    for (let i = 0; i < small.length; i++) hist[small[i]!]!++;
  } else small = blockAverage(g, f, width, height, hist);
  const t = otsu(hist);
  const bits = new Uint8Array(width * height);
  let ink = 0;
  for (let i = 0; i < bits.length; i++) if ((bits[i] = small[i]! <= t ? 1 : 0)) ink++;
  if (ink > bits.length / 2) for (let i = 0; i < bits.length; i++) bits[i] = 1 - bits[i]!;
  return { bits, width, height, scale: 1 / f };
}

/** The page averaged over f×f blocks into a width×height copy, its histogram counted into `hist`. */
function blockAverage(g: Grey, f: number, width: number, height: number, hist: Float64Array): Uint8Array {
  const small = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) {
        const row = (y * f + dy) * g.width + x * f;
        for (let dx = 0; dx < f; dx++) s += g.data[row + dx]!;
      }
      const v = Math.round(s / (f * f));
      small[y * width + x] = v;
      hist[v] = hist[v]! + 1;
    }
  }
  return small;
}

/** A connected ink component's bounding box (mask pixels, inclusive) and its pixel count. */
interface Blob {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
  area: number;
}

/** The mask's 8-connected ink components: each pixel's component number (index + 1; 0 for paper) and each box. */
export interface Components {
  of: Int32Array;
  blobs: Blob[];
}

export function components(m: InkMask): Components {
  const { width, height, bits } = m;
  const labels = new Int32Array(width * height);
  let parent = new Int32Array(1024);
  let next = 1;
  const find = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]!]!;
    return a;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra < rb) parent[rb] = ra;
    else parent[ra] = rb;
    return Math.min(ra, rb);
  };
  // Two-pass labelling (8-connected). Of an ink pixel's four earlier neighbours, some were already joined by the
  // pixels before it: with ink to the left, only the one above right can be new; with ink above, none.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!bits[i]) continue;
      let l = x > 0 ? labels[i - 1]! : 0;
      if (y > 0) {
        const up = i - width;
        const ur = x < width - 1 ? labels[up + 1]! : 0;
        if (l) {
          if (ur) l = union(l, ur);
        } else if (labels[up]) l = labels[up]!;
        else {
          const ul = x > 0 ? labels[up - 1]! : 0;
          l = ul && ur ? union(ul, ur) : ul || ur;
        }
      }
      if (!l) {
        if (next === parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        parent[next] = next;
        l = next++;
      }
      labels[i] = l;
    }
  }
  const index = new Int32Array(next);
  const blobs: Blob[] = [];
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const l = labels[i]!;
      if (!l) continue;
      const r = find(l);
      let k = index[r]! - 1;
      if (k < 0) {
        index[r] = (k = blobs.length) + 1;
        blobs.push({ y0: y, y1: y, x0: x, x1: x, area: 0 });
      }
      const b = blobs[k]!;
      b.y1 = y;
      if (x < b.x0) b.x0 = x;
      if (x > b.x1) b.x1 = x;
      b.area++;
      labels[i] = k + 1;
    }
  }
  return { of: labels, blobs };
}

/**
 * Median height, in mask pixels, of the connected ink blobs that look like glyphs; undefined when there are too few
 * to say. Lines, rules and pictures are left out by size, specks by area.
 */
export function medianGlyphHeight(m: InkMask, parts: Components = components(m)): number | undefined {
  const heights: number[] = [];
  for (const { y0, y1, x0, x1, area } of parts.blobs) {
    const h = y1 - y0 + 1;
    const w = x1 - x0 + 1;
    // Letters touch at low resolution, so words count too (wide); rules and specks do not.
    if (area >= 4 && h >= 2 && h <= m.height / 8 && w <= h * 25 && h <= w * 8) heights.push(h);
  }
  if (heights.length < 20) return undefined;
  heights.sort((a, b) => a - b);
  return heights[heights.length >> 1];
}

/**
 * The mask without its pictures: components taller than an eighth of the page and four glyphs (photos, dark boxes,
 * vertical rules) are cleared. Their rows outweigh the text's in a projection profile, and a page of five lines beside
 * a dark block came out 7° skewed and was read as nothing. Without a glyph height (a line or two of large type) the
 * mask is kept whole.
 */
export function withoutPictures(m: InkMask, parts: Components = components(m), glyph = medianGlyphHeight(m, parts)): InkMask {
  if (glyph === undefined) return m;
  const picture = parts.blobs.map((b) => b.y1 - b.y0 + 1 > Math.max(m.height / 8, 4 * glyph));
  if (!picture.some(Boolean)) return m;
  const bits = new Uint8Array(m.bits.length);
  for (let i = 0; i < bits.length; i++) {
    const k = parts.of[i]!;
    if (k && !picture[k - 1]) bits[i] = 1;
  }
  return { ...m, bits };
}

/**
 * Horizontal rules at most a quarter glyph thick and at least 12 glyphs long: underlines, dot leaders (they merge
 * into a line in the analysis mask), form fields. Counted on the text mask, so a picture's edges do not count.
 */
export function thinRules(m: InkMask, glyph: number): number {
  const minRun = 12 * glyph;
  const maxThick = Math.max(2, glyph / 4);
  let rules = 0;
  let start = -1;
  for (let y = 0; y <= m.height; y++) {
    let hit = false;
    for (let x = 0, run = 0, row = y * m.width; y < m.height && x < m.width && !hit; x++) {
      run = m.bits[row + x] ? run + 1 : 0;
      hit = run >= minRun;
    }
    if (hit && start < 0) start = y;
    if (!hit && start >= 0) {
      if (y - start <= maxThick) rules++;
      start = -1;
    }
  }
  return rules;
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

/** Sum of squared row counts after rotating the ink points by -deg: high when text lines line up with rows. */
function profileScore(xs: Float32Array, ys: Float32Array, deg: number, bins: Int32Array, offset: number): number {
  const r = (deg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  bins.fill(0);
  for (let i = 0; i < xs.length; i++) {
    const k = Math.round(ys[i]! * c - xs[i]! * s) + offset;
    bins[k] = bins[k]! + 1;
  }
  let score = 0;
  for (const b of bins) score += b * b;
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

/**
 * Skew by projection profiles: the angle within ±maxDeg whose rows separate the text lines best, tried on the page
 * as it is and turned a quarter (sideways text). Points are subsampled so a full page costs a few milliseconds.
 */
export function estimateSkew(m: InkMask, maxDeg = 15, maxPoints = 10_000): Skew {
  let ink = 0;
  for (let i = 0; i < m.bits.length; i++) ink += m.bits[i]!;
  if (ink < 50) return { angleDeg: 0, sideways: false };
  // Every step-th ink pixel in reading order, without listing them all first.
  const step = Math.max(1, Math.floor(ink / maxPoints));
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
  const upright = coarseAngle(xs, ys, maxDeg, bins, offset);
  // A quarter turn clockwise maps (x, y) to (-y, x) about the centre.
  const turnedYs = Float32Array.from(ys, (y) => -y);
  const turned = coarseAngle(turnedYs, xs, maxDeg, bins, offset);
  // Sideways only when the turned profile is clearly sharper: a page of pictures or a table can go either way.
  // Only the orientation kept is refined.
  if (turned.score > upright.score * 1.3) return { angleDeg: refineAngle(turnedYs, xs, turned, bins, offset), sideways: true };
  return { angleDeg: refineAngle(xs, ys, upright, bins, offset), sideways: false };
}

/**
 * Resizes a grey page by `scale` without a canvas: cubic when enlarging, area-averaging when reducing (each output
 * pixel the mean of the source area it covers). Separable, so a 2-megapixel page takes a few milliseconds.
 */
export function scaleGrey(g: Grey, scale: number): Grey {
  const width = Math.max(1, Math.ceil(g.width * scale - 1e-6));
  const height = Math.max(1, Math.ceil(g.height * scale - 1e-6));
  const xTaps = taps(g.width, width, scale);
  const yTaps = taps(g.height, height, scale);
  // Rows first (into floats), then columns.
  const mid = new Float32Array(width * g.height);
  for (let y = 0; y < g.height; y++) {
    const src = y * g.width;
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = xTaps.start[x]!, e = xTaps.start[x + 1]!; k < e; k++) s += g.data[src + xTaps.index[k]!]! * xTaps.weight[k]!;
      mid[dst + x] = s;
    }
  }
  const data = new Uint8Array(width * height);
  const acc = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = yTaps.start[y]!, e = yTaps.start[y + 1]!; k < e; k++) {
      const src = yTaps.index[k]! * width;
      const w = yTaps.weight[k]!;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! + mid[src + x]! * w;
    }
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      const v = acc[x]!;
      data[dst + x] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { data, width, height };
}

/** For each output position: the source indexes it reads and their weights (summing to 1), in CSR form. */
function taps(srcLen: number, outLen: number, scale: number): { start: Int32Array; index: Int32Array; weight: Float32Array } {
  const start = new Int32Array(outLen + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < outLen; o++) {
    start[o] = index.length;
    if (scale >= 1) {
      // Cubic (Catmull-Rom) over the four nearest source pixel centres, edges repeated.
      const c = (o + 0.5) / scale - 0.5;
      const i0 = Math.floor(c);
      const t = c - i0;
      for (let j = -1; j <= 2; j++) {
        const w = cubic(j - t);
        if (w === 0) continue;
        index.push(Math.min(srcLen - 1, Math.max(0, i0 + j)));
        weight.push(w);
      }
    } else {
      // The source interval [o/scale, (o+1)/scale), each pixel weighted by how much of it lies inside.
      const a = o / scale;
      const b = Math.min(srcLen, (o + 1) / scale);
      let total = 0;
      for (let i = Math.floor(a); i < Math.ceil(b); i++) {
        const w = Math.min(b, i + 1) - Math.max(a, i);
        if (w <= 0) continue;
        index.push(i);
        weight.push(w);
        total += w;
      }
      for (let k = start[o]!; k < index.length; k++) weight[k]! /= total;
    }
  }
  start[outLen] = index.length;
  return { start, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/** Mitchell-Netravali kernel (B = C = 1/3). */
function cubic(x: number): number {
  const a = Math.abs(x);
  const B = 1 / 3;
  const C = 1 / 3;
  if (a < 1) return ((12 - 9 * B - 6 * C) * a ** 3 + (-18 + 12 * B + 6 * C) * a ** 2 + (6 - 2 * B)) / 6;
  if (a < 2) return ((-B - 6 * C) * a ** 3 + (6 * B + 30 * C) * a ** 2 + (-12 * B - 48 * C) * a + (8 * B + 24 * C)) / 6;
  return 0;
}
