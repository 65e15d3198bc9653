// Images (PNG, JPEG, TIFF multi-page, BMP, WebP, GIF, HEIC/HEIF): size checked from headers, decoded, then OCR
// (ocr-page.ts);
// loc.page for TIFF pages.
import { readFile } from 'node:fs/promises';
import type UTIF from 'utif2';
import { register } from '../registry.js';
import { imageDpi, imageSize } from '../imagesize.js';
import { MAX_WORK_PIXELS, ocrPixels, type Pixels } from '../ocr-page.js';
import { scannedPageSections } from '../pdf-layout.js';
import { FileError } from '../../errors.js';
import { msg } from '../zip.js';
import type { ExtractContext } from '../types.js';
import { joinBrokenWords } from '../dehyphenate.js';

function checkPixels(w: number, h: number, max: number, what: string): void {
  if (!(w > 0 && h > 0)) throw new FileError('failed', 'corrupt', `${what}: bad dimensions ${w}x${h}`);
  if (w * h > max) throw new FileError('failed', 'image-too-large', `${what}: ${w}x${h} = ${w * h} pixels > ${max}`);
}

/**
 * PNG/JPEG/BMP/WebP decoded by @napi-rs/canvas (EXIF orientation applied), over white for transparent images, and
 * drawn straight at the OCR working size when larger (no full-size pixel copy in JS).
 */
async function decode(buf: Buffer, lossless: boolean): Promise<Pixels> {
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  const img = await loadImage(buf);
  const k = Math.min(1, Math.sqrt(MAX_WORK_PIXELS / (img.width * img.height)));
  const w = Math.max(1, Math.floor(img.width * k));
  const h = Math.max(1, Math.floor(img.height * k));
  const canvas = createCanvas(w, h);
  const c2d = canvas.getContext('2d');
  c2d.fillStyle = '#ffffff';
  c2d.fillRect(0, 0, w, h);
  // Skia's high-quality filter resamples even at the image's own size, a slight blur. A lossless image (PNG, BMP: a
  // screenshot) is drawn pixel for pixel: blurred, a 13-pixel screenshot's line beside a sidebar read as noise. A JPEG
  // or WebP keeps the blur, which smooths its compression ringing: a 72-dpi JPEG's "green" read "greon" without it.
  if (k < 1 || !lossless) c2d.imageSmoothingQuality = 'high';
  else c2d.imageSmoothingEnabled = false;
  c2d.drawImage(img, 0, 0, w, h);
  const dpi = imageDpi(buf);
  return { data: c2d.getImageData(0, 0, w, h).data, width: w, height: h, dpi: dpi && dpi * k };
}

async function tiffPages(ctx: ExtractContext, buf: Buffer): Promise<{ page: number; pixels: () => Promise<Pixels> }[]> {
  let ifds: UTIF.IFD[];
  const UTIF = (await import('utif2')).default; // loaded on the first TIFF (see docx.ts)
  try {
    ifds = UTIF.decode(buf);
  } catch (e) {
    throw new FileError('failed', 'corrupt', `tiff: ${msg(e)}`);
  }
  // Pages are the full-resolution IFDs (NewSubfileType bit 0 marks thumbnails).
  const pages = ifds.filter((d) => d.t256 && d.t257 && !((Number((d.t254 as number[] | undefined)?.[0] ?? 0) & 1)));
  if (pages.length > ctx.opts.maxPages) ctx.warnings.push(`page cap: read ${ctx.opts.maxPages} of ${pages.length} pages`);
  return pages.slice(0, ctx.opts.maxPages).map((ifd, i) => {
    const w = Number((ifd.t256 as number[])[0]);
    const h = Number((ifd.t257 as number[])[0]);
    checkPixels(w, h, ctx.opts.maxPixels, `tiff page ${i + 1}`);
    return {
      page: i + 1,
      pixels: async () => {
        UTIF.decodeImage(buf, ifd);
        const rgba = UTIF.toRGBA8(ifd);
        ifd.data = new Uint8Array(0); // free the decoded page before the next one
        return { data: rgba, width: ifd.width, height: ifd.height, dpi: tiffDpi(ifd) };
      },
    };
  });
}

/** XResolution (tag 282) in ResolutionUnit (296: 2 inch, 3 cm); utif2 gives rationals as numbers. */
function tiffDpi(ifd: UTIF.IFD): number | undefined {
  const x = Number((ifd.t282 as number[] | undefined)?.[0]);
  const unit = Number((ifd.t296 as number[] | undefined)?.[0] ?? 2);
  const dpi = unit === 3 ? x * 2.54 : unit === 2 ? x : NaN;
  return dpi >= 50 && dpi <= 2400 ? Math.round(dpi) : undefined;
}

/**
 * HEIC/HEIF (phones' photos: an iPhone's camera writes nothing else) through libheif compiled to WebAssembly
 * (heic-decode): the first image, its size checked before its pixels are decoded, rotations the file asks for applied.
 */
async function decodeHeic(buf: Buffer, maxPixels: number): Promise<Pixels> {
  const decode = (await import('heic-decode')).default;
  let images: Awaited<ReturnType<typeof decode.all>>;
  try {
    images = await decode.all({ buffer: buf });
  } catch (e) {
    throw new FileError('failed', 'corrupt', `heic: ${msg(e)}`);
  }
  try {
    const first = images[0]!;
    checkPixels(first.width, first.height, maxPixels, 'heic');
    const { data, width, height } = await first.decode().catch((e: unknown) => {
      throw new FileError('failed', 'corrupt', `heic: ${msg(e)}`);
    });
    return { data, width, height };
  } finally {
    images.dispose();
  }
}

register(['png', 'jpeg', 'tiff', 'bmp', 'webp', 'gif', 'heic'], {
  version: '7',
  async extract(ctx) {
    if (!ctx.opts.ocr) throw new FileError('skipped', 'ocr-disabled', `${ctx.type} image needs OCR`);
    const buf = await readFile(ctx.absPath);
    let pages: { page?: number; pixels: () => Promise<Pixels> }[];
    if (ctx.type === 'tiff') pages = await tiffPages(ctx, buf);
    else if (ctx.type === 'heic') pages = [{ pixels: () => decodeHeic(buf, ctx.opts.maxPixels) }];
    else {
      const size = imageSize(buf);
      if (!size) throw new FileError('failed', 'corrupt', `${ctx.type}: unreadable header`);
      checkPixels(size.width, size.height, ctx.opts.maxPixels, ctx.type);
      // The type is the one detection read from the magic bytes.
      pages = [{ pixels: () => decode(buf, ctx.type === 'png' || ctx.type === 'bmp' || ctx.type === 'gif') }];
    }
    const read: { page?: number; text: string }[] = [];
    let done = 0;
    let chars = 0;
    for (const p of pages) {
      if (ctx.budget.exhausted || chars >= ctx.budget.remaining) break;
      ctx.opts.signal?.throwIfAborted();
      try {
        const { text } = await ocrPixels(await p.pixels(), { lang: ctx.opts.ocrLang, dataDir: ctx.opts.ocrDataDir, timeoutMs: ctx.opts.ocrTimeoutMs, maxPixels: ctx.opts.maxPixels });
        done++;
        chars += text.length;
        if (text.trim()) read.push({ page: p.page, text });
      } catch (e) {
        if (e instanceof FileError) throw e;
        if (pages.length === 1) throw new FileError('failed', 'ocr-failed', msg(e));
        ctx.warnings.push(`page ${p.page}: OCR failed: ${msg(e)}`);
      }
    }
    // A multi-page TIFF (a fax, a scanned report) repeats its letterhead and page footer: kept once.
    const sections = joinBrokenWords(scannedPageSections(read, ctx.budget));
    if (!sections.length && done) ctx.warnings.push('OCR found no text');
    return ctx.type === 'tiff' ? { sections, pages: pages.length, pagesOcr: done } : { sections, pagesOcr: done };
  },
});
