// Turning a grey page before OCR: exact quarter turns, and bilinear turns that agree with the skew they level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rotateGrey } from '../../src/extract/ocr-rotate.js';
import { inkMask, type Grey } from '../../src/extract/ocr-prep.js';
import { estimateSkew } from '../../src/extract/ocr-skew.js';

const grey = (width: number, height: number, px: number[]): Grey => ({ width, height, data: Uint8Array.from(px) });

test('quarter turns move pixels exactly, clockwise; a full turn is the page itself', () => {
  // 3 wide, 2 high:  a b c / d e f
  const g = grey(3, 2, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(rotateGrey(g, 90), grey(2, 3, [4, 1, 5, 2, 6, 3]));
  assert.deepEqual(rotateGrey(g, 180), grey(3, 2, [6, 5, 4, 3, 2, 1]));
  assert.deepEqual(rotateGrey(g, 270), grey(2, 3, [3, 6, 2, 5, 1, 4]));
  assert.deepEqual(rotateGrey(g, -90), rotateGrey(g, 270));
  assert.equal(rotateGrey(g, 360), g);
  assert.deepEqual(rotateGrey(rotateGrey(g, 90), 270), g);
});

test('any other angle: the bounding box grows to hold the page, the corners are paper, blank stays blank', () => {
  const w = 200;
  const h = 100;
  const blank = grey(w, h, new Array<number>(w * h).fill(255));
  const r = rotateGrey(blank, 30);
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  assert.equal(r.width, Math.ceil(w * c + h * s));
  assert.equal(r.height, Math.ceil(w * s + h * c));
  assert.ok(r.data.every((v) => v === 255));
  const black = rotateGrey(grey(w, h, new Array<number>(w * h).fill(0)), 30);
  assert.equal(black.data[0], 255, 'the corner outside the turned page is paper');
  assert.equal(black.data[(r.height >> 1) * r.width + (r.width >> 1)], 0, 'the centre is page');
});

test('turning back a turned page of lines levels it, and a dot goes where the turn sends it', () => {
  // Horizontal dark lines, 4 px thick every 20 px: turned 8° clockwise they measure 8°; turned back, 0°.
  const w = 600;
  const h = 400;
  const px = new Array<number>(w * h).fill(255);
  for (let y = 40; y < h - 40; y += 20) for (let t = 0; t < 4; t++) for (let x = 60; x < w - 60; x++) px[(y + t) * w + x] = 0;
  const page = grey(w, h, px);
  const turned = rotateGrey(page, 8);
  assert.ok(Math.abs(estimateSkew(inkMask(turned, 1600)).angleDeg - 8) <= 0.5, 'turned page measures 8°');
  assert.ok(Math.abs(estimateSkew(inkMask(rotateGrey(turned, -8), 1600)).angleDeg) <= 0.5, 'turned back it is level');
  // A single dark pixel right of the centre moves down (clockwise on screen) by sin(θ) of its distance.
  const dot = grey(101, 101, new Array<number>(101 * 101).fill(255));
  dot.data[50 * 101 + 90] = 0;
  const t = rotateGrey(dot, 20);
  let best = { v: 256, x: 0, y: 0 };
  for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) if (t.data[y * t.width + x]! < best.v) best = { v: t.data[y * t.width + x]!, x, y };
  const cx = t.width / 2 - 0.5;
  const cy = t.height / 2 - 0.5;
  assert.ok(Math.abs(best.x - (cx + 40 * Math.cos(Math.PI / 9))) <= 1 && Math.abs(best.y - (cy + 40 * Math.sin(Math.PI / 9))) <= 1, JSON.stringify(best));
});
