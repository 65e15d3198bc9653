// Page-image analysis before OCR, on grey pixels: ink mask (Otsu), connected components, text size (small scans are
// upscaled), pictures, rules under the text. Skew is in ocr-skew.ts, resizing in ocr-scale.ts. Pure functions: no
// canvas, no OCR engine.

import { blobsInLines } from './ocr-glyph-lines.js';

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

// Whether typed arrays are little-endian here (they are on x86 and ARM): then an RGBA pixel reads as one word.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** RGBA to luma, compositing transparent pixels over white (a transparent page background is paper, not ink). */
export function toGrey(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Grey {
  const n = width * height;
  const data = new Uint8Array(n);
  // Luma in 16.16 fixed point (0.299, 0.587, 0.114); opaque pixels (nearly all) need no compositing.
  const luma = (r: number, g: number, b: number, a: number) => {
    const y = (19595 * r + 38470 * g + 7471 * b + 32768) >>> 16;
    return a === 255 ? y : Math.round((y * a + 255 * (255 - a)) / 255);
  };
  if (LITTLE_ENDIAN && rgba.byteOffset % 4 === 0 && rgba.length >= 4 * n) {
    // A pixel a load: on a 10-megapixel scan this is a third of the time of four byte loads.
    const words = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
    for (let p = 0; p < n; p++) {
      const v = words[p]!;
      data[p] = luma(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
    }
  } else {
    for (let p = 0, i = 0; p < n; p++, i += 4) data[p] = luma(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!, rgba[i + 3]!);
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
export interface Blob {
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
 * Median height, in mask pixels, of the connected ink blobs that look like glyphs in lines of text; undefined when
 * there are too few to say. Lines, rules and pictures are left out by size, specks by area, and what stands alone
 * (a map's dashes and symbols, which set a street map's labels at 4 px and had them read enlarged nearly twice) by
 * having no like-sized neighbour along a line.
 */
export function medianGlyphHeight(m: InkMask, parts: Components = components(m), text = textBlobs(m, parts)): number | undefined {
  const heights = text.map((b) => b.y1 - b.y0 + 1);
  if (heights.length < 20) return undefined;
  heights.sort((a, b) => a - b);
  return heights[heights.length >> 1];
}

/** The glyph-sized blobs that sit in lines of text (see medianGlyphHeight): worked out once a page, passed on. */
export function textBlobs(m: InkMask, parts: Components): Blob[] {
  const candidates = parts.blobs.filter(({ y0, y1, x0, x1, area }) => {
    const h = y1 - y0 + 1;
    const w = x1 - x0 + 1;
    // Letters touch at low resolution, so words count too (wide); rules and specks do not.
    return area >= 4 && h >= 2 && h <= m.height / 8 && w <= h * 25 && h <= w * 8;
  });
  return blobsInLines(candidates);
}

/**
 * The page's ink in lines of text: its share of all the ink (over 0.9 on text pages, noisy scans included; under 0.2 on
 * a photo or a street map, and as low on a text page with a dark picture or a scanner's black border), and how many
 * glyph-sized marks make it up (about the letters the page holds; fewer where letters touch).
 */
export function textInk(m: InkMask, parts: Components = components(m), text = textBlobs(m, parts)): { share: number; marks: number } {
  const ink = parts.blobs.reduce((n, b) => n + b.area, 0);
  return { share: ink ? text.reduce((n, b) => n + b.area, 0) / ink : 0, marks: text.length };
}

// An i's dot sits a third of an x-height above its stem, a full stop as far beside its letter.
const TEXT_ONLY_GROWTH = 0.3;

/**
 * The page with only its text left: every pixel outside the boxes of the glyph-sized marks in lines of text is set to
 * paper. The boxes are grown by a share of the median glyph, so that the dots of i and j, accents and punctuation stay
 * with their letters. A map's roads, rivers and shaded areas, a diagram's boxes and arrows, a scanner's border: gone,
 * and with them the strokes tesseract reads as letters and the lines it follows instead of the labels.
 */
export function textOnly(g: Grey, m: InkMask, parts: Components, text = textBlobs(m, parts), paper = paperLevel(g, m)): Grey {
  const heights = text.map((b) => b.y1 - b.y0 + 1).sort((a, b) => a - b);
  const grow = Math.max(1, Math.round(TEXT_ONLY_GROWTH * (heights[heights.length >> 1] ?? 0)));
  const keep = new Uint8Array(m.width * m.height);
  for (const b of text) {
    for (let y = Math.max(0, b.y0 - grow); y <= Math.min(m.height - 1, b.y1 + grow); y++) {
      keep.fill(1, y * m.width + Math.max(0, b.x0 - grow), y * m.width + Math.min(m.width - 1, b.x1 + grow) + 1);
    }
  }
  // Grey pixel x lies in mask column floor(x * scale); the mask may be a few pixels short of the page at its edges.
  const col = new Int32Array(g.width);
  for (let x = 0; x < g.width; x++) col[x] = Math.min(m.width - 1, Math.floor(x * m.scale));
  const data = new Uint8Array(g.data.length).fill(paper);
  for (let y = 0; y < g.height; y++) {
    const row = Math.min(m.height - 1, Math.floor(y * m.scale)) * m.width;
    for (let x = 0, i = y * g.width; x < g.width; x++, i++) if (keep[row + col[x]!]) data[i] = g.data[i]!;
  }
  return { data, width: g.width, height: g.height };
}

/** The median grey of the page where the mask has no ink: white on a printed page, dark on a page in negative. */
export function paperLevel(g: Grey, m: InkMask): number {
  const hist = new Uint32Array(256);
  for (let y = 0; y < m.height; y += 2) {
    const gy = Math.min(g.height - 1, Math.floor(y / m.scale)) * g.width;
    for (let x = 0; x < m.width; x += 2) {
      if (m.bits[y * m.width + x]) continue;
      const v = g.data[gy + Math.min(g.width - 1, Math.floor(x / m.scale))]!;
      hist[v] = hist[v]! + 1;
    }
  }
  return percentile(hist, 0.5) ?? 255;
}

/** The grey level at or below which a share `q` of the counted pixels lie; undefined when none were counted. */
export function percentile(hist: Uint32Array, q: number): number | undefined {
  let total = 0;
  for (const c of hist) total += c;
  if (!total) return undefined;
  for (let v = 0, seen = 0; v < 256; v++) if ((seen += hist[v]!) >= q * total) return v;
  return 255;
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
 * Horizontal rules at most a quarter glyph thick and at least 6 glyphs long: underlines, dot leaders (they merge
 * into a line in the analysis mask), form fields. Counted on the text mask, so a picture's edges do not count.
 */
export function thinRules(m: InkMask, glyph: number): number {
  // A web page's underlined links are as short as their words: at 12 glyphs, a table of underlined country names (a
  // screenshot, 16-px glyphs) was not taken for ruled, was reduced, and lost Brésil, Nigeria, Egypte, Vietnam, Congo
  // and Iran to their underlines. At 6 it is read at its own size, as native reads it; no other page of the benchmark
  // sets changed (at 3, four more did, read at 2-4 times the pixels for the same words).
  const minRun = 6 * glyph;
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
