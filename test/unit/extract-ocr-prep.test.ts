// Page analysis before OCR: skew and sideways pages from projection profiles, glyph size, ink mask polarity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas } from '@napi-rs/canvas';
import { components, inkMask, medianGlyphHeight, otsu, textOnly, thinRules, toGrey, withoutPictures } from '../../src/extract/ocr-prep.js';
import { scaleGrey } from '../../src/extract/ocr-scale.js';
import { estimateSkew, levelledMask } from '../../src/extract/ocr-skew.js';
import { rotateCanvas } from '../../scripts/make-ocr-rotations.js';

/** A blank page `w` × `h` and its context, set to draw in `ink` on `paper`. */
function blank(w: number, h: number, paper = '#fff', ink = '#000') {
  const c = createCanvas(w, h);
  const g = c.getContext('2d');
  g.fillStyle = paper;
  g.fillRect(0, 0, w, h);
  g.fillStyle = ink;
  return { c, g };
}

const greyOf = (c: ReturnType<typeof blank>['c']) => toGrey(c.getContext('2d').getImageData(0, 0, c.width, c.height).data, c.width, c.height);

/** A page of text lines drawn with @napi-rs/canvas, optionally rotated clockwise and in negative. */
function page(deg: number, opts: { fontPx?: number; negative?: boolean; block?: boolean; underline?: boolean; links?: boolean } = {}) {
  const fontPx = opts.fontPx ?? 28;
  const { c, g } = opts.negative ? blank(1000, 700, '#000', '#fff') : blank(1000, 700);
  // A dark picture over a third of the page, beside the text.
  if (opts.block) g.fillRect(560, 330, 420, 350);
  g.font = `${fontPx}px serif`;
  for (let i = 0; i < 9; i++) {
    g.fillText('The quick brown fox jumps over the lazy dog again.', 40, 80 + i * fontPx * 2.2);
    // An underline two pixels thick, as a link in a table of contents: across the line, under its baseline.
    if (opts.underline) g.fillRect(40, 80 + i * fontPx * 2.2 + 4, 640, 2);
    // A web page's link: one word underlined, "quick brown" (about eight glyphs).
    if (opts.links) g.fillRect(40 + g.measureText('The ').width, 80 + i * fontPx * 2.2 + 4, g.measureText('quick brown').width, 2);
  }
  return greyOf(deg ? rotateCanvas(c, deg) : c);
}

test('otsu splits a two-level histogram between its levels', () => {
  const h = new Array<number>(256).fill(0);
  h[30] = 100;
  h[220] = 900;
  const t = otsu(h);
  assert.ok(t >= 30 && t < 220, `threshold ${t}`);
});

test('skew: the angle of a page turned by up to 15° either way, to within half a degree', () => {
  for (const deg of [0, 3, -5, 10, -12, 15]) {
    const s = estimateSkew(inkMask(page(deg), 1600));
    assert.equal(s.sideways, false, `${deg}°`);
    assert.ok(Math.abs(s.angleDeg - deg) <= 0.5, `${deg}°: estimated ${s.angleDeg}°`);
  }
});

test('skew beside a dark picture: measured on the text alone, the picture cleared from the mask', () => {
  for (const deg of [0, 5, -8]) {
    const m = inkMask(page(deg, { block: true }), 1600);
    const s = estimateSkew(withoutPictures(m));
    assert.equal(s.sideways, false, `${deg}°`);
    assert.ok(Math.abs(s.angleDeg - deg) <= 0.5, `${deg}°: estimated ${s.angleDeg}°`);
  }
  const plain = inkMask(page(3), 1600);
  assert.equal(withoutPictures(plain), plain, 'a page without pictures is the same mask');
  // One line of large type: its letters are taller than an eighth of the image, and stay (they are the text).
  const { c, g } = blank(900, 160);
  g.font = '64px serif';
  g.fillText('Harbour notice', 40, 110);
  const line = inkMask(greyOf(rotateCanvas(c, 6)), 1600);
  assert.equal(withoutPictures(line), line);
});

test('skew: pages turned a quarter are sideways, with their residual skew', () => {
  for (const [deg, residual] of [[90, 0], [270, 0], [100, 10], [-97, -7]] as const) {
    const s = estimateSkew(inkMask(page(deg), 1600));
    assert.equal(s.sideways, true, `${deg}°`);
    // Turned a quarter clockwise the page reads upright or upside down; either way its lines are level after -angle.
    const r = ((((deg - 90 - s.angleDeg) % 180) + 180) % 180);
    assert.ok(Math.min(r, 180 - r) <= 0.5, `${deg}°: residual ${residual}, estimated ${s.angleDeg}°`);
  }
});

/** A two-column page of 12-px type under a title, as a typical A4 report: the columns' gutter and margins are sharp too. */
function twoColumnPage() {
  const { c, g } = blank(900, 1200);
  g.font = '30px serif';
  g.fillText('The Harbour Sequencer', 60, 90);
  g.font = '12px serif';
  for (let i = 0; i < 60; i++) {
    g.fillText('To record a tide table, press the record key and play', 60, 160 + i * 17);
    g.fillText('in time with the click; all timing errors are corrected.', 480, 160 + i * 17);
  }
  return c;
}

test('skew: a two-column page turned a quarter is sideways, judged on its lines and not its columns', () => {
  for (const deg of [0, 90, 270, 93]) {
    const m = inkMask(greyOf(deg ? rotateCanvas(twoColumnPage(), deg) : twoColumnPage()), 1600);
    const parts = components(m);
    const glyph = medianGlyphHeight(m, parts)!;
    const text = withoutPictures(m, parts, glyph);
    assert.equal(estimateSkew(text, glyph).sideways, deg !== 0, `${deg}°`);
  }
});

test('glyph height follows the type size; light text on dark is still ink', () => {
  const small = medianGlyphHeight(inkMask(page(0, { fontPx: 14 }), 1600))!;
  const large = medianGlyphHeight(inkMask(page(0, { fontPx: 42 }), 1600))!;
  assert.ok(small >= 5 && small <= 12, `14 px type: ${small}`);
  assert.ok(large >= 2.5 * small, `42 px type: ${large} vs ${small}`);
  const neg = inkMask(page(0, { negative: true }), 1600);
  const inkShare = neg.bits.reduce((n, b) => n + b, 0) / neg.bits.length;
  assert.ok(inkShare < 0.5, `ink share ${inkShare}`);
});

test('glyph height of a map: its labels, not the dashes of its borders and roads', () => {
  const { c, g } = blank(900, 700);
  // Dashed borders and roads: some 600 dashes 6 px long and 2 px thick, spaced wider than they are thick, along
  // straight and slanting lines.
  for (let r = 0; r < 12; r++) {
    for (let i = 0; i < 50; i++) {
      const x = 20 + i * 16;
      const y = 40 + r * 55 + (r % 3) * i * 0.4 * (i % 2 ? 1 : 0.5);
      g.fillRect(x, y, 6, 2);
    }
  }
  // Eight place names in 30 px type.
  g.font = '30px serif';
  const names = ['Tarnose', 'Bokale', 'Lehuntze', 'Mugerre', 'Angelu', 'Hiriburu', 'Milafranga', 'Basusarri'];
  names.forEach((n, i) => g.fillText(n, 60 + (i % 3) * 280, 75 + i * 72));
  const m = inkMask(toGrey(g.getImageData(0, 0, 900, 700).data, 900, 700), 1600);
  const glyph = medianGlyphHeight(m)!;
  assert.ok(glyph >= 12 && glyph <= 24, `glyph ${glyph}: the labels' letters, not the dashes' 2 px`);
});

test('a blank page has no skew and no glyphs', () => {
  const blank = toGrey(new Uint8Array(200 * 100 * 4).fill(255), 200, 100);
  assert.deepEqual(estimateSkew(inkMask(blank, 1600)), { angleDeg: 0, sideways: false });
  assert.equal(medianGlyphHeight(inkMask(blank, 1600)), undefined);
});

test('declared resolution: PNG pHYs, JPEG JFIF density; none or nonsense is undefined', async () => {
  const { imageDpi } = await import('../../src/extract/imagesize.js');
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(10, 0);
  ihdr.writeUInt32BE(10, 4);
  const phys = (ppm: number, unit: number) => {
    const b = Buffer.alloc(9);
    b.writeUInt32BE(ppm, 0);
    b.writeUInt32BE(ppm, 4);
    b[8] = unit;
    return b;
  };
  const png = (...chunks: Buffer[]) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), ...chunks, chunk('IEND', Buffer.alloc(0))]);
  assert.equal(imageDpi(png(chunk('pHYs', phys(11811, 1)))), 300);
  assert.equal(imageDpi(png(chunk('pHYs', phys(11811, 0)))), undefined); // aspect ratio only
  assert.equal(imageDpi(png()), undefined);
  const jfif = (units: number, density: number) => {
    const app0 = Buffer.alloc(18);
    app0.writeUInt16BE(0xffe0, 0);
    app0.writeUInt16BE(16, 2);
    app0.write('JFIF\0', 4, 'latin1');
    app0[11] = units;
    app0.writeUInt16BE(density, 12);
    app0.writeUInt16BE(density, 14);
    return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, Buffer.from([0xff, 0xda, 0, 2])]);
  };
  assert.equal(imageDpi(jfif(1, 200)), 200);
  assert.equal(imageDpi(jfif(2, 118)), 300);
  assert.equal(imageDpi(jfif(1, 1)), undefined);
});

test('scaleGrey: sizes round up, flat grey stays flat, reducing averages, enlarging keeps edges in place', () => {
  const flat = { data: new Uint8Array(40 * 30).fill(200), width: 40, height: 30 };
  for (const s of [0.33, 0.5, 1.25, 1.5, 2]) {
    const out = scaleGrey(flat, s);
    assert.equal(out.width, Math.ceil(40 * s - 1e-6));
    assert.equal(out.height, Math.ceil(30 * s - 1e-6));
    assert.ok(out.data.every((v) => v === 200), `flat at ${s}`);
  }
  // A 1-pixel checkerboard halved: every output pixel is the mean of two black and two white.
  const checker = { data: new Uint8Array(8 * 8).map((_, i) => ((i % 8) + Math.floor(i / 8)) % 2 ? 255 : 0), width: 8, height: 8 };
  assert.ok(scaleGrey(checker, 0.5).data.every((v) => v === 128 || v === 127));
  // Left half black, right half white, enlarged 2x: the edge stays in the middle, the far sides stay pure.
  const edge = { data: new Uint8Array(10 * 4).map((_, i) => (i % 10 < 5 ? 0 : 255)), width: 10, height: 4 };
  const big = scaleGrey(edge, 2);
  const row = Array.from(big.data.subarray(0, big.width));
  assert.equal(row[0], 0);
  assert.equal(row[19], 255);
  assert.ok(row[8]! < 64 && row[11]! > 191, row.join(','));
});

test('thin rules: underlined lines and links count; plain text, a dark picture and light text on dark do not', () => {
  const rules = (g: ReturnType<typeof page>) => {
    const m = inkMask(g, 1600);
    const parts = components(m);
    const glyph = medianGlyphHeight(m, parts)!;
    return thinRules(withoutPictures(m, parts, glyph), glyph);
  };
  assert.equal(rules(page(0, { underline: true })), 9);
  assert.equal(rules(page(0, { links: true })), 9);
  assert.equal(rules(page(0)), 0);
  assert.equal(rules(page(0, { block: true })), 0);
  assert.equal(rules(page(0, { negative: true })), 0);
});

test('thin rules on a skewed page: broken into short runs as it lies, counted once the mask is levelled', () => {
  const m = inkMask(page(2, { underline: true }), 1600);
  const parts = components(m);
  const glyph = medianGlyphHeight(m, parts)!;
  const text = withoutPictures(m, parts, glyph);
  const skew = estimateSkew(text);
  assert.ok(Math.abs(skew.angleDeg - 2) <= 0.5, `skew ${skew.angleDeg}`);
  assert.equal(thinRules(text, glyph), 0);
  assert.equal(thinRules(levelledMask(text, skew.angleDeg), glyph), 9);
});

test('components: 8-connected, shapes joined late (a U, a V, a diagonal) are one, separate specks are not', () => {
  const rows = [
    '#...#..#.....#',
    '#...#...#...#.',
    '#...#....#.#..',
    '#####.....#...',
    '..............',
    '.#.#.##..#....',
    '#...#.....#...',
  ];
  const width = rows[0]!.length;
  const bits = Uint8Array.from(rows.join(''), (ch) => (ch === '#' ? 1 : 0));
  const { of, blobs } = components({ bits, width, height: rows.length, scale: 1 });
  const boxes = blobs.map((b) => [b.x0, b.y0, b.x1, b.y1, b.area]);
  assert.deepEqual(boxes, [
    [0, 0, 4, 3, 11], // the U: its two arms meet only on the last row
    [7, 0, 13, 3, 7], // the V: its arms meet at the bottom
    [0, 5, 1, 6, 2], // two pixels touching at a corner
    [3, 5, 6, 6, 4], // a speck joined to a bar by a diagonal, and the bar
    [9, 5, 10, 6, 2], // a diagonal pair
  ]);
  // Every ink pixel has its component number, paper none.
  for (let i = 0; i < bits.length; i++) assert.equal(of[i]! > 0, bits[i] === 1, `pixel ${i}`);
});

test('text only: a page keeps its lines of text, and loses a dark picture and a line drawn across it', () => {
  const { c, g } = blank(1000, 700);
  g.font = '28px serif';
  for (let i = 0; i < 5; i++) g.fillText('The quick brown fox jumps over the lazy dog.', 40, 60 + i * 60);
  g.fillRect(600, 400, 300, 250);
  g.strokeStyle = '#000';
  g.lineWidth = 3;
  g.beginPath();
  g.moveTo(20, 690);
  g.lineTo(560, 360);
  g.stroke();
  const grey = toGrey(g.getImageData(0, 0, 1000, 700).data, 1000, 700);
  for (const maxDim of [1600, 400]) {
    const m = inkMask(grey, maxDim);
    const clean = textOnly(grey, m, components(m));
    const inkIn = (x0: number, y0: number, x1: number, y1: number, img = clean) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (img.data[y * img.width + x]! < 128) n++;
      return n;
    };
    // The lines of text, the dots of i and j with them, are the page's own pixels (but for a few of a full stop's
    // edge). Analysed at a third of its size, thin serifs fade below the mask's threshold and a few letters with them:
    // most of the text stays.
    const kept = inkIn(30, 20, 700, 340) / inkIn(30, 20, 700, 340, grey);
    assert.ok(kept > (maxDim === 1600 ? 0.995 : 0.85), `analysed at ${maxDim}: ${kept}`);
    assert.equal(inkIn(600, 400, 900, 650), 0, 'the picture is paper');
    assert.equal(inkIn(20, 360, 560, 700), 0, 'the drawn line is paper');
  }
  // In negative (light text on a dark page) what is cleared takes the page's dark, not white.
  const negative = { ...grey, data: grey.data.map((v) => 255 - v) };
  const m = inkMask(negative, 1600);
  const clean = textOnly(negative, m, components(m));
  assert.ok(clean.data[690 * 1000 + 980]! < 32, 'a corner stays dark');
  assert.ok(clean.data[500 * 1000 + 700]! < 32, 'the cleared picture is dark');
});
