// PDF: per-page text via pdfjs-dist (eval off) in reading order (pdf-layout.ts: columns, running headers once), OCR
// of pages without a text layer, with one that cannot be read (pdf-garbled.ts), or with a short one over a page-sized
// picture (pdf-overlay.ts), page cap, per-page timeout.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FileError } from '../../errors.js';
import { register } from '../registry.js';
import { withTimeout } from '../ocr.js';
import { MAX_WORK_PIXELS, ocrPixels, type Pixels } from '../ocr-page.js';
import { pageLines, type PageLine } from '../pdf-text.js';
import { collectPdfWarnings } from '../pdf-warnings.js';
import { dropRunningLines, scannedPageSections } from '../pdf-layout.js';
import { unreadableReason } from '../pdf-garbled.js';
import { imageCoverage } from '../pdf-images.js';
import { layerWithOcrLines } from '../pdf-overlay.js';
import { msg } from '../zip.js';
import type { ExtractContext, Section } from '../types.js';
import { joinBrokenWords } from '../dehyphenate.js';
import { loadPdfJs, type PdfJs } from '../pdfjs-load.js';
import { rebuildPageTree } from '../pdf-salvage.js';

const require = createRequire(import.meta.url);
const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json'));
// A page with fewer non-space characters than this is treated as having no real text layer (scans often carry a stray page number).
const MIN_TEXT_CHARS = 16;
// A page whose layer is a stamp (a few lines, a court filing's header, a Bates number, "Scanned with ...") over a
// picture of the whole page is read by OCR as well: its words are in the picture. Covers, posters and printed web
// pages over a background picture have more lines than this; OCR read next to nothing new on those.
const MAX_STAMP_CHARS = 160;
const MAX_STAMP_LINES = 3;
const MIN_SCAN_COVERAGE = 0.9;
const OCR_DPI = 250;

async function extractPdf(ctx: ExtractContext) {
  return collectPdfWarnings(() => readPdf(ctx), () => {});
}

type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

/**
 * The document, opened as it is or, when it is damaged past pdf.js's own recovery (no catalog, no page tree: a file
 * cut short), through a page tree rebuilt from its page objects (pdf-salvage.ts), with a warning that says so.
 */
async function openPdf(ctx: ExtractContext, lib: PdfJs): Promise<{ doc: PdfDocument; rebuilt: boolean }> {
  // A document that opens with no pages (its page tree lost) is kept, should no page objects be found either.
  let empty: PdfDocument | undefined;
  let failure: FileError;
  try {
    empty = await openDocument(lib, await readBytes(ctx), ctx.opts);
    if (empty.numPages > 0) return { doc: empty, rebuilt: false };
    failure = new FileError('failed', 'corrupt', 'invalid PDF: no pages');
  } catch (e) {
    // A file pdf.js could not open in time would not open in time again.
    if (!(e instanceof FileError) || e.reason !== 'corrupt' || e.message.includes('timed out')) throw e;
    failure = e;
  }
  const doc = await openRebuilt(ctx, lib, failure);
  if (doc) {
    await empty?.destroy().catch(() => {});
    return { doc, rebuilt: true };
  }
  if (empty) return { doc: empty, rebuilt: false };
  throw failure;
}

// pdf.js takes over the bytes it is given (they are moved to its worker): each opening reads the file again.
async function readBytes(ctx: ExtractContext): Promise<Uint8Array> {
  return new Uint8Array(await readFile(ctx.absPath));
}

/** The document through a page tree rebuilt from its page objects, or undefined when none is found or it opens no page. */
async function openRebuilt(ctx: ExtractContext, lib: PdfJs, failure: FileError): Promise<PdfDocument | undefined> {
  const rebuilt = rebuildPageTree(await readBytes(ctx), ctx.opts.maxPages);
  const doc = rebuilt ? await openDocument(lib, rebuilt.data, ctx.opts).catch(() => undefined) : undefined;
  if (!rebuilt || !doc || doc.numPages === 0) {
    await doc?.destroy().catch(() => {});
    return undefined;
  }
  const found = rebuilt.pages + rebuilt.leftOut;
  const cap = rebuilt.leftOut ? `; page cap: read ${rebuilt.pages} of them` : '';
  const why = failure.message.replace(/^corrupt: (invalid PDF: )?/, '');
  ctx.warnings.push(`damaged PDF (${why}): read through a page tree rebuilt from the ${found} page object${found > 1 ? 's' : ''} found, in the file's order${cap}; pages the damage took are missing`);
  return doc;
}

async function openDocument(lib: PdfJs, data: Uint8Array, opts: ExtractContext['opts']): Promise<PdfDocument> {
  const task = lib.getDocument({
    data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    // Warnings reach collectPdfWarnings, which keeps the one about an image left out and drops the rest.
    verbosity: 1,
    // pdf.js draws an image through full-size copies: a 9000 x 9000 scan on one page took the extraction to 1.5 GB,
    // past the worker's memory limit, losing the whole file. Larger images are left out of the page, with a warning.
    maxImageSize: Math.min(opts.maxPixels, opts.maxPdfImagePixels),
    cMapUrl: path.join(PDFJS_DIR, 'cmaps') + path.sep,
    cMapPacked: true,
    standardFontDataUrl: path.join(PDFJS_DIR, 'standard_fonts') + path.sep,
    wasmUrl: path.join(PDFJS_DIR, 'wasm') + path.sep,
    stopAtErrors: false,
  });
  try {
    return await withTimeout(task.promise, opts.pageTimeoutMs, 'PDF open');
  } catch (e) {
    void task.destroy();
    const name = (e as { name?: string }).name;
    if (name === 'PasswordException') throw new FileError('failed', 'encrypted', 'PDF needs a password');
    if (name === 'InvalidPDFException') throw new FileError('failed', 'corrupt', `invalid PDF: ${msg(e)}`);
    throw new FileError('failed', 'corrupt', `PDF: ${msg(e)}`);
  }
}

async function readPdf(ctx: ExtractContext) {
  const lib = await loadPdfJs();
  const opened = await openPdf(ctx, lib);
  const warned = ctx.warnings.length;
  try {
    return await readPages(ctx, lib, opened.doc);
  } catch (e) {
    // Not one page could be read: a page tree that loops or leads nowhere. The pages themselves may still be whole.
    // Pages that ran out of time would only run out again.
    if (opened.rebuilt || !(e instanceof FileError) || !e.message.startsWith(`corrupt: ${NO_READABLE_PAGE}`) || e.message.includes('timed out')) throw e;
    // The failed pages' warnings are about the tree, which the rebuilt document no longer reads.
    const failedPages = ctx.warnings.splice(warned);
    const doc = await openRebuilt(ctx, lib, e);
    if (!doc) {
      ctx.warnings.push(...failedPages);
      throw e;
    }
    try {
      return await readPages(ctx, lib, doc);
    } finally {
      await doc.destroy().catch(() => {});
    }
  } finally {
    await opened.doc.destroy().catch(() => {});
  }
}

const NO_READABLE_PAGE = 'no readable page';

async function readPages(ctx: ExtractContext, lib: PdfJs, doc: PdfDocument) {
  const { opts } = ctx;
  const sections: Section[] = [];
  let pagesOcr = 0;
  const needOcr: number[] = [];
  let failedPages = 0;
  const n = doc.numPages;
  const last = Math.min(n, opts.maxPages);
  if (n > opts.maxPages) ctx.warnings.push(`page cap: read ${opts.maxPages} of ${n} pages`);
  const textPages: { page: number; lines: PageLine[] }[] = [];
  // Pages read by OCR though they have a layer, each with how OCR's reading is weighed against it; where OCR cannot
  // run, the layer stands:
  // - a few characters of text ("Figure 3", a slide title): the longer of the two;
  // - an unreadable layer (a font with no usable Unicode map): OCR's, if it reads better (betterThanUnreadable);
  // - a stamp over a page-sized picture: the stamp as written, then OCR's new lines (layerWithOcrLines).
  const layers = new Map<number, { text: string; weigh: (ocr: string, confidence: number) => string }>();
  let chars = 0;
  for (let p = 1; p <= last; p++) {
    opts.signal?.throwIfAborted();
    if (chars >= ctx.budget.remaining) {
      ctx.budget.truncated = true;
      break;
    }
    let lines: PageLine[];
    let layerChars: number;
    try {
      ({ lines, layerChars } = await withTimeout(pageLines(doc, p), opts.pageTimeoutMs, `page ${p}`));
    } catch (e) {
      failedPages++;
      ctx.warnings.push(`page ${p}: ${msg(e)}`);
      continue;
    }
    const text = lines.map((l) => l.text).join('\n');
    chars += text.length;
    if (layerChars < MIN_TEXT_CHARS) {
      needOcr.push(p);
      if (!opts.ocr && text.trim()) textPages.push({ page: p, lines });
      else if (text.trim()) layers.set(p, { text, weigh: (ocr) => (nonSpace(text) > nonSpace(ocr) ? text : ocr) });
      continue;
    }
    const reason = unreadableReason(text);
    const stamp = !reason && layerChars < MAX_STAMP_CHARS && lines.length <= MAX_STAMP_LINES;
    if (stamp && (await scanCoverage(doc, p, lib.OPS, opts.pageTimeoutMs)) >= MIN_SCAN_COVERAGE) {
      if (opts.ocr) {
        needOcr.push(p);
        layers.set(p, { text, weigh: (ocr, confidence) => layerWithOcrLines(text, ocr, confidence) });
        continue;
      }
      ctx.warnings.push(`page ${p}: a scan under ${lines.length} line${lines.length > 1 ? 's' : ''} of text; OCR disabled`);
    }
    if (reason && opts.ocr) {
      needOcr.push(p);
      layers.set(p, { text, weigh: (ocr, confidence) => betterThanUnreadable(ctx, p, { text, reason }, ocr, confidence) });
      continue;
    }
    if (reason) ctx.warnings.push(`page ${p}: text layer unreadable (${reason}); OCR disabled`);
    textPages.push({ page: p, lines });
  }
  // Running headers and footers are read once, where they first appear.
  const kept = dropRunningLines(textPages.map((t) => t.lines));
  textPages.forEach((t, i) => {
    const text = kept[i]!.join('\n');
    if (text.trim()) sections.push({ text: ctx.budget.take(text), loc: { page: t.page } });
  });
  if (failedPages === last && last > 0) throw new FileError('failed', 'corrupt', `${NO_READABLE_PAGE} (${ctx.warnings.at(-1) ?? ''})`);
  if (needOcr.length && !opts.ocr) {
    ctx.warnings.push(`no text layer on ${needOcr.length} page${needOcr.length > 1 ? 's' : ''}; OCR disabled`);
  } else if (needOcr.length) {
    const read: { page: number; text: string }[] = [];
    let ocrChars = 0;
    for (const p of needOcr) {
      if (ctx.budget.exhausted || ocrChars >= ctx.budget.remaining) break;
      try {
        let imagesLeftOut = 0;
        const px = await collectPdfWarnings(
          () => withTimeout(renderPage(doc, p, opts.maxPixels), opts.pageTimeoutMs, `render page ${p}`),
          (w) => void (w.startsWith('Image exceeded maximum allowed size') && imagesLeftOut++),
        );
        if (imagesLeftOut) {
          const limit = Math.round(Math.min(opts.maxPixels, opts.maxPdfImagePixels) / 1e6);
          const images = `${imagesLeftOut} image${imagesLeftOut > 1 ? 's' : ''}`;
          ctx.warnings.push(`page ${p}: ${images} over ${limit} megapixels left out of OCR (a larger workerMemoryMB reads more)`);
        }
        const { text, confidence } = await ocrPixels(px, { lang: opts.ocrLang, dataDir: opts.ocrDataDir, timeoutMs: opts.ocrTimeoutMs, maxPixels: opts.maxPixels });
        pagesOcr++;
        const best = layers.get(p)?.weigh(text, confidence) ?? text;
        ocrChars += best.length;
        if (best.trim()) read.push({ page: p, text: best });
      } catch (e) {
        if (e instanceof FileError && e.reason === 'ocr-unavailable') {
          ctx.warnings.push(`OCR unavailable: ${e.message}`);
          break;
        }
        ctx.warnings.push(`page ${p}: OCR failed: ${msg(e)}`);
      }
    }
    // Where OCR could not run (unavailable, failed, out of budget), a page's own layer still counts.
    const ocred = new Set(read.map((r) => r.page));
    for (const [page, { text }] of layers) if (!ocred.has(page)) read.push({ page, text });
    read.sort((a, b) => a.page - b.page);
    // Scanned pages carry running headers and footers too: kept once, like a text layer's.
    sections.push(...scannedPageSections(read, ctx.budget));
    if (pagesOcr && !sections.length) ctx.warnings.push(`OCR found no text on ${pagesOcr} page${pagesOcr > 1 ? 's' : ''}`);
    sections.sort((a, b) => (a.loc.page ?? 0) - (b.loc.page ?? 0));
  }
  // A PDF's U+00AD was drawn: its font maps the hyphen glyph to it.
  return { sections: joinBrokenWords(sections, { softHyphensDrawn: true }), pages: n, pagesOcr };
}

// OCR's reading replaces an unreadable layer when tesseract is this confident of it (a page drawn in the same broken
// font renders as the same nonsense), it is readable itself, and it finds at least half as many letters and digits as
// the layer has characters: a layer of one letter per glyph that is what the page shows ('a a a' in a form's boxes)
// is not traded for OCR's reading of the boxes.
const MIN_OCR_CONFIDENCE = 60;
const MIN_OCR_SHARE_OF_LAYER = 0.5;

const nonSpace = (s: string) => s.replace(/\s/g, '').length;

/** The share of page `p` drawn by pictures; 0 when the page cannot be read in time (it is then read as text). */
async function scanCoverage(doc: import('pdfjs-dist/legacy/build/pdf.mjs').PDFDocumentProxy, p: number, OPS: Record<string, number>, timeoutMs: number): Promise<number> {
  return withTimeout(imageCoverage(doc, p, OPS), timeoutMs, `page ${p} pictures`).catch(() => 0);
}

/** OCR's reading of a page whose layer is unreadable, unless it reads no better; says which was kept. */
function betterThanUnreadable(ctx: ExtractContext, page: number, layer: { text: string; reason: string }, ocr: string, confidence: number): string {
  const found = ocr.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
  const readable = confidence >= MIN_OCR_CONFIDENCE && found >= MIN_OCR_SHARE_OF_LAYER * layer.text.replace(/\s/g, '').length && !unreadableReason(ocr);
  ctx.warnings.push(`page ${page}: text layer unreadable (${layer.reason}); ${readable ? 'read by OCR' : 'OCR read no better, the layer is kept'}`);
  return readable ? ocr : layer.text;
}

/** Renders one page for OCR at ~OCR_DPI, scaled down to stay under maxPixels. */
async function renderPage(doc: import('pdfjs-dist/legacy/build/pdf.mjs').PDFDocumentProxy, p: number, maxPixels: number): Promise<Pixels> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const page = await doc.getPage(p);
  try {
    const base = page.getViewport({ scale: 1 });
    let scale = OCR_DPI / 72;
    const px = base.width * base.height * scale * scale;
    const cap = Math.min(maxPixels, MAX_WORK_PIXELS);
    if (px > cap) scale *= Math.sqrt(cap / px);
    const vp = page.getViewport({ scale });
    const canvas = createCanvas(Math.max(1, Math.ceil(vp.width)), Math.max(1, Math.ceil(vp.height)));
    const c2d = canvas.getContext('2d');
    c2d.fillStyle = '#ffffff';
    c2d.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: c2d as unknown as CanvasRenderingContext2D, viewport: vp }).promise;
    const data = c2d.getImageData(0, 0, canvas.width, canvas.height).data;
    return { data, width: canvas.width, height: canvas.height, dpi: 72 * scale };
  } finally {
    page.cleanup();
  }
}

register(['pdf'], { version: '11', extract: extractPdf });
