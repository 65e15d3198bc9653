// Legacy PowerPoint 97-2003 .ppt (OLE2): slides in presentation order with their notes and comments, then the masters'
// text (ppt-slides.ts), then pictures of pages when the slides' text is sparse (ppt-pictures.ts) and embedded objects
// (a workbook, a PDF, a document) as attachments. No maintained npm library reads .ppt; the records are few and
// documented (MS-PPT), and the compound file under them has already been validated (cfb.ts).
import { readFile } from 'node:fs/promises';
import { constants, inflateSync } from 'node:zlib';
import { FileError } from '../../errors.js';
import { register } from '../registry.js';
import { parseCfb, rootEntry, type Cfb } from '../cfb.js';
import { extractAttachments, MAX_ATTACHMENTS, type Attachment } from '../attachments.js';
import { oleObjectFile } from '../ole-objects.js';
import { editHistory, recordAt, RT, type EditHistory } from '../ppt-records.js';
import { headerFooterText, masterText, slidesText, streamText } from '../ppt-slides.js';
import { pptPictures } from '../ppt-pictures.js';
import { readablePictures, sparseText } from '../package-pictures.js';
import type { Section } from '../types.js';

function streamOf(cfb: Cfb, name: string): Buffer | undefined {
  const e = rootEntry(cfb, name);
  return e?.kind === 'stream' ? cfb.read(e) : undefined;
}

register(['ppt'], {
  version: '4',
  async extract(ctx) {
    const cfb = parseCfb(await readFile(ctx.absPath));
    if (rootEntry(cfb, 'EncryptedSummary')) throw new FileError('failed', 'encrypted', 'password-protected PowerPoint presentation');
    const doc = streamOf(cfb, 'PowerPoint Document');
    if (!doc) throw new FileError('failed', 'corrupt', 'ppt: no PowerPoint Document stream');
    const history = editHistory(doc, streamOf(cfb, 'Current User'));
    const slides = history && slidesText(doc, history, ctx.budget.remaining);
    const sections: Section[] = [];
    if (slides) {
      for (const s of slides) if (s.lines.length) sections.push({ text: ctx.budget.take(s.lines.join('\n')), loc: { slide: s.slide } });
    } else {
      ctx.warnings.push('ppt: edit history unreadable; text read in stream order');
      const lines = streamText(doc);
      if (lines.length) sections.push({ text: ctx.budget.take(lines.join('\n')), loc: {} });
    }
    // Slides that are pictures of pages (photographed, scanned) are read by OCR when the slides' own text (not the
    // masters') is sparse, as for .pptx; embedded objects come after, as attachments.
    const own = sections.reduce((n, s) => n + s.text.replace(/\s/g, '').length, 0);
    if (slides) {
      const said = new Set(slides.flatMap((s) => s.lines.map((l) => l.trim())));
      const master = masterText(doc, history!, said, ctx.budget.remaining);
      if (master.length) sections.push({ text: ctx.budget.take(master.join('\n')), loc: { heading: 'Slide masters' } });
      for (const l of master) said.add(l.trim());
      const running = headerFooterText(doc, history!, said);
      if (running.length) sections.push({ text: ctx.budget.take(running.join('\n')), loc: { heading: 'Headers and footers' } });
    }
    const pictures = ctx.opts.ocrPictures || sparseText(own, slides?.length ?? 1) ? readablePictures(ctx, pptPictures(cfb, ctx.opts.maxFileBytes)) : [];
    const objects = history ? embeddedObjects(doc, history, ctx.opts.maxFileBytes) : [];
    sections.push(...(await extractAttachments(ctx, [...pictures, ...objects])));
    return { sections, pages: slides?.length };
  },
});

/**
 * The live ExOleObjStg records, in persist order: each holds an OLE object's compound file, zlib-compressed when its
 * instance is 1. An object that does not inflate, or inflates past what is left of the size cap (all objects together),
 * is listed as unreadable.
 */
function embeddedObjects(doc: Buffer, h: EditHistory, maxBytes: number): Attachment[] {
  const out: Attachment[] = [];
  const ids = [...h.persist.keys()].sort((a, b) => a - b);
  // Each object once (forged ids can all name one), no more than are read, and no more bytes inflated in all than
  // the size cap allows one file: they are held until read.
  const seen = new Set<number>();
  let budget = maxBytes;
  for (const id of ids) {
    if (out.length >= MAX_ATTACHMENTS) break;
    const at = h.persist.get(id)!;
    const r = recordAt(doc, at, doc.length);
    if (r?.type !== RT.ExOleObjStg || seen.has(at)) continue;
    seen.add(at);
    const name = `embedded object ${out.length + 1}`;
    try {
      const bytes = r.instance === 1 ? inflated(doc, r.start, r.end, budget) : doc.subarray(r.start, r.end);
      if (r.instance === 1) budget -= bytes.length;
      const inner = parseCfb(bytes);
      const file = oleObjectFile(inner, inner.root, name);
      if (file) out.push(file);
    } catch (e) {
      out.push({ name, bytes: Buffer.alloc(0), unreadable: `not read: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return out;
}

/**
 * A compressed object: its size, then a zlib stream that PowerPoint does not always finish (read up to what it holds,
 * and accepted only at the size it declares).
 */
function inflated(doc: Buffer, start: number, end: number, maxBytes: number): Buffer {
  if (end - start < 4) throw new Error('compressed object without a size');
  const size = doc.readUInt32LE(start);
  if (size > maxBytes) throw new Error(`${size} bytes inflated, over the ${maxBytes}-byte limit`);
  const out = inflateSync(doc.subarray(start + 4, end), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, size) });
  if (out.length !== size) throw new Error(`inflates to ${out.length} bytes, not the ${size} it declares`);
  return out;
}
