// PPTX: slides in presentation order, shapes/groups/tables in tree order, speaker notes; loc.slide.
import { register } from '../registry.js';
import { withZip, type ZipArchive } from '../zip.js';
import { MAX_PART_BYTES, readRels } from '../ooxml.js';
import { attrsOf, childrenOf, parseOrdered, textOf, walk, type XNode } from '../xml.js';
import { FileError } from '../../errors.js';
import { extractAttachments } from '../attachments.js';
import { ooxmlEmbeddings } from '../ooxml-embeddings.js';
import { packagePictures, readablePictures, sparseText } from '../package-pictures.js';
import type { Section } from '../types.js';

// Placeholders that only repeat boilerplate (slide number, date, footer, the slide thumbnail in notes).
const NOISE_PH = new Set(['sldNum', 'dt', 'ftr', 'hdr', 'sldImg']);

/** Text of one a:p paragraph: runs, fields, line breaks. */
function paragraphText(p: XNode): string {
  let s = '';
  walk(childrenOf(p), (n, tag) => {
    if (tag === 'a:br') s += '\n';
    else if (tag === 'a:tab') s += '\t';
    const t = textOf(n);
    if (t !== undefined) s += t;
    return true;
  });
  return s;
}

function placeholderType(sp: XNode): string | undefined {
  let type: string | undefined;
  walk(childrenOf(sp), (n, tag) => {
    if (tag === 'p:txBody' || tag === 'p:spPr') return false;
    if (tag === 'p:ph') {
      type = attrsOf(n).type ?? 'body';
      return false;
    }
    return true;
  });
  return type;
}

/** Lines of a slide or notes tree, in document (z-)order, tables as `cell | cell` rows. */
export function shapeLines(nodes: XNode[]): string[] {
  const lines: string[] = [];
  walk(nodes, (n, tag) => {
    if (tag === 'p:sp') {
      const ph = placeholderType(n);
      if (ph && NOISE_PH.has(ph)) return false;
    }
    if (tag === 'a:tbl') {
      walk(childrenOf(n), (r, rt) => {
        if (rt !== 'a:tr') return true;
        const cells = childrenOf(r)
          .filter((c) => c['a:tc'] !== undefined)
          .map((c) => childrenOf(c).flatMap((x) => collectParas(x)).join(' ').trim());
        if (cells.some(Boolean)) lines.push(cells.join(' | '));
        return false;
      });
      return false;
    }
    if (tag === 'a:p') {
      const t = paragraphText(n);
      if (t.trim()) lines.push(t);
      return false;
    }
    return true;
  });
  return lines;
}

function collectParas(n: XNode): string[] {
  const out: string[] = [];
  walk([n], (x, tag) => {
    if (tag === 'a:p') {
      out.push(paragraphText(x));
      return false;
    }
    return true;
  });
  return out;
}

async function slideOrder(z: ZipArchive): Promise<string[]> {
  const pres = 'ppt/presentation.xml';
  if (!z.has(pres)) throw new FileError('failed', 'corrupt', 'pptx without ppt/presentation.xml');
  const rels = new Map((await readRels(z, pres)).map((r) => [r.id, r.target]));
  const ids: string[] = [];
  walk(parseOrdered(await z.readText(pres, MAX_PART_BYTES)), (n, tag) => {
    if (tag === 'p:sldId') {
      const rid = attrsOf(n)['r:id'];
      if (rid) ids.push(rid);
      return false;
    }
    return true;
  });
  const slides = ids.map((id) => rels.get(id)).filter((t): t is string => !!t && z.has(t));
  if (slides.length) return slides;
  // No usable slide list: fall back on the part names, numerically sorted.
  const num = (s: string) => Number(/(\d+)\.xml$/.exec(s)?.[1] ?? 0);
  return z.names().filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n)).sort((a, b) => num(a) - num(b));
}

register(['pptx'], {
  version: '3',
  async extract(ctx) {
    return withZip(ctx.absPath, ctx.opts.zip, async (z) => {
      const sections: Section[] = [];
      const slides = await slideOrder(z);
      let bad = 0;
      for (const [i, part] of slides.entries()) {
        if (ctx.budget.exhausted) break;
        const slide = i + 1;
        try {
          const lines = shapeLines(parseOrdered(await z.readText(part, MAX_PART_BYTES)));
          const notesPart = (await readRels(z, part)).find((r) => r.type.endsWith('/notesSlide'))?.target;
          if (notesPart && z.has(notesPart)) {
            const notes = shapeLines(parseOrdered(await z.readText(notesPart, MAX_PART_BYTES)));
            if (notes.length) lines.push('', 'Notes:', ...notes);
          }
          if (lines.length) sections.push({ text: ctx.budget.take(lines.join('\n')), loc: { slide } });
        } catch (e) {
          if (e instanceof FileError && e.reason !== 'corrupt') throw e;
          bad++;
          ctx.warnings.push(`slide ${slide}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (bad && bad === slides.length) throw new FileError('failed', 'corrupt', 'no readable slide');
      // Slides that are pictures of pages (photographed, scanned) are read by OCR when the slides' own text is sparse;
      // embedded objects (a workbook behind a chart, a PDF) come after the slides, as attachments.
      const own = sections.reduce((n, s) => n + s.text.replace(/\s/g, '').length, 0);
      const pictures = sparseText(own, slides.length) ? readablePictures(ctx, await packagePictures(z, ctx.opts.maxFileBytes)) : [];
      sections.push(...(await extractAttachments(ctx, [...pictures, ...(await ooxmlEmbeddings(z, ctx.opts.maxFileBytes))])));
      return { sections, pages: slides.length };
    });
  },
});
