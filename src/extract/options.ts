// ExtractOptions and their defaults (re-exported from index.ts).

export interface ExtractOptions {
  /** Checked before reading. */
  maxFileBytes: number;
  /** Cap on extracted characters per document; beyond it: truncate + warning. */
  maxChars: number;
  maxPages: number;
  pageTimeoutMs: number;
  ocr: boolean;
  ocrLang: string;
  /**
   * A folder holding `<lang>.traineddata` (plain or .gz) used instead of the bundled @tesseract.js-data models, e.g.
   * tessdata_fast models, which read about 1.5× faster at much the same accuracy on clean scans. Unset: bundled.
   */
  ocrDataDir?: string;
  ocrTimeoutMs: number;
  /**
   * Read the page-sized pictures of Word, PowerPoint and OpenDocument files by OCR even when the document has text of
   * its own (a report with a scanned letter pasted in). Off: only when its own text is sparse, as OCR of every photo
   * costs about a second each.
   */
  ocrPictures?: boolean;
  allowedTypes: string[];
  zip: { maxEntries: number; maxTotalBytes: number; maxRatio: number };
  maxPixels: number;
  /**
   * An image in a PDF larger than this is left out of the page's rendering for OCR, with a warning: pdf.js draws an
   * image through full-size copies, about 16 bytes a pixel. Set from the worker's memory ceiling (workerMemoryMB).
   */
  maxPdfImagePixels: number;
  maxCells: number;
  signal?: AbortSignal;
}

export const SUPPORTED_TYPES = [
  'txt', 'md', 'pdf', 'docx', 'odt', 'rtf', 'xlsx', 'xlsb', 'xls', 'ods', 'pptx', 'html', 'csv', 'tsv',
  'json', 'xml', 'eml', 'mbox', 'epub', 'png', 'jpeg', 'tiff', 'bmp', 'webp', 'gif', 'heic', 'doc', 'msg', 'tnef', 'ppt', 'vsdx', 'xps', 'fodt', 'fods', 'zip', 'tar', 'gz', '7z', 'rar', 'cab', 'cpio', 'bz2', 'xz', 'Z', 'dbf',
];

/**
 * The largest PDF image a worker of `memoryMB` can draw: pdf.js takes about 16 bytes a pixel over a base of some
 * 384 MB (a 9000 x 9000 scan took a worker to 1.5 GB, a 35-megapixel one to 0.54 GB). 40 megapixels at 1024 MB.
 */
export function pdfImagePixels(memoryMB: number): number {
  return Math.max(10, Math.floor((memoryMB - 384) / 16)) * 1_000_000;
}

export const defaultExtractOptions: ExtractOptions = {
  maxFileBytes: 50 * 1024 * 1024,
  maxChars: 5_000_000,
  maxPages: 2000,
  pageTimeoutMs: 30_000,
  ocr: true,
  ocrLang: 'eng',
  ocrTimeoutMs: 60_000,
  allowedTypes: [...SUPPORTED_TYPES],
  zip: { maxEntries: 10_000, maxTotalBytes: 500 * 1024 * 1024, maxRatio: 100 },
  maxPixels: 50_000_000,
  maxPdfImagePixels: pdfImagePixels(1024),
  maxCells: 2_000_000,
};
