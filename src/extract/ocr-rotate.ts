// Turning a grey page about its centre, in plain JavaScript. The canvas round trip it replaces (grey to RGBA, draw,
// read back, grey again) cost ~300 ms on a 5-megapixel page levelled by 10°, more than the levelling was worth; this
// costs a fraction of that, and quarter turns are exact pixel moves.
import type { Grey } from './ocr-prep.js';

const PAPER = 255;

/** The page turned clockwise by `deg` onto white paper, the output just large enough to hold all of it. */
export function rotateGrey(g: Grey, deg: number): Grey {
  const d = ((deg % 360) + 360) % 360;
  if (d === 0) return g;
  if (d === 90 || d === 180 || d === 270) return quarterTurn(g, d);
  return bilinearTurn(g, (d * Math.PI) / 180);
}

function quarterTurn(g: Grey, d: 90 | 180 | 270): Grey {
  const { width: W, height: H, data: src } = g;
  const width = d === 180 ? W : H;
  const height = d === 180 ? H : W;
  const data = new Uint8Array(width * height);
  // Each output pixel's source: a clockwise quarter turn moves the top-left corner to the top-right.
  const from: (x: number, y: number) => number =
    d === 90 ? (x, y) => (H - 1 - x) * W + y : d === 180 ? (x, y) => (H - 1 - y) * W + (W - 1 - x) : (x, y) => x * W + (W - 1 - y);
  for (let y = 0, o = 0; y < height; y++) for (let x = 0; x < width; x++, o++) data[o] = src[from(x, y)]!;
  return { data, width, height };
}

/** Any other angle: each output pixel samples the source bilinearly at its inverse-rotated position. */
function bilinearTurn(g: Grey, r: number): Grey {
  const { width: W, height: H, data: src } = g;
  const c = Math.cos(r);
  const s = Math.sin(r);
  const width = Math.max(1, Math.ceil(Math.abs(W * c) + Math.abs(H * s) - 1e-6));
  const height = Math.max(1, Math.ceil(Math.abs(W * s) + Math.abs(H * c) - 1e-6));
  const data = new Uint8Array(width * height).fill(PAPER);
  // Source coordinates are pixel centres: output (x + 0.5, y + 0.5) relative to its centre, turned back by -r.
  const ox = 0.5 - width / 2;
  const sx0 = W / 2 - 0.5;
  const sy0 = H / 2 - 0.5;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - height / 2;
    let sx = ox * c + dy * s + sx0;
    let sy = -ox * s + dy * c + sy0;
    for (let x = 0, o = y * width; x < width; x++, o++, sx += c, sy -= s) {
      if (sx <= -1 || sy <= -1 || sx >= W || sy >= H) continue;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let a: number, b: number, e: number, f: number;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const i = y0 * W + x0;
        a = src[i]!;
        b = src[i + 1]!;
        e = src[i + W]!;
        f = src[i + W + 1]!;
      } else {
        // At the page's edge the missing neighbours are paper.
        a = at(src, W, H, x0, y0);
        b = at(src, W, H, x0 + 1, y0);
        e = at(src, W, H, x0, y0 + 1);
        f = at(src, W, H, x0 + 1, y0 + 1);
      }
      const top = a + (b - a) * fx;
      const bottom = e + (f - e) * fx;
      data[o] = Math.round(top + (bottom - top) * fy);
    }
  }
  return { data, width, height };
}

function at(src: Uint8Array, W: number, H: number, x: number, y: number): number {
  return x < 0 || y < 0 || x >= W || y >= H ? PAPER : src[y * W + x]!;
}
