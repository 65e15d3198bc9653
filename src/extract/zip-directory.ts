// Checks on a zip's central directory, before any entry is inflated: sizes, ratios, duplicate names, overlaps.
import type yauzl from 'yauzl';
import { FileError } from '../errors.js';
import type { ZipLimits } from './zip.js';

// Small entries compress absurdly well (e.g. 4 KB of spaces); the ratio check only means something above this.
const RATIO_MIN_BYTES = 1024 * 1024;
// A local file header is at least this long; an entry's data can't start before it ends.
const LOCAL_HEADER_BYTES = 30;

/**
 * Pictures, embedded objects and thumbnails of a document package: no text extractor reads them, so they are never
 * inflated (vetAll keeps them as empty entries) and the size and ratio checks pass over them. A chart's EMF preview
 * compresses 130-670 to one, and it failed whole Word, Excel and PowerPoint files as zip bombs.
 */
export function isOpaquePart(name: string): boolean {
  return (
    /^(word|xl|ppt)\/(media|embeddings)\//i.test(name) ||
    /^(Pictures|Thumbnails|ObjectReplacements)\//.test(name) ||
    /^docProps\/thumbnail\./i.test(name) ||
    /\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|emz|wmz|wdp|jxr|heic|webp|ole)$/i.test(name) ||
    (/\.bin$/i.test(name) && !XLSB_PART.test(name))
  );
}

// A binary workbook's own parts are records in .bin files (workbook, sheets, shared strings): text, read and vetted
// like XML. Printer settings, macros (and their signatures), toolbars and ActiveX controls stay opaque.
const XLSB_PART = /^xl\/(?!printerSettings\/|activeX\/|vbaProject[^/]*\.bin$|attachedToolbars\.bin$)[^]*\.bin$/i;

/** Throws FileError(failed: zip-bomb | corrupt) for a directory no office parser should be handed. */
export function checkDirectory(entries: yauzl.Entry[], limits: ZipLimits): void {
  if (entries.length > limits.maxEntries) {
    throw new FileError('failed', 'zip-bomb', `${entries.length} entries > ${limits.maxEntries}`);
  }
  // Two entries of one name: parsers disagree on which one wins, so what we check may not be what they read.
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.fileName)) throw new FileError('failed', 'corrupt', `duplicate zip entry ${e.fileName}`);
    seen.add(e.fileName);
  }
  checkOverlap(entries);
  let total = 0;
  let totalCompressed = 0;
  for (const e of entries) {
    if (isOpaquePart(e.fileName)) continue;
    total += e.uncompressedSize;
    totalCompressed += e.compressedSize;
    if (e.uncompressedSize > RATIO_MIN_BYTES && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
      throw new FileError('failed', 'zip-bomb', `entry ${e.fileName} ratio ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} > ${limits.maxRatio}`);
    }
  }
  if (total > limits.maxTotalBytes) {
    throw new FileError('failed', 'zip-bomb', `declared ${total} uncompressed bytes > ${limits.maxTotalBytes}`);
  }
  if (total > RATIO_MIN_BYTES && total > limits.maxRatio * Math.max(1, totalCompressed)) {
    throw new FileError('failed', 'zip-bomb', `overall ratio ${Math.round(total / Math.max(1, totalCompressed))} > ${limits.maxRatio}`);
  }
}

/**
 * Entries whose data overlap (several records pointing at one local entry, or one entry's data running into the
 * next's header) are how small files inflate to gigabytes without any single entry looking large.
 */
function checkOverlap(entries: yauzl.Entry[]): void {
  const byOffset = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const cur = byOffset[i]!;
    // A lower bound on where prev ends (its local name and extra field may add more): enough to catch any overlap.
    if (cur.relativeOffsetOfLocalHeader < prev.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + prev.compressedSize) {
      throw new FileError('failed', 'zip-bomb', `entries ${prev.fileName} and ${cur.fileName} overlap`);
    }
  }
}
