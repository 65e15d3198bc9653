// Which glyph-sized ink blobs sit in lines of text: the glyph-size estimate must not be taken from a map's dashes,
// a chart's tick marks or a diagram's arrowheads.
import type { Blob } from './ocr-prep.js';

// Neighbours differ in height (down a column: in width) by at most this factor (x-height letters beside capitals,
// words beside words).
const LIKE_SIZE = 0.6;
// A line of text may run at up to 15° (the skew docproc levels): its letters' baselines rise by tan 15° per pixel.
const SLOPE = Math.tan((15 * Math.PI) / 180);
// Grid cells for the neighbour search, in mask pixels.
const CELL = 32;

const height = (b: Blob) => b.y1 - b.y0 + 1;
const width = (b: Blob) => b.x1 - b.x0 + 1;
const like = (a: number, b: number) => b >= a * LIKE_SIZE && b * LIKE_SIZE <= a;

/**
 * The blobs that have a like-sized neighbour close beside them along a line: no further than the smaller one is high
 * (a letter's or a word's spacing), on a common baseline or top line (upside down) within 15°; or the same down a
 * column, for a page turned a quarter. Letters and words of running text pass; the dashes of a dashed border (spaced
 * wider than they are thick), a chart's tick marks and scattered specks do not.
 */
export function blobsInLines(blobs: Blob[]): Blob[] {
  const cells = new Map<number, number[]>();
  const key = (cx: number, cy: number) => cy * 65536 + cx;
  blobs.forEach((b, i) => {
    for (let cy = Math.floor(b.y0 / CELL); cy <= Math.floor(b.y1 / CELL); cy++) {
      for (let cx = Math.floor(b.x0 / CELL); cx <= Math.floor(b.x1 / CELL); cx++) {
        const k = key(cx, cy);
        const list = cells.get(k);
        if (list) list.push(i);
        else cells.set(k, [i]);
      }
    }
  });
  const hasNeighbour = (b: Blob, i: number): boolean => {
    const reach = Math.max(2, height(b), width(b));
    for (let cy = Math.max(0, Math.floor((b.y0 - reach) / CELL)); cy <= Math.floor((b.y1 + reach) / CELL); cy++) {
      for (let cx = Math.max(0, Math.floor((b.x0 - reach) / CELL)); cx <= Math.floor((b.x1 + reach) / CELL); cx++) {
        for (const j of cells.get(key(cx, cy)) ?? []) if (j !== i && neighbours(b, blobs[j]!)) return true;
      }
    }
    return false;
  };
  return blobs.filter(hasNeighbour);
}

function neighbours(a: Blob, b: Blob): boolean {
  const dx = Math.max(0, b.x0 - a.x1 - 1, a.x0 - b.x1 - 1);
  const dy = Math.max(0, b.y0 - a.y1 - 1, a.y0 - b.y1 - 1);
  const ha = height(a);
  const hb = height(b);
  if (dy === 0 && like(ha, hb) && dx <= Math.max(2, Math.min(ha, hb))) {
    const run = Math.abs(a.x0 + a.x1 - b.x0 - b.x1) / 2;
    if (Math.min(Math.abs(a.y1 - b.y1), Math.abs(a.y0 - b.y0)) <= 1 + SLOPE * run) return true;
  }
  const wa = width(a);
  const wb = width(b);
  if (dx === 0 && like(wa, wb) && dy <= Math.max(2, Math.min(wa, wb))) {
    const run = Math.abs(a.y0 + a.y1 - b.y0 - b.y1) / 2;
    if (Math.min(Math.abs(a.x1 - b.x1), Math.abs(a.x0 - b.x0)) <= 1 + SLOPE * run) return true;
  }
  return false;
}
