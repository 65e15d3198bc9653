// PPTX: slides in presentation order, shapes/groups/tables in tree order, speaker notes; loc.slide.
import { register } from '../registry.js';
import { withZip, type ZipArchive } from '../zip.js';
import { MAX_PART_BYTES, readRels } from '../ooxml.js';
import { attrsOf, childrenOf, parseOrdered, textOf, walk, type XNode } from '../xml.js';
import { FileError } from '../../errors.js';
import { extractAttachments } from '../attachments.js';
import { ooxmlEmbeddings } from '../ooxml-embeddings.js';
import { graphicLines, orWarning } from '../ooxml-graphics.js';
import { packagePictures, readablePictures, sparseText } from '../package-pictures.js';
import type { Section } from '../types.js';
import { AUTONUMBER_LABEL, labelAutoNumbers } from '../pptx-autonumber.js';

// Placeholders that only repeat boilerplate (slide number, date, footer, the slide thumbnail in notes).
const NOISE_PH = new Set(['sldNum', 'dt', 'ftr', 'hdr', 'sldImg']);

/** Text of one a:p paragraph: its auto-number ("3. "), runs, fields, line breaks. */
function paragraphText(p: XNode, fields = true): string {
  let s = attrsOf(p)[AUTONUMBER_LABEL] ?? '';
  let field = false;
  walk(childrenOf(p), (n, tag) => {
    // A master's fields show the slide number or a date as it was when the master was saved: they are left out, and
    // so is a line left holding only their label ("Page ‹#›", "Updated <date>").
    if (tag === 'a:fld' && !fields) {
      s += FIELD;
      field = true;
      return false;
    }
    if (tag === 'a:br') s += '\n';
    else if (tag === 'a:tab') s += '\t';
    const t = textOf(n);
    if (t !== undefined) s += t;
    return true;
  });
  if (!field) return s;
  return s
    .split('\n')
    .filter((line) => !line.includes(FIELD) || !FIELD_LABEL.test(line.replaceAll(FIELD, ' ')))
    .map((line) => line.replaceAll(FIELD, '').trim())
    .join('\n');
}

const FIELD = '\u0000';
// What is left of a line once its fields are gone when they were all it said: labels and separators.
const FIELD_LABEL = /^[\s\p{P}\p{S}]*(?:(?:page|slide|p\.?|pg\.?|no\.?|of|date|updated|last updated|seite|folie|von|diapositive|sur)[\s\p{P}\p{S}]*)*$/iu;

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

// On masters and layouts only text boxes of their own and the footer and header text hold content: every other
// placeholder there holds a prompt ("Click to edit Master title style") or a field.
const MASTER_CONTENT_PH = new Set(['ftr', 'hdr']);

/**
 * Lines of a slide or notes tree, in document (z-)order, tables as `cell | cell` rows; `skipPlaceholder` says which
 * placeholders to leave out (by default the slide number, date, footer, header and notes thumbnail).
 */
export function shapeLines(nodes: XNode[], skipPlaceholder = (ph: string) => NOISE_PH.has(ph), fields = true): string[] {
  labelAutoNumbers(nodes);
  const lines: string[] = [];
  walk(nodes, (n, tag) => {
    if (tag === 'p:sp') {
      const ph = placeholderType(n);
      if (ph && skipPlaceholder(ph)) return false;
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
      const t = paragraphText(n, fields);
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

/**
 * Text that the masters and layouts in use put on the slides (a company name, "Confidential", a footer), once, less
 * the lines the slides say themselves, until `maxChars`.
 */
async function masterLines(z: ZipArchive, layouts: string[], onSlides: Set<string>, maxChars: number): Promise<string[]> {
  const seen = new Set(onSlides);
  const out: string[] = [];
  let chars = 0;
  for (const part of await mastersInUse(z, layouts)) {
    if (chars >= maxChars) break;
    for (const line of shapeLines(parseOrdered(await z.readText(part, MAX_PART_BYTES)), (ph) => !MASTER_CONTENT_PH.has(ph), false)) {
      const key = line.trim();
      if (!seen.has(key)) {
        out.push(line);
        chars += line.length;
      }
      seen.add(key);
    }
  }
  return out;
}

/** The masters of the layouts the slides use (layout → master), then those layouts, each once. */
async function mastersInUse(z: ZipArchive, layouts: string[]): Promise<string[]> {
  const masters: string[] = [];
  for (const layout of layouts) {
    const master = (await readRels(z, layout)).find((r) => r.type.endsWith('/slideMaster'))?.target;
    if (master && z.has(master) && !masters.includes(master)) masters.push(master);
  }
  return [...masters, ...layouts];
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
  version: '7',
  async extract(ctx) {
    return withZip(ctx, async (z) => {
      const sections: Section[] = [];
      const slides = await slideOrder(z);
      let bad = 0;
      // The layouts the slides use, for their masters' text (read with each slide's relationships).
      const layouts: string[] = [];
      for (const [i, part] of slides.entries()) {
        if (ctx.budget.exhausted) break;
        const slide = i + 1;
        try {
          const xml = await z.readText(part, MAX_PART_BYTES);
          const lines = shapeLines(parseOrdered(xml));
          // SmartArt and charts keep their text in parts of their own.
          lines.push(...(await orWarning(ctx.warnings, ctx.opts.signal, `slide ${slide} graphics`, [], () => graphicLines(z, part, ctx.budget.remaining, xml))));
          const rels = await readRels(z, part);
          const layout = rels.find((r) => r.type.endsWith('/slideLayout'))?.target;
          if (layout && z.has(layout) && !layouts.includes(layout)) layouts.push(layout);
          const notesPart = rels.find((r) => r.type.endsWith('/notesSlide'))?.target;
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
      // Whether the slides are pictures of pages is for their own text to say, not the masters'.
      const own = sections.reduce((n, s) => n + s.text.replace(/\s/g, '').length, 0);
      const onSlides = new Set(sections.flatMap((s) => s.text.split('\n').map((l) => l.trim())));
      // Masters are extra: one that cannot be read (damaged, over a limit) is a warning, not the deck's failure.
      const master = await orWarning(ctx.warnings, ctx.opts.signal, 'masters', [], () => masterLines(z, layouts, onSlides, ctx.budget.remaining));
      if (master.length) sections.push({ text: ctx.budget.take(master.join('\n')), loc: { heading: 'Slide masters' } });
      // Slides that are pictures of pages (photographed, scanned) are read by OCR when the slides' own text is sparse;
      // embedded objects (a workbook behind a chart, a PDF) come after the slides, as attachments.
      const pictures = ctx.opts.ocrPictures || sparseText(own, slides.length) ? readablePictures(ctx, await packagePictures(z, ctx.opts.maxFileBytes)) : [];
      sections.push(...(await extractAttachments(ctx, [...pictures, ...(await ooxmlEmbeddings(z, ctx.opts.maxFileBytes))])));
      return { sections, pages: slides.length };
    });
  },
});
