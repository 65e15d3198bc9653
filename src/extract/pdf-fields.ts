// Text a PDF page shows that is not in its text layer: filled-in form fields (a name, a date, a chosen option) and
// text typed onto the page with a viewer's text tool (FreeText). Both are annotations, drawn from their own
// appearance streams, so pdf.js's getTextContent never sees them: an application form came out as its blank labels.
// They become text runs at the place they are drawn, so "School Name:" and its answer share a line.
import type { TextRun } from './pdf-layout.js';

/** The annotation fields docproc reads (pdf.js's annotation data, loosely typed: it differs between versions). */
export interface AnnotationLike {
  subtype?: string;
  annotationFlags?: number;
  rect?: number[];
  fieldType?: string;
  fieldValue?: unknown;
  password?: boolean;
  options?: { exportValue?: unknown; displayValue?: unknown }[];
  textContent?: unknown;
  contentsObj?: { str?: unknown };
  defaultAppearanceData?: { fontSize?: number };
}

const HIDDEN = 0x02;
const NO_VIEW = 0x20;
const DEFAULT_FONT_SIZE = 10;
const LINE_SPACING = 1.15;
// Average glyph advance as a share of the font size: only the run's extent depends on it (column finding).
const ADVANCE = 0.5;

/** Runs for the visible form-field values and typed-on text boxes of a page. */
export function annotationRuns(annotations: AnnotationLike[]): TextRun[] {
  const runs: TextRun[] = [];
  for (const a of annotations) {
    if ((a.annotationFlags ?? 0) & (HIDDEN | NO_VIEW) || a.password) continue;
    const rect = a.rect;
    if (!rect || rect.length < 4 || !rect.every(Number.isFinite)) continue;
    const lines = shownText(a);
    if (!lines.length) continue;
    const [x1, y1, x2, y2] = [Math.min(rect[0]!, rect[2]!), Math.min(rect[1]!, rect[3]!), Math.max(rect[0]!, rect[2]!), Math.max(rect[1]!, rect[3]!)];
    const boxH = y2 - y1;
    const declared = a.defaultAppearanceData?.fontSize ?? 0;
    // Size 0 means "fit the box": a single line fills about 70% of it.
    const h = declared > 0 ? declared : Math.max(4, Math.min(DEFAULT_FONT_SIZE, lines.length === 1 ? boxH * 0.7 : DEFAULT_FONT_SIZE));
    lines.forEach((str, i) => {
      // One line sits in the middle of its box, as viewers draw it; several run down from the top.
      const y = lines.length === 1 ? y1 + Math.max(0, (boxH - h) / 2) + 0.25 * h : y2 - (i + 1) * h * LINE_SPACING + 0.25 * h;
      runs.push({ str, x: x1 + 2, y: Math.max(y, y1), width: Math.max(1, Math.min(x2 - x1 - 2, str.length * h * ADVANCE)), height: h });
    });
  }
  return runs;
}

/** The lines an annotation shows: its appearance's text where pdf.js read it, else the field's value. */
function shownText(a: AnnotationLike): string[] {
  if (a.subtype !== 'Widget' && a.subtype !== 'FreeText') return [];
  const lines = (s: string) => s.split(/\r\n|\r|\n/).map((l) => l.trim()).filter(Boolean);
  if (Array.isArray(a.textContent)) {
    const shown = a.textContent.filter((t): t is string => typeof t === 'string').flatMap(lines);
    if (shown.length) return shown;
  }
  if (a.subtype === 'FreeText') return typeof a.contentsObj?.str === 'string' ? lines(a.contentsObj.str) : [];
  if (a.fieldType === 'Tx' && typeof a.fieldValue === 'string') return lines(a.fieldValue);
  if (a.fieldType === 'Ch') {
    const chosen = (Array.isArray(a.fieldValue) ? a.fieldValue : [a.fieldValue]).filter((v): v is string => typeof v === 'string' && !!v.trim());
    // A list shows the option's display text; the value stored is its export value.
    const display = (v: string) => {
      const o = a.options?.find((opt) => opt.exportValue === v);
      return typeof o?.displayValue === 'string' ? o.displayValue : v;
    };
    return chosen.length ? [chosen.map(display).join(', ').trim()] : [];
  }
  return []; // check boxes and radio buttons show a mark, not text
}
