// Light text on dark bars (a web page's menu bar, a table's header row, a chat bubble, a slide's title band) turned
// into dark text on white before OCR. Tesseract thresholds the page as a whole: a bar becomes one block of ink with
// the letters as holes, and its line is read as noise or not at all; tesseract's own per-line inversion catches some.
import { paperLevel, percentile, type Components, type Grey, type InkMask } from './ocr-prep.js';

// A bar holds a line of text: at least this many glyphs tall and wide, and mostly solid (letters are holes in it).
const MIN_BAR_GLYPHS_TALL = 1.5;
const MIN_BAR_GLYPHS_WIDE = 8;
const MIN_BAR_FILL = 0.7;
// Its letters stand out from it by at least this many grey levels (light text).
const MIN_TEXT_CONTRAST = 60;
// A bar is one flat fill, give or take a scan's noise: its own pixels (10th to 90th percentile) span at most this many
// grey levels. A dark photo's do not, and it is left as it is.
const MAX_FILL_SPREAD = 60;

/**
 * The page with every dark bar's span remapped so that the bar is white and its letters black (a linear stretch from
 * the bar's median grey to the 90th percentile of what lies in its holes). The page itself when it has none, and for a
 * page in negative, whose "ink" is already its light text.
 */
export function liftBars(g: Grey, m: InkMask, parts: Components, glyph: number | undefined, paper?: number): Grey {
  if (glyph === undefined) return g;
  let out: Uint8Array | undefined;
  let positive: boolean | undefined;
  const s = 1 / m.scale;
  for (let k = 0; k < parts.blobs.length; k++) {
    const b = parts.blobs[k]!;
    const h = b.y1 - b.y0 + 1;
    const w = b.x1 - b.x0 + 1;
    if (h < MIN_BAR_GLYPHS_TALL * glyph || w < MIN_BAR_GLYPHS_WIDE * glyph || b.area < MIN_BAR_FILL * w * h) continue;
    // The paper level is measured only on a page with a bar-sized component (most pages have none).
    positive ??= (paper ?? paperLevel(g, m)) >= 128;
    if (!positive) return g;
    const label = k + 1;
    // Each mask row's span of the bar: its rounded corners' outside (the page around it) is left alone.
    const spans = new Int32Array(2 * h).fill(-1);
    const barHist = new Uint32Array(256);
    const holeHist = new Uint32Array(256);
    const at = (mx: number, my: number) => g.data[Math.min(g.height - 1, Math.floor(my * s)) * g.width + Math.min(g.width - 1, Math.floor(mx * s))]!;
    for (let y = b.y0; y <= b.y1; y++) {
      const row = y * m.width;
      let x0 = -1;
      let x1 = -1;
      for (let x = b.x0; x <= b.x1; x++) {
        if (parts.of[row + x] !== label) continue;
        if (x0 < 0) x0 = x;
        x1 = x;
      }
      if (x0 < 0) continue;
      spans[2 * (y - b.y0)] = x0;
      spans[2 * (y - b.y0) + 1] = x1;
      for (let x = x0; x <= x1; x++) {
        const hist = parts.of[row + x] === label ? barHist : holeHist;
        const v = at(x, y);
        hist[v] = hist[v]! + 1;
      }
    }
    const bar = percentile(barHist, 0.5);
    const text = percentile(holeHist, 0.9);
    if (text === undefined || bar === undefined || text - bar < MIN_TEXT_CONTRAST) continue;
    if (percentile(barHist, 0.9)! - percentile(barHist, 0.1)! > MAX_FILL_SPREAD) continue;
    out ??= new Uint8Array(g.data);
    const scale = 255 / (bar - text);
    for (let my = b.y0; my <= b.y1; my++) {
      const x0 = spans[2 * (my - b.y0)]!;
      if (x0 < 0) continue;
      const gx0 = Math.floor(x0 * s);
      const gx1 = Math.min(g.width, Math.floor((spans[2 * (my - b.y0) + 1]! + 1) * s));
      for (let y = Math.floor(my * s); y < Math.min(g.height, Math.floor((my + 1) * s)); y++) {
        for (let i = y * g.width + gx0, end = y * g.width + gx1; i < end; i++) out[i] = Math.max(0, Math.min(255, Math.round((g.data[i]! - text) * scale)));
      }
    }
  }
  return out ? { data: out, width: g.width, height: g.height } : g;
}
