// Uneven lighting before OCR: a page shaded from one side or darker at its edges is flat-fielded; an evenly lit page,
// a page with a dark picture on it and a light-on-dark page are left exactly as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas } from '@napi-rs/canvas';
import { flattenLighting } from '../../src/extract/ocr-light.js';
import { inkMask, toGrey, type Grey } from '../../src/extract/ocr-prep.js';
import { estimateSkew } from '../../src/extract/ocr-skew.js';
import { rotateCanvas } from '../../scripts/make-ocr-rotations.js';

type Shade = (x: number, y: number) => number;

/** Nine lines of text on paper, each pixel multiplied by `shade` (1 = as printed). */
function page(shade: Shade = () => 1, o: { negative?: boolean; picture?: boolean; whitePaper?: boolean; shadedPhoto?: boolean } = {}): Grey {
  const c = createCanvas(1200, 800);
  const g = c.getContext('2d');
  g.fillStyle = o.negative ? '#000' : o.whitePaper ? '#fff' : '#f8f8f8';
  g.fillRect(0, 0, 1200, 800);
  if (o.picture) {
    g.fillStyle = '#202020';
    g.fillRect(600, 250, 560, 500);
  }
  if (o.shadedPhoto) {
    const shadeOf = g.createLinearGradient(500, 150, 1150, 750);
    shadeOf.addColorStop(0, '#d0d0d0');
    shadeOf.addColorStop(1, '#303030');
    g.fillStyle = shadeOf;
    g.fillRect(500, 150, 650, 600);
  }
  g.fillStyle = o.negative ? '#fff' : '#141414';
  g.font = '26px serif';
  for (let i = 0; i < 9; i++) g.fillText('The quick brown fox jumps over the lazy dog again.', 40, 90 + i * 60);
  const grey = toGrey(g.getImageData(0, 0, 1200, 800).data, 1200, 800);
  for (let y = 0; y < grey.height; y++) {
    for (let x = 0; x < grey.width; x++) grey.data[y * grey.width + x] = Math.round(grey.data[y * grey.width + x]! * shade(x / 1200, y / 800));
  }
  return grey;
}

const inkShare = (g: Grey): number => {
  const m = inkMask(g, 1600);
  return m.bits.reduce((n, b) => n + b, 0) / m.bits.length;
};

/** Mean paper level of a 40 × 40 patch free of text (below the last line). */
const paperAt = (g: Grey, x: number, y: number): number => {
  let s = 0;
  for (let dy = 0; dy < 40; dy++) for (let dx = 0; dx < 40; dx++) s += g.data[(y + dy) * g.width + x + dx]!;
  return s / 1600;
};

test('shade from top to bottom: flattened, the paper evens out, the ink stays dark and the lines read level', () => {
  const shaded = page((_, y) => 1 - 0.6 * y);
  // One global threshold calls the dim half ink, and the lines look sideways.
  assert.ok(inkShare(shaded) > 0.25, `ink share before ${inkShare(shaded)}`);
  const flat = flattenLighting(shaded);
  assert.ok(flat, 'not flattened');
  assert.ok(Math.abs(paperAt(flat, 40, 20) - paperAt(flat, 40, 740)) < 20, `paper ${paperAt(flat, 40, 20)} vs ${paperAt(flat, 40, 740)}`);
  assert.ok(inkShare(flat) < 0.15, `ink share after ${inkShare(flat)}`);
  assert.deepEqual(estimateSkew(inkMask(flat, 1600)), { angleDeg: 0, sideways: false });
});

test('a darker corner (vignetting) and shade from the side are flattened too', () => {
  const vignette: Shade = (x, y) => 1 - 0.9 * ((x - 0.5) ** 2 + (y - 0.5) ** 2);
  const side: Shade = (x) => 0.45 + 0.55 * x;
  for (const [name, shade] of [['vignette', vignette], ['side', side]] as const) {
    const flat = flattenLighting(page(shade));
    assert.ok(flat, `${name}: not flattened`);
    assert.ok(inkShare(flat) < 0.15, `${name}: ink share after ${inkShare(flat)}`);
  }
});

/** The page drawn turned `deg` on a white ground, as a scanner or a rotation tool leaves it: the corners pure white. */
function turnedOnWhite(g: Grey, deg: number): Grey {
  const src = createCanvas(g.width, g.height);
  const img = src.getContext('2d').createImageData(g.width, g.height);
  g.data.forEach((v, i) => img.data.set([v, v, v, 255], i * 4));
  src.getContext('2d').putImageData(img, 0, 0);
  const out = rotateCanvas(src, deg);
  return toGrey(out.getContext('2d').getImageData(0, 0, out.width, out.height).data, out.width, out.height);
}

test('a vignetted page turned 87° on white: the white corners are left out of the fit, and the page is flattened', () => {
  const vignette: Shade = (x, y) => 1 - 1.8 * ((x - 0.5) ** 2 + (y - 0.5) ** 2);
  const turned = turnedOnWhite(page(vignette), 87);
  const flat = flattenLighting(turned);
  assert.ok(flat, 'not flattened');
  assert.ok(inkShare(flat) < inkShare(turned) / 2, `ink share ${inkShare(turned)} -> ${inkShare(flat)}`);
});

test('evenly lit, a dark picture on even paper, a shaded photo on white paper, light text on dark, a blank page: left as they are', () => {
  assert.equal(flattenLighting(page()), undefined);
  assert.equal(flattenLighting(page(() => 0.97)), undefined);
  assert.equal(flattenLighting(page(undefined, { picture: true })), undefined);
  // Pure white paper reaches every edge like a turned page's fill; with it left out, only a smoothly shaded photo
  // would be fitted, and flattened.
  assert.equal(flattenLighting(page(undefined, { whitePaper: true, shadedPhoto: true })), undefined);
  assert.equal(flattenLighting(page(undefined, { negative: true })), undefined);
  assert.equal(flattenLighting(toGrey(new Uint8Array(300 * 200 * 4).fill(255), 300, 200)), undefined);
  assert.equal(flattenLighting(toGrey(new Uint8Array(4 * 4 * 4).fill(90), 4, 4)), undefined);
});
