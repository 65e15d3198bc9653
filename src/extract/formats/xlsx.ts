// XLSX / XLSB / XLS / ODS via @e965/xlsx (SheetJS): every zip entry vetted, row cap, cell count checked against !ref before converting.
import { readFile } from 'node:fs/promises';
import type * as XLSX from '@e965/xlsx';
import { register } from '../registry.js';
import { withZip, msg } from '../zip.js';
import { writeZip } from '../zip-write.js';
import { rowsToSections } from '../tabular.js';
import { extractAttachments, type Attachment } from '../attachments.js';
import { ooxmlEmbeddings } from '../ooxml-embeddings.js';
import { orWarning, sheetDrawingLines } from '../ooxml-graphics.js';
import { FileError } from '../../errors.js';
import type { Section } from '../types.js';

register(['xlsx', 'xlsb', 'xls', 'ods', 'fods'], {
  version: '6',
  async extract(ctx) {
    const { opts } = ctx;
    // SheetJS inflates every part it is given (shared strings, styles, theme, comments...), trusting declared
    // sizes: it gets a zip rebuilt from entries that were each inflated under our caps, never the file itself.
    let embedded: Attachment[] = [];
    // Text boxes, diagrams and charts on each sheet, by sheet name.
    let drawings = new Map<string, string[]>();
    const buf =
      // Not zips: a BIFF stream, or a flat OpenDocument spreadsheet (one XML file).
      ctx.type === 'xls' || ctx.type === 'fods'
        ? await readFile(ctx.absPath)
        : await withZip(ctx, async (z) => {
            embedded = await ooxmlEmbeddings(z, opts.maxFileBytes);
            if (ctx.type === 'xlsx') drawings = await orWarning(ctx.warnings, opts.signal, 'drawings', drawings, () => sheetDrawingLines(z, ctx.budget.remaining));
            return writeZip(await z.vetAll());
          });
    let wb: XLSX.WorkBook;
    // Loaded on the first spreadsheet (see docx.ts).
    const XLSX = await import('@e965/xlsx');
    try {
      wb = XLSX.read(buf, {
        type: 'buffer',
        dense: true,
        sheetRows: Math.min(opts.maxCells, 1_048_576),
        cellFormula: false,
        cellHTML: false,
        cellStyles: false,
        bookVBA: false,
      });
    } catch (e) {
      const m = msg(e);
      if (/password|encrypt/i.test(m)) throw new FileError('failed', 'encrypted', m);
      throw new FileError('failed', 'corrupt', `${ctx.type}: ${m}`);
    }
    const sections: Section[] = [];
    let tooBig = 0;
    for (const [i, sheetName] of wb.SheetNames.entries()) {
      const ws = wb.Sheets[sheetName];
      const name = sheetLabel(sheetName, i);
      if (!ws) continue;
      const drawn = drawings.get(sheetName) ?? (ctx.type === 'xls' ? shapeTexts(ws) : undefined);
      if (drawn) sections.push({ text: ctx.budget.take(drawn.join('\n')), loc: { sheet: name } });
      const ref = (ws['!fullref'] as string | undefined) ?? ws['!ref'];
      if (!ref) continue; // empty sheet
      const r = XLSX.utils.decode_range(ref);
      const cells = (r.e.r - r.s.r + 1) * (r.e.c - r.s.c + 1);
      if (cells > opts.maxCells) {
        tooBig++;
        ctx.warnings.push(`sheet "${name}" skipped: ${cells} cells in ${ref} > maxCells ${opts.maxCells}`);
        continue;
      }
      // raw:false -> the formatted text Excel displays (the `w` field), e.g. dates and percentages as shown.
      const rows = XLSX.utils.sheet_to_json<string[]>(ws, { header: 1, raw: false, defval: '', blankrows: true });
      sections.push(...rowsToSections(rows.map((row) => row.map((c) => String(c ?? ''))), { sheet: name }, ctx.budget, r.s.r + 1));
      const notes = cellComments(ws, XLSX.utils.encode_cell);
      if (notes.length) sections.push({ text: ctx.budget.take(`Comments\n${notes.join('\n')}`), loc: { sheet: name } });
      if (ctx.budget.exhausted) break;
    }
    if (tooBig && !sections.length) throw new FileError('failed', 'too-large', `every non-empty sheet exceeds maxCells ${opts.maxCells}`);
    // Embedded objects (a PDF, a document inserted in a sheet) come after the sheets, as attachments.
    sections.push(...(await extractAttachments(ctx, embedded)));
    return { sections };
  },
});

/**
 * The sheet's cell comments and notes ("B2: text"), in reading order: a reviewer's note is often the one place a
 * figure is explained. SheetJS reads them from every format it reads; a dense sheet keeps cells row by row.
 */
function cellComments(ws: XLSX.WorkSheet, cellName: (c: { r: number; c: number }) => string): string[] {
  const out: string[] = [];
  const data = (ws['!data'] ?? []) as (XLSX.CellObject[] | undefined)[];
  for (const [r, row] of data.entries()) {
    for (const [c, cell] of (row ?? []).entries()) {
      const text = (cell?.c ?? []).map((n) => (n.t ?? '').trim()).filter(Boolean).join(' / ');
      if (text) out.push(`${cellName({ r, c })}: ${text}`);
    }
  }
  return out;
}

// An Excel 97 drawing object's kind (MS-XLS 2.5.143 ot): a cell's note, whose text is read with its cell.
const NOTE_OBJECT = 0x19;

/**
 * The text of an Excel 97 sheet's text boxes, shapes and form controls (a dashboard's headline, a note beside a table),
 * which SheetJS parses (TxO records) but keeps to itself, under `!objects`.
 */
function shapeTexts(ws: XLSX.WorkSheet): string[] | undefined {
  const objects = (ws['!objects'] ?? []) as ({ cmo?: number[]; TxO?: { t?: unknown } } | undefined)[];
  const out: string[] = [];
  for (const o of objects) {
    const text = o?.cmo?.[1] === NOTE_OBJECT || typeof o?.TxO?.t !== 'string' ? '' : o.TxO.t.trim();
    if (text) out.push(text);
  }
  return out.length ? out : undefined;
}

// No Excel, LibreOffice or SheetJS writer puts control characters in a sheet's name: a name with them is a misread
// record (an Excel 2007 beta's binary workbook gave its sheets 80 characters of record bytes), and the sheet is named
// by its position instead, in a form no real sheet's name takes.
function sheetLabel(name: string, i: number): string {
  return /[\u0000-\u001f]/.test(name) ? `#${i + 1}` : name;
}
