// Pictures in a Word, PowerPoint or OpenDocument file whose text is in them: a scanned letter pasted into Word,
// a deck of photographed pages (ppt-pictures.ts finds a PowerPoint 97 file's). They are read as attachments by the
// image extractor (OCR, under the parent's limits), only when the document's own text is too sparse to be the whole
// of it, or when asked (ocrPictures): OCR of every logo and photo would cost a second each for nothing.
import { imageSize } from './imagesize.js';
import { packageParts } from './ooxml-embeddings.js';
import type { Attachment } from './attachments.js';
import type { ZipArchive } from './zip.js';
import type { ExtractContext } from './types.js';

// word/media and ppt/media in Office 2007+ packages, Pictures in OpenDocument ones.
const PICTURE = /^((word|ppt)\/media|Pictures)\/[^/]+\.(png|jpe?g|tiff?|bmp|webp)$/i;
// An icon, a logo or a rule holds no page of text; a scanned page or a screenshot is well over this.
const MIN_PICTURE_PIXELS = 150_000;

// A document's own text is this sparse (non-space characters a page or slide, at least this many in all) when its
// pictures may hold the rest.
const SPARSE_CHARS_PER_PAGE = 40;
const SPARSE_CHARS_MIN = 200;

export function sparseText(nonSpaceChars: number, pages: number): boolean {
  return nonSpaceChars < Math.max(SPARSE_CHARS_MIN, SPARSE_CHARS_PER_PAGE * pages);
}

/** The package's page-sized pictures, in name order ("image2" before "image10"). */
export async function packagePictures(z: ZipArchive, maxBytes: number): Promise<Attachment[]> {
  return packageParts(z, PICTURE, maxBytes, (name, bytes) => (pageSized(bytes) ? [{ name, bytes }] : []));
}

/**
 * Whether a picture may hold a page of text: not an icon, a logo or a rule. A header that gives no size is the image
 * extractor's to report, unless `unknownSize` says such bytes are no picture at all.
 */
export function pageSized(bytes: Buffer, unknownSize = true): boolean {
  const size = imageSize(bytes);
  return size ? size.width * size.height >= MIN_PICTURE_PIXELS : unknownSize;
}

/** Pictures to OCR, or none with a warning when OCR is off. */
export function readablePictures(ctx: ExtractContext, pictures: Attachment[]): Attachment[] {
  if (!pictures.length || ctx.opts.ocr) return pictures;
  const why = ctx.opts.ocrPictures ? 'OCR is disabled' : 'the text is sparse and OCR is disabled';
  ctx.warnings.push(`${pictures.length} picture${pictures.length > 1 ? 's' : ''} not read: ${why}`);
  return [];
}
