// One page image through OCR: grey, uneven lighting evened out, a page in negative made positive, light text on dark
// bars made dark on white, small text upscaled, skew levelled (±15°), sideways and upside-down pages turned (projection
// profiles and ascenders, then tesseract's OSD when the first reading is doubtful), then recognised; a map or a
// diagram, whose text page segmentation mostly misses, read once more for sparse text.
import { recognize, detectOrientation, type Recognized } from './ocr.js';
import { flattenLighting } from './ocr-light.js';
import { inkWay, latinScript, quarterTurn, quarterTurnFromInk } from './ocr-orient.js';
import { components, inkMask, medianGlyphHeight, paperLevel, textBlobs, textInk, textOnly, thinRules, toGrey, withoutPictures, type Grey } from './ocr-prep.js';
import { liftBars } from './ocr-bars.js';
import { scaleGrey } from './ocr-scale.js';
import { estimateSkew, levelledMask } from './ocr-skew.js';
import { rotateGrey } from './ocr-rotate.js';
import { withNewLines } from './pdf-overlay.js';

export interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** Resolution of the page image when known (a rendered PDF page, an image that declares one). */
  dpi?: number;
}

export interface OcrPageOptions {
  lang: string;
  /** A folder of `<lang>.traineddata` to use instead of the @tesseract.js-data packages. */
  dataDir?: string;
  timeoutMs: number;
  /** The prepared (upscaled, turned) page stays under this many pixels. */
  maxPixels: number;
}

export interface OcrPageResult extends Recognized {
  /** The clockwise turn applied before recognition, skew included. */
  rotationDeg: number;
  scale: number;
}

// Analysis runs on a copy at most this many pixels a side: plenty for line and glyph geometry.
const ANALYSIS_DIM = 1600;
// The median glyph blob is about the x-height. Below 7 px (pages scanned or rendered at 72-100 dpi) tesseract's
// segmentation merges and loses strokes and it reads noise; enlarged to 7.5 px it reads them nearly like a 300 dpi
// scan. Enlarging further costs time for little (the corpus's two 72 dpi pages, fast model, cubic enlargement: 1×
// 94% and 47% word recall, 1.25× 99% and 89%, 1.4× 99% and 91%, 1.6× 99% and 92%; time grows with the pixels).
const TARGET_GLYPH_PX = 7.5;
const MIN_GLYPH_PX = 7;
// A page that is levelled is resampled once more, and small type blurs in the rotation: skewed copies (-6° to 11°, and
// 3° past a quarter) of eight 72-96 dpi pages read 96.1% of their words at 7.5 px against 99.2% for the straight ones.
// Enlarged to 9 px before levelling they read 97.6%, at 15% more time (10.5 px: 97.9%, at 36% more).
const LEVELLED_GLYPH_PX = 9;
const MAX_UPSCALE = 4;
// Ordinary type at 200-300 dpi (glyphs of 15-25 px) reads as well or better brought down to 12 px, and faster: area
// averaging smooths scanner noise and blur before tesseract binarises. On 30 generated pages (conditions, noisy
// skewed scans) mean word recall rose from 95.4% to 97.0% and no page read fewer words; CPU time fell 5% over them,
// and up to 35% a page on 250-dpi renders and 5-megapixel scans. "Page 2" in 60 px type lost its space at 11 px.
const REDUCE_ABOVE_GLYPH_PX = 14;
const REDUCED_GLYPH_PX = 12;
// Except on pages ruled under the text (underlined links in a table of contents, dot leaders, form fields): shrunk,
// the rules close on the letters and tesseract's line finding comes apart. A 300 dpi contents page of underlined
// entries read 72.5% of its words at 12 px against native tesseract's 89.5% at its own size.
const KEEP_SIZE_AT_THIN_RULES = 3;
// Very large type (posters, slides photographed close up) reads worse too ("Page 2" came out "Page?" at a 50 px
// x-height): such pages are brought down to a 300 dpi x-height, not further.
const MAX_GLYPH_PX = 36;
const DOWN_TARGET_GLYPH_PX = 20;
// An image that declares no resolution (a screenshot, a phone photo, a re-saved scan) is given one from its glyphs:
// body text's median glyph is about 1/13 inch (10-11 pt type: 24 px at 300 dpi, 12 at 150). Left to estimate,
// tesseract took a 300 dpi contents page for 438 dpi and read 11% of it (60.9% unlevelled), a 300 dpi form for far
// more than 300 and read 81% of it; told this guess they read 90.1% and 92.9%, as with their true resolution.
const DPI_PER_GLYPH_PX = 13;
// Cameras, phones and screenshot tools write 72 or 96 dpi whatever the picture holds. When the glyphs say at least
// twice that, the declared figure is taken for such a default: a 300 dpi contents page and form declaring 72 read
// 60.3% and 81.1% of their words, as with none. A true 72 dpi scan (glyphs of 5 px: 65 dpi) keeps its own.
const DEFAULT_DENSITY_MAX = 96;
// Below this skew tesseract's own line finding copes; levelling would only resample the page.
const MIN_SKEW_DEG = 0.3;
// A reading under this mean confidence may be of a page upside down or sideways: orientation detection decides.
const DOUBTFUL_CONFIDENCE = 70;
const MIN_OSD_CONFIDENCE = 1;
// Fewer letters than this in a doubtful reading, and less of the ink than this in lines of text: nothing on the page
// for orientation detection to turn.
const MIN_LETTERS_TO_ORIENT = 8;
const MIN_TEXT_INK_TO_ORIENT = 0.5;
// A page with less than this share of its ink in lines of text may hold text that page segmentation did not find: pages
// of text hold 0.9 of it or more, unless a dark picture or a scanner's border outweighs them (0.14-0.19, but read
// whole: a letter for each mark); maps, diagrams and photos 0.01-0.44.
const MAX_TEXT_INK_FOR_SPARSE = 0.5;
// Letters and digits read per glyph-sized mark in lines: 0.8-1.2 on pages read whole (more where letters touch), 0.45-0.55 on the
// maps measured, read in part. Its confidence says less: a dense paper page rendered at 50 dpi reads whole at 65.
const MIN_READ_PER_MARK = 0.6;
// Fewer letters than this in the first reading: a photo or a drawing with no text to look for (a word or two of texture).
const MIN_LETTERS_FOR_SPARSE = 8;
const SPARSE_MARGIN_MS = 5000;
/**
 * Pages are read at most this many pixels (4000 × 4000; a 600 dpi A4 scan is read at about 420 dpi): with the
 * decoded image, its grey copy and tesseract's own, a 50-megapixel image would not fit in a 1 GB worker.
 */
export const MAX_WORK_PIXELS = 16_000_000;

export async function ocrPixels(input: Pixels, o: OcrPageOptions): Promise<OcrPageResult> {
  const cap = Math.min(o.maxPixels, MAX_WORK_PIXELS);
  const [shrunk, px] = shrinkToCap(toGrey(input.data, input.width, input.height), input, cap);
  const grey = flattenLighting(shrunk) ?? shrunk;
  const mask = inkMask(grey, ANALYSIS_DIM);
  const parts = components(mask);
  // The glyph-sized marks in lines of text: the glyph size, the text's ink and the text-only image all start from them.
  const marks = textBlobs(mask, parts);
  const glyph = medianGlyphHeight(mask, parts, marks);
  // Lines are measured on the text alone: a picture's rows would outweigh them.
  const text = withoutPictures(mask, parts, glyph);
  const skew = estimateSkew(text, glyph);
  // Sideways lines measured their letters' widths, narrower than their heights: a page turned a quarter was read
  // enlarged 40% more than the same page upright, at 8% more time. Their heights are measured turned.
  const upGlyph = skew.sideways && glyph !== undefined ? (medianGlyphHeight(quarterTurn(mask)) ?? glyph) : glyph;
  const glyphPx = upGlyph === undefined ? undefined : upGlyph / mask.scale;
  // Rules matter only where ordinary type would be reduced: elsewhere the mask is not levelled for them.
  const reducible = glyphPx !== undefined && glyphPx > REDUCE_ABOVE_GLYPH_PX && glyphPx <= MAX_GLYPH_PX;
  const ruled = reducible && !skew.sideways && thinRules(levelledMask(text, skew.angleDeg), glyph!) >= KEEP_SIZE_AT_THIN_RULES;
  const skewed = Math.abs(skew.angleDeg) >= MIN_SKEW_DEG;
  const scale = Math.min(readingScale(glyphPx, ruled, skewed), Math.sqrt(cap / (grey.width * grey.height)));
  const level = skew.sideways || skewed ? -skew.angleDeg : 0;
  const latin = latinScript(o.lang);
  // A page in negative (light text on a dark ground) is read as its positive. Tesseract inverts only line by line, after
  // each line has read badly: every line is recognised twice (a 200-dpi page in negative took 1.0 s against 0.6 s).
  const paper = paperLevel(grey, mask);
  const positive = paper >= 128 ? grey : invertGrey(grey);
  // The paper of what is read: inverted with the page, and untouched by bar lifting (bars are ink in the mask).
  const positivePaper = Math.max(paper, 255 - paper);
  let base = level;
  let inkUpright = false;
  // A sideways page turned a quarter the ink did not choose (OSD did, or nothing did): if it reads doubtfully, the other
  // way is tried. OSD can be sure and wrong on small type.
  let guessedQuarter = false;
  // Ink that leant upside down without saying so: a doubtful reading is tried the other way round too.
  let inkLeansDown = false;
  if (!skew.sideways) {
    // An upside-down page is turned before its first reading when its ink says so (Latin script only), saving a
    // reading; otherwise a doubtful reading asks OSD below, unless the ink said clearly that the page is upright.
    const ink = latin ? inkWay(text, skew) : { way: undefined, leansDown: false };
    if (ink.way === 'down') base += 180;
    inkUpright = ink.way === 'up';
    inkLeansDown = ink.way === undefined && ink.leansDown;
  } else {
    // Sideways text: which quarter turn is for the ink to say, else for OSD (it reads sideways text), which is cheaper
    // than a wrong guess.
    const quarter = latin ? quarterTurnFromInk(text, skew) : undefined;
    if (quarter !== undefined) base += quarter;
    else {
      const osd = await detectOrientation(encodePgm(transform(positive, Math.min(scale, 1), normalise(level))), o.timeoutMs);
      base += osd && osd.confidence >= MIN_OSD_CONFIDENCE && osd.degrees % 180 !== 0 ? osd.degrees : 90;
      guessedQuarter = true;
    }
  }
  const opts = { ...o, dpi: readingDpi(px.dpi, glyphPx, scale) };
  // What is read: the page with light text on dark bars made dark on white (analysis above keeps the page as it is).
  const page = liftBars(positive, mask, parts, glyph, positivePaper);
  // The text's ink is measured once, and only for a page that asks (a doubtful reading, few letters).
  let ink: { share: number; marks: number } | undefined;
  const textInkOf = () => (ink ??= textInk(mask, parts, marks));
  const readingStart = Date.now();
  const first = await readTurned(page, scale, base, opts);
  const chosen = await upright(first);
  // A map, a diagram, a photo of a sign: most of the ink is outside lines of text, and page segmentation read far fewer
  // letters than the page has glyph-sized marks in lines. A sparse reading (each word found where it stands) adds the
  // words it is sure of: on a map of place names, "Autobideak" and "Errepide nagusiak".
  // Digits count as read: a table of figures framed by dark rules and a dark header read whole, but at 0.44 letters a
  // mark (0.65 with its digits) it was read twice (2.5-3.4× native's time), for fragments.
  const letters = letterCount(chosen.result.text);
  const read = letters + digitCount(chosen.result.text);
  if (letters >= MIN_LETTERS_FOR_SPARSE && read < MIN_READ_PER_MARK * textInkOf().marks && textInkOf().share < MAX_TEXT_INK_FOR_SPARSE) {
    // It only adds, so it gets the time the page's readings took (twice, and a margin), not a whole page's allowance on
    // top of them; if it fails or runs out, the page's reading stands.
    const timeoutMs = Math.min(o.timeoutMs, 2 * (Date.now() - readingStart) + SPARSE_MARGIN_MS);
    // It reads the page's text alone: a map's roads and shading cost tesseract's sparse search time and come out as
    // words, and the labels beside them are missed.
    const pgm = encodePgm(transform(textOnly(page, mask, parts, marks, positivePaper), scale, chosen.result.rotationDeg));
    const sparse = await recognize(pgm, { ...opts, timeoutMs, sparse: true }).catch(() => undefined);
    if (sparse) return { ...chosen.result, text: withNewLines(chosen.result.text, sparse.text) };
  }
  return chosen.result;

  async function upright(first: Reading): Promise<Reading> {
    // A page the ink says is upright reads doubtfully for other reasons (dot leaders, a form, noise): orientation
    // detection would only confirm it, at 0.45 s on a 300-dpi contents page (14% of native tesseract's whole reading).
    // A turn the ink chose is still checked: a wrong guess costs a reading, not the page.
    if (first.confidence >= DOUBTFUL_CONFIDENCE || inkUpright) return first;
    // Next to no letters read, and little of the ink in lines of text: a photo or a drawing, where orientation detection
    // finds nothing to turn and, on a 1700-pixel photo, costs twice the reading. A page of text the ink did not see was
    // turned can read as nothing too; its ink is in lines, and it is still asked.
    if (letterCount(first.result.text) < MIN_LETTERS_TO_ORIENT && textInkOf().share < MIN_TEXT_INK_TO_ORIENT) return first;
    const turn = retryTurn(await detectOrientation(first.pgm, o.timeoutMs), guessedQuarter || inkLeansDown);
    if (turn === 0) return first;
    const second = await readTurned(page, scale, base + turn, opts);
    // OSD can be wrong on sparse pages: the turn is kept only when it reads better.
    return second.confidence > first.confidence ? second : first;
  }
}

/**
 * The further turn to read a doubtfully read page at: a turn OSD is sure of; else, when the way the page lay was a
 * guess (a quarter turn the ink did not choose, ink that only leant upside down), the other way round. OSD is unsure,
 * or sure and wrong, on pages of small type: a 90-dpi page turned 84° was read upside down (2% of its words; 96% the
 * other way), and a 72-dpi page turned 94° was turned the wrong quarter by OSD, then "confirmed" as it read 1%. 0: none.
 */
export function retryTurn(osd: { degrees: number; confidence: number } | undefined, guessed: boolean): number {
  const turn = osd && osd.confidence >= MIN_OSD_CONFIDENCE ? osd.degrees % 360 : 0;
  return turn !== 0 ? turn : guessed ? 180 : 0;
}

function letterCount(text: string): number {
  return text.match(/\p{L}/gu)?.length ?? 0;
}

function digitCount(text: string): number {
  return text.match(/\p{Nd}/gu)?.length ?? 0;
}

/**
 * The scale a page is read at, from its median glyph height in pixels, whether rules run under its text and whether it
 * is levelled (turned by its skew) before it is read.
 */
export function readingScale(glyphPx: number | undefined, ruled: boolean, levelled = false): number {
  if (glyphPx === undefined) return 1;
  if (levelled && glyphPx < LEVELLED_GLYPH_PX) return Math.min(MAX_UPSCALE, LEVELLED_GLYPH_PX / glyphPx);
  if (glyphPx < MIN_GLYPH_PX) return Math.min(MAX_UPSCALE, TARGET_GLYPH_PX / glyphPx);
  if (glyphPx > MAX_GLYPH_PX) return DOWN_TARGET_GLYPH_PX / glyphPx;
  if (glyphPx > REDUCE_ABOVE_GLYPH_PX && !ruled) return REDUCED_GLYPH_PX / glyphPx;
  return 1;
}

/**
 * The resolution tesseract is told: the image's own, else (none, or a camera's 72/96 placeholder) one guessed from its
 * glyphs; scaled with the page.
 */
export function readingDpi(declared: number | undefined, glyphPx: number | undefined, scale: number): number | undefined {
  const guess = glyphPx === undefined ? undefined : glyphPx * DPI_PER_GLYPH_PX;
  const placeholder = declared !== undefined && declared <= DEFAULT_DENSITY_MAX && guess !== undefined && guess >= 2 * declared;
  const dpi = declared !== undefined && !placeholder ? declared : guess;
  return dpi && dpi * scale;
}

interface Reading { result: OcrPageResult; confidence: number; pgm: Buffer }

async function readTurned(grey: Grey, scale: number, rotationDeg: number, o: OcrPageOptions & { dpi?: number }): Promise<Reading> {
  const pgm = encodePgm(transform(grey, scale, normalise(rotationDeg)));
  const r = await recognize(pgm, o);
  return { result: { ...r, rotationDeg: normalise(rotationDeg), scale }, confidence: r.confidence, pgm };
}

function normalise(deg: number): number {
  const d = ((deg % 360) + 360) % 360;
  return Math.round(d * 10) / 10;
}

/** Area-averages a page larger than `cap` pixels down to it (by a whole factor, so each output pixel is a block). */
function shrinkToCap(g: Grey, px: Pixels, cap: number): [Grey, Pixels] {
  if (g.width * g.height <= cap) return [g, px];
  const f = Math.ceil(Math.sqrt((g.width * g.height) / cap));
  const width = Math.floor(g.width / f);
  const height = Math.floor(g.height / f);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0, row = (y * f + dy) * g.width + x * f; dx < f; dx++) s += g.data[row + dx]!;
      data[y * width + x] = Math.round(s / (f * f));
    }
  }
  return [{ data, width, height }, { ...px, width, height, dpi: px.dpi && px.dpi / f }];
}

function invertGrey(g: Grey): Grey {
  const data = new Uint8Array(g.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - g.data[i]!;
  return { data, width: g.width, height: g.height };
}

/** Scales (cubic up, area-averaged down), then turns clockwise about the centre onto white; identity is free. */
function transform(g: Grey, scale: number, rotationDeg: number): Grey {
  return rotateGrey(scale === 1 ? g : scaleGrey(g, scale), rotationDeg);
}

/** Binary PGM: tesseract (leptonica) reads it with no decoding cost, unlike PNG. */
export function encodePgm(g: Grey): Buffer {
  const head = Buffer.from(`P5\n${g.width} ${g.height}\n255\n`, 'latin1');
  return Buffer.concat([head, g.data]);
}
