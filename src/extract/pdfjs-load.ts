// pdf.js, with its text builder keeping the soft hyphens a page draws.
//
// pdf.js skips every glyph whose character is an invisible format mark (\p{Cf}) when it builds a page's text. U+00AD is
// one, yet many publishers' fonts map their hyphen glyph to it, so a drawn hyphen was lost: a justified page's
// "fed-" / "eral" came out as two words, "fed" and "eral", and "e-file" as "efile". docproc loads pdf.js's worker with
// that one test narrowed to leave U+00AD in (dehyphenate.ts then weighs it like any hyphen). The worker runs in this
// process (pdf.js's own "fake worker" in Node), from the patched source; where the source no longer holds the line to
// patch (another pdf.js version), the stock worker is used and soft hyphens are dropped as before.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

const require = createRequire(import.meta.url);
const SKIP_FORMAT_MARK = 'if (category.isInvisibleFormatMark) {';
const SKIP_FORMAT_MARK_BUT_SOFT_HYPHEN = 'if (category.isInvisibleFormatMark && glyph.unicode !== "\\u00AD") {';

/** The worker's source with soft hyphens kept, or undefined where the line to change is not there exactly once. */
export function patchedWorkerSource(source: string): string | undefined {
  const at = source.indexOf(SKIP_FORMAT_MARK);
  if (at < 0 || source.indexOf(SKIP_FORMAT_MARK, at + 1) >= 0) return undefined;
  return source.slice(0, at) + SKIP_FORMAT_MARK_BUT_SOFT_HYPHEN + source.slice(at + SKIP_FORMAT_MARK.length);
}

async function loadPatchedWorker(): Promise<void> {
  if ((globalThis as { pdfjsWorker?: unknown }).pdfjsWorker) return;
  try {
    const source = patchedWorkerSource(readFileSync(require.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs'), 'utf8'));
    if (!source) return;
    // A data: URL: nothing written to disk. The worker imports nothing by relative path; wasm comes from wasmUrl.
    const worker: unknown = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
  } catch {
    // The stock worker still reads every PDF; only soft hyphens are lost.
  }
}

let loaded: Promise<PdfJs> | undefined;

/** pdf.js (legacy build, for Node), once per process. */
export function loadPdfJs(): Promise<PdfJs> {
  return (loaded ??= loadPatchedWorker().then(() => import('pdfjs-dist/legacy/build/pdf.mjs')));
}
