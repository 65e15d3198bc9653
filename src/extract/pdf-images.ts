// How much of a page its pictures cover. A scanned page can carry a short line of real text over the scan: a court
// filing's header stamp ("Case 1:20-cv-01234 Document 12 Filed 01/02/20 Page 3 of 10"), a Bates number, "Scanned with
// ...". Its text layer is then a few dozen characters and the page's words are in the picture.
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

type Matrix = number[];
type Ops = Record<string, number>;

/**
 * The share of the page's area that its images are drawn over (0-1; images that overlap count twice, capped at 1). Only
 * the transforms matter: each image fills the unit square of the matrix it is drawn with, so its area is that
 * matrix's determinant.
 */
export async function imageCoverage(doc: PDFDocumentProxy, p: number, OPS: Ops): Promise<number> {
  const page = await doc.getPage(p);
  try {
    const [x0, y0, x1, y1] = page.view;
    const pageArea = Math.abs((x1! - x0!) * (y1! - y0!));
    if (!pageArea) return 0;
    const list = await page.getOperatorList();
    let ctm: Matrix = [1, 0, 0, 1, 0, 0];
    const stack: Matrix[] = [];
    let area = 0;
    const det = (m: Matrix) => Math.abs(m[0]! * m[3]! - m[1]! * m[2]!);
    for (let i = 0; i < list.fnArray.length; i++) {
      const fn = list.fnArray[i];
      const args = list.argsArray[i] as unknown[] | null;
      if (fn === OPS.save) stack.push(ctm);
      else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
      else if (fn === OPS.transform) ctm = times(args as Matrix, ctm);
      else if (fn === OPS.paintFormXObjectBegin) {
        stack.push(ctm);
        // pdf.js passes the form's matrix as a Float32Array (a stamping tool's wrapper of the scanned page, scaled).
        const m = args?.[0];
        if (m && (Array.isArray(m) || ArrayBuffer.isView(m))) ctm = times(Array.from(m as ArrayLike<number>), ctm);
      } else if (fn === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
      else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) area += det(ctm);
      if (area >= pageArea) return 1;
    }
    return area / pageArea;
  } finally {
    page.cleanup();
  }
}

/** m × n: m applied first, as PDF's `cm` concatenates onto the current matrix. */
function times(m: Matrix, n: Matrix): Matrix {
  return [
    m[0]! * n[0]! + m[1]! * n[2]!,
    m[0]! * n[1]! + m[1]! * n[3]!,
    m[2]! * n[0]! + m[3]! * n[2]!,
    m[2]! * n[1]! + m[3]! * n[3]!,
    m[4]! * n[0]! + m[5]! * n[2]! + n[4]!,
    m[4]! * n[1]! + m[5]! * n[3]! + n[5]!,
  ];
}
