// DOCX via mammoth (every zip entry vetted, no external file access, images dropped) -> HTML -> heading sections.
import { register } from '../registry.js';
import { withZip } from '../zip.js';
import { storedEntry, writeZip } from '../zip-write.js';
import type { VettedEntry, ZipArchive } from '../zip.js';
import { MAX_PART_BYTES, readRels } from '../ooxml.js';
import type { Attachment } from '../attachments.js';
import { htmlToSections } from '../htmltext.js';
import { extractAttachments } from '../attachments.js';
import { ooxmlEmbeddings, packageParts } from '../ooxml-embeddings.js';
import { graphicLines, orWarning } from '../ooxml-graphics.js';
import { headerFooterSections } from '../docx-headers.js';
import { withListLabels } from '../docx-list-labels.js';
import { withRubyText } from '../docx-ruby.js';
import { packagePictures, readablePictures, sparseText } from '../package-pictures.js';
import { FileError } from '../../errors.js';
import type { ExtractContext } from '../types.js';

register(['docx'], {
  version: '8',
  async extract(ctx) {
    // mammoth (JSZip) trusts declared sizes and reads far more than document.xml (styles, numbering, notes,
    // comments, media): it gets a zip rebuilt from entries that were each inflated under our caps, never the file.
    // The zip stays open through the conversion: whether the pictures are read depends on how much text it gives.
    return withZip(ctx, async (z) => {
      if (!z.has('word/document.xml')) throw new FileError('failed', 'corrupt', 'docx without word/document.xml');
      const body = htmlToSections(await bodyHtml(ctx, z)).sections;
      const margins = await headerFooterSections(z);
      // SmartArt and charts keep their text in parts of their own; mammoth reads none of it.
      const graphics = await orWarning(ctx.warnings, ctx.opts.signal, 'charts and diagrams', [], () => graphicLines(z, 'word/document.xml', ctx.budget.remaining));
      if (graphics.length) margins.unshift({ text: graphics.join('\n'), loc: { heading: 'Charts and diagrams' } });
      const own = body.reduce((n, sec) => n + sec.text.replace(/\s/g, '').length, 0);
      const pictures = ctx.opts.ocrPictures || sparseText(own, 1) ? readablePictures(ctx, await packagePictures(z, ctx.opts.maxFileBytes)) : [];
      const embedded = [...(await altChunks(z, ctx.opts.maxFileBytes)), ...(await ooxmlEmbeddings(z, ctx.opts.maxFileBytes))];
      // Headers and footers follow the body; then, for a document whose text is in its pictures (a scan pasted in),
      // their OCR; embedded objects (a workbook, a PDF) come last, as attachments.
      return { sections: [...body, ...margins, ...(await extractAttachments(ctx, [...pictures, ...embedded]))] };
    });
  },
});

/**
 * Content Word keeps in another format and shows in the body (w:altChunk: "Insert > Text from file", and what many
 * HTML-to-Word converters write): an HTML, MHT, RTF, text or Word part, which mammoth leaves out. Each is read by its
 * own extractor, as an attachment.
 */
async function altChunks(z: ZipArchive, maxBytes: number): Promise<Attachment[]> {
  const parts = (await readRels(z, 'word/document.xml')).filter((r) => r.type.endsWith('/aFChunk')).map((r) => r.target);
  return packageParts(z, parts, maxBytes, (name, bytes) => (bytes.length ? [{ name, bytes }] : []));
}

const EMPTY_STYLES = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>');

/**
 * The package with an empty styles part where it has none: mammoth's stand-in for a missing one has no table styles, and
 * it fails on the first table that names a style ("Cannot read properties of undefined (reading 'TableGrid')"). Hand-made
 * files and files cut short lack it.
 */
function withStyles(entries: VettedEntry[]): VettedEntry[] {
  if (entries.some((e) => e.name === 'word/styles.xml')) return entries;
  return [...entries, storedEntry('word/styles.xml', EMPTY_STYLES)];
}

/**
 * The body as mammoth reads it, with Word's automatic list numbers written in as text and phonetic guides (ruby) as
 * plain runs. Should mammoth fail on the edited part, the part is read as it was: the numbers are lost, not the document.
 */
async function bodyHtml(ctx: ExtractContext, z: ZipArchive): Promise<string> {
  const entries = withStyles(await z.vetAll());
  // Read once for both edits; a part too large to read here is left to mammoth, unedited.
  const xml = await orWarning(ctx.warnings, ctx.opts.signal, 'list numbers', undefined, () => z.readText('word/document.xml', MAX_PART_BYTES));
  const labelled = xml === undefined ? undefined : await orWarning(ctx.warnings, ctx.opts.signal, 'list numbers', undefined, () => withListLabels(z, 'word/document.xml', xml));
  const edited = (xml === undefined ? undefined : withRubyText(labelled ?? xml)) ?? labelled;
  if (edited !== undefined) {
    const part = storedEntry('word/document.xml', edited);
    try {
      return await toHtml(ctx, writeZip(entries.map((e) => (e.name === part.name ? part : e))));
    } catch (e) {
      if (ctx.opts.signal?.aborted) throw e;
      const what = labelled === undefined ? 'phonetic guides' : 'list numbers';
      ctx.warnings.push(`${what}: left out (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return toHtml(ctx, writeZip(entries));
}

/** mammoth's HTML of a vetted, rebuilt package. */
async function toHtml(ctx: ExtractContext, buffer: Buffer): Promise<string> {
  // Loaded on the first DOCX: an extraction child that only ever sees text files skips 80 ms of CPU.
  const mammoth = (await import('mammoth')).default;
  try {
    const res = await mammoth.convertToHtml(
      { buffer },
      {
        externalFileAccess: false,
        // Inline base64 images would bloat the HTML for nothing: text is all we keep.
        convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
        ignoreEmptyParagraphs: true,
      },
    );
    const unknown = res.messages.filter((m) => m.type === 'error').length;
    if (unknown) ctx.warnings.push(`docx: ${unknown} conversion errors`);
    return res.value;
  } catch (e) {
    throw new FileError('failed', 'corrupt', `docx: ${e instanceof Error ? e.message : String(e)}`);
  }
}
