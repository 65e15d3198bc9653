// Resizing a grey page without a canvas: cubic up, area-averaged down.
import type { Grey } from './ocr-prep.js';

/**
 * Resizes a grey page by `scale` without a canvas: cubic when enlarging, area-averaging when reducing (each output
 * pixel the mean of the source area it covers). Separable, so a 2-megapixel page takes a few milliseconds.
 */
export function scaleGrey(g: Grey, scale: number): Grey {
  const width = Math.max(1, Math.ceil(g.width * scale - 1e-6));
  const height = Math.max(1, Math.ceil(g.height * scale - 1e-6));
  const xTaps = taps(g.width, width, scale);
  const yTaps = taps(g.height, height, scale);
  // Output row by output row: the source rows it draws on summed into one float row, then that row resampled across.
  // One float row instead of a page of floats, so a 10-megapixel scan is resized in cache.
  const src = g.data;
  const srcWidth = g.width;
  const { start: xs, index: xi, weight: xw } = xTaps;
  const { start: ys, index: yi, weight: yw } = yTaps;
  const data = new Uint8Array(width * height);
  const acc = new Float32Array(srcWidth);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = ys[y]!, e = ys[y + 1]!; k < e; k++) {
      const from = yi[k]! * srcWidth;
      const w = yw[k]!;
      for (let x = 0; x < srcWidth; x++) acc[x] = acc[x]! + src[from + x]! * w;
    }
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = xs[x]!, e = xs[x + 1]!; k < e; k++) v += acc[xi[k]!]! * xw[k]!;
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
      // Cubic (Mitchell-Netravali) over the four nearest source pixel centres, edges repeated.
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
