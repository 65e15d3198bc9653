// XPS and OpenXPS documents (.xps, .oxps): a fixed layout, like PDF. Each page's glyph runs are placed where the page
// draws them (through every canvas's transform) and handed to the PDF layout, which reads columns, rows, running
// headers and footers the same way; a section a page, in the order of the document sequence. Turned text (IsSideways,
// a rotated canvas) is read after its page in the order it was written, as in PDF.
import { register } from '../registry.js';
import { withZip, type ZipArchive } from '../zip.js';
import { MAX_PART_BYTES, readRels, resolveTarget } from '../ooxml.js';
import { attrsOf, childrenOf, decodeXmlEntities, parseOrdered, tagOf, walk, type XNode } from '../xml.js';
import { layoutPage, dropRunningLines, type TextRun } from '../pdf-layout.js';
import { joinBrokenWords } from '../dehyphenate.js';
import { FileError } from '../../errors.js';
import type { Section } from '../types.js';

// Both XPS (Microsoft) and OpenXPS (ECMA-388) name the package's start this way.
const FIXED_REPRESENTATION = /\/fixedrepresentation$/;
const SEQUENCE_NAMES = ['FixedDocumentSequence.fdseq', 'FixedDocSeq.fdseq'];
// Without the glyph's own advance in Indices its width is the font's, which is not read: an average letter's.
const AVERAGE_ADVANCE_EM = 0.55;
// As pdf-text.ts: up to this shear (an italic made by slanting the upright font) text is still laid out in its line.
const MAX_SLANT = 0.5;

/** m11, m12, m21, m22, offsetX, offsetY: a point (x, y) goes to (m11·x + m21·y + ox, m12·x + m22·y + oy). */
type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

register(['xps'], {
  version: '2',
  async extract(ctx) {
    return withZip(ctx, async (z) => {
      const pages = await pageParts(z);
      if (!pages.length) throw new FileError('failed', 'corrupt', 'XPS package without a fixed page');
      const read: { page: number; lines: ReturnType<typeof layoutPage>; turned: string[] }[] = [];
      for (const [i, part] of pages.entries()) {
        if (ctx.budget.exhausted) break;
        const { runs, turned } = glyphRuns(parseOrdered(await readPart(z, part)));
        read.push({ page: i + 1, lines: layoutPage(runs), turned });
      }
      // Running headers and footers are read once, where they first appear (as in PDF).
      const kept = dropRunningLines(read.map((p) => p.lines));
      const sections: Section[] = [];
      read.forEach((p, i) => {
        const text = [...kept[i]!, ...p.turned].join('\n');
        if (text.trim()) sections.push({ text: ctx.budget.take(text), loc: { page: p.page } });
      });
      return { sections: joinBrokenWords(sections), pages: pages.length };
    });
  },
});

/** The fixed pages in reading order: the sequence's documents in turn, each document's pages in turn. */
async function pageParts(z: ZipArchive): Promise<string[]> {
  const start = (await readRels(z, '')).find((r) => FIXED_REPRESENTATION.test(r.type))?.target;
  const named = start === undefined ? undefined : partName(z, start);
  const sequence = named ?? SEQUENCE_NAMES.find((n) => exists(z, n));
  if (!sequence) throw new FileError('failed', 'corrupt', 'XPS package without a document sequence');
  const pages: string[] = [];
  for (const doc of await sources(z, sequence, 'DocumentReference')) pages.push(...(await sources(z, doc, 'PageContent')));
  return [...new Set(pages)];
}

/** The parts a sequence or document lists (Source attributes of `tag`), resolved against it, that exist; each once. */
async function sources(z: ZipArchive, part: string, tag: string): Promise<string[]> {
  const out = new Set<string>();
  walk(parseOrdered(await readPart(z, part)), (n, t) => {
    if (t !== tag) return true;
    const src = attrsOf(n).Source;
    const target = src && partName(z, resolveTarget(part, decodeXmlEntities(src)));
    if (target) out.add(target);
    return false;
  });
  return [...out];
}

/**
 * The package's name for a part a URI points at: as written (OPC keeps ASCII escapes such as %20 in item names), with
 * its escapes decoded, or matched without regard to case (part names are compared so); undefined if none exists.
 */
function partName(z: ZipArchive, uri: string): string | undefined {
  let decoded = uri;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    // a stray "%": the name as written is all there is
  }
  const direct = [uri, decoded].find((n) => exists(z, n));
  if (direct) return direct;
  const byLower = lowerCaseNames(z);
  return byLower.get(uri.toLowerCase()) ?? byLower.get(decoded.toLowerCase());
}

const PIECE = /\/\[\d+\](\.last)?\.piece$/i;
const lowerCaseCache = new WeakMap<ZipArchive, Map<string, string>>();

/** Every part's name by its lower-case form (a piece counts as its part), built once per package. */
function lowerCaseNames(z: ZipArchive): Map<string, string> {
  let m = lowerCaseCache.get(z);
  if (!m) {
    m = new Map();
    for (const n of z.names()) {
      const part = n.replace(PIECE, '');
      if (!m.has(part.toLowerCase())) m.set(part.toLowerCase(), part);
    }
    lowerCaseCache.set(z, m);
  }
  return m;
}

/** A part stored whole, or interleaved as pieces ("p.fpage/[0].piece" … "p.fpage/[n].last.piece"). */
function exists(z: ZipArchive, part: string): boolean {
  return z.has(part) || z.has(`${part}/[0].piece`) || z.has(`${part}/[0].last.piece`);
}

async function readPart(z: ZipArchive, part: string): Promise<string> {
  if (z.has(part)) return z.readText(part, MAX_PART_BYTES);
  const pieces: Buffer[] = [];
  let total = 0;
  for (let i = 0; ; i++) {
    const last = `${part}/[${i}].last.piece`;
    const name = z.has(last) ? last : `${part}/[${i}].piece`;
    if (!z.has(name)) throw new FileError('failed', 'corrupt', `XPS part ${part}: piece ${i} missing`);
    const piece = await z.read(name, MAX_PART_BYTES - total);
    total += piece.length;
    pieces.push(piece);
    if (name === last) break;
  }
  return z.decodeText(Buffer.concat(pieces));
}

/** The page's glyph runs in page space (y up, as the layout expects), and the text of turned runs in written order. */
function glyphRuns(page: XNode[]): { runs: TextRun[]; turned: string[] } {
  const runs: TextRun[] = [];
  const turned: string[] = [];
  const visit = (nodes: XNode[], outer: Matrix): void => {
    for (const n of nodes) {
      // Only these hold text (resources, paths and the rest do not).
      const tag = tagOf(n);
      if (tag !== 'Glyphs' && tag !== 'Canvas' && tag !== 'FixedPage') continue;
      const m = multiply(ownTransform(n), outer);
      if (tag === 'Glyphs') placeGlyphs(attrsOf(n), m, runs, turned);
      else visit(childrenOf(n), m);
    }
  };
  visit(page, IDENTITY);
  return { runs, turned };
}

function placeGlyphs(a: Record<string, string>, m: Matrix, runs: TextRun[], turned: string[]): void {
  // "{}" escapes a string that starts with "{" (which would otherwise be a markup extension).
  const str = decodeXmlEntities(a.UnicodeString ?? '').replace(/^\{\}/, '');
  if (!str.trim()) return;
  const size = Number(a.FontRenderingEmSize);
  const ox = Number(a.OriginX ?? 0);
  const oy = Number(a.OriginY ?? 0);
  if (!(size > 0) || !Number.isFinite(ox) || !Number.isFinite(oy)) return;
  const [m11, m12, m21, m22, dx, dy] = m;
  if (a.IsSideways === 'true' || Math.abs(m12) > 1e-3 * Math.abs(m11) || Math.abs(m21) > MAX_SLANT * Math.abs(m22) || m11 <= 0 || m22 <= 0) {
    turned.push(str.trim());
    return;
  }
  const rtl = Number(a.BidiLevel ?? 0) % 2 === 1;
  const width = advanceEms(a.Indices, str) * size * m11;
  const x = m11 * ox + m21 * oy + dx;
  const y = m12 * ox + m22 * oy + dy;
  // Right-to-left glyphs run leftwards from their origin.
  runs.push({ str, x: rtl ? x - width : x, y: -y, width, height: size * m22, rtl: rtl || undefined });
}

/**
 * The run's advance in ems. Each Indices entry is one glyph: "[(c:g)]index[,advance[,u[,v]]]", the advance in
 * hundredths of the em size. A cluster map "(c:g)" starts a cluster of c UTF-16 code units drawn by g glyphs (a
 * ligature: "ffi" is (3:1)); without one an entry stands for one code unit. Glyphs without an advance, and code units
 * no entry covers, take the font's advance, which is not read: an average letter's.
 */
function advanceEms(indices: string | undefined, str: string): number {
  const entries = indices ? indices.split(';') : [];
  let ems = 0;
  let units = 0;
  const glyph = (entry: string | undefined) => {
    const advance = entry?.replace(/^\([^)]*\)/, '').split(',')[1];
    const n = advance === undefined || advance.trim() === '' ? NaN : Number(advance);
    ems += Number.isFinite(n) && n >= 0 ? n / 100 : AVERAGE_ADVANCE_EM;
  };
  for (let i = 0; i < entries.length; ) {
    const cluster = /^\((\d+)(?::(\d+))?\)/.exec(entries[i]!);
    const codeUnits = cluster ? Number(cluster[1]) : 1;
    const glyphs = cluster ? Math.max(1, Number(cluster[2] ?? 1)) : 1;
    for (let k = 0; k < glyphs && i + k < entries.length; k++) glyph(entries[i + k]);
    i += glyphs;
    units += codeUnits;
  }
  return ems + Math.max(0, str.length - units) * AVERAGE_ADVANCE_EM;
}

/** A Glyphs' or Canvas's RenderTransform: the abbreviated attribute, or a MatrixTransform child. */
function ownTransform(n: XNode): Matrix {
  const attr = attrsOf(n).RenderTransform;
  if (attr) return parseMatrix(attr);
  const tag = tagOf(n)!;
  for (const c of childrenOf(n)) {
    if (tagOf(c) !== `${tag}.RenderTransform`) continue;
    for (const t of childrenOf(c)) if (tagOf(t) === 'MatrixTransform') return parseMatrix(attrsOf(t).Matrix ?? '');
  }
  return IDENTITY;
}

/** Six numbers; anything else (a resource reference "{StaticResource …}", a malformed value) counts as none. */
function parseMatrix(s: string): Matrix {
  const v = s.split(/[\s,]+/).filter(Boolean).map(Number);
  return v.length === 6 && v.every(Number.isFinite) ? (v as Matrix) : IDENTITY;
}

/** `inner` then `outer`. */
function multiply(inner: Matrix, outer: Matrix): Matrix {
  const [a1, b1, c1, d1, e1, f1] = inner;
  const [a2, b2, c2, d2, e2, f2] = outer;
  return [a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2, e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2];
}
