// A page-sized picture under a short text layer (a stamped scan, a cover or poster page): the layer's text is exact
// and kept as it is; OCR adds the lines of the picture that the layer does not already say. The same merge adds a
// sparse OCR reading's new lines to a page's reading (ocr-page.ts).

// Under this, tesseract's reading of the picture is mostly of a photo's texture, not of text.
const MIN_CONFIDENCE = 50;
// An OCR line whose words are at least this much in the layer already is the layer's own line, read again.
const MAX_COVERED = 0.5;

const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** The layer, then OCR's lines that are new and hold a real word (three letters or more). */
export function layerWithOcrLines(layer: string, ocr: string, confidence: number): string {
  return confidence < MIN_CONFIDENCE ? layer : withNewLines(layer, ocr);
}

/** `layer`, then the lines of `ocr` that are new and hold a real word (three letters or more). */
export function withNewLines(layer: string, ocr: string): string {
  const known = new Set(words(layer));
  const fresh = (line: string) => {
    const w = words(line);
    return w.some((x) => /\p{L}{3}/u.test(x)) && w.filter((x) => known.has(x)).length / w.length < MAX_COVERED;
  };
  // Blank lines are kept between the lines kept, so OCR's paragraphs stay apart.
  const extra = ocr.split('\n').filter((line) => !line.trim() || fresh(line)).join('\n').replace(/\n{3,}/g, '\n\n').trim();
  return extra ? `${layer.trimEnd()}\n\n${extra}` : layer;
}
