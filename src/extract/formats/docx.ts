// DOCX via mammoth (every zip entry vetted, no external file access, images dropped) -> HTML -> heading sections.
import { register } from '../registry.js';
import { withZip } from '../zip.js';
import { writeZip } from '../zip-write.js';
import { htmlToSections } from '../htmltext.js';
import { extractAttachments } from '../attachments.js';
import { ooxmlEmbeddings } from '../ooxml-embeddings.js';
import { headerFooterSections } from '../docx-headers.js';
import { ooxmlPictures, readablePictures, sparseText } from '../ooxml-pictures.js';
import { MAX_PART_BYTES } from '../ooxml.js';
import { FileError } from '../../errors.js';

register(['docx'], {
  version: '4',
  async extract(ctx) {
    // mammoth (JSZip) trusts declared sizes and reads far more than document.xml (styles, numbering, notes,
    // comments, media): it gets a zip rebuilt from entries that were each inflated under our caps, never the file.
    const { buffer, embedded, margins, pictures } = await withZip(ctx.absPath, ctx.opts.zip, async (z) => {
      if (!z.has('word/document.xml')) throw new FileError('failed', 'corrupt', 'docx without word/document.xml');
      const sparse = sparseText(textChars(await z.readText('word/document.xml', MAX_PART_BYTES)), 1);
      return {
        buffer: writeZip(await z.vetAll()),
        embedded: await ooxmlEmbeddings(z, ctx.opts.maxFileBytes),
        margins: await headerFooterSections(z),
        pictures: sparse ? await ooxmlPictures(z, ctx.opts.maxFileBytes) : [],
      };
    });
    let html: string;
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
      html = res.value;
      const unknown = res.messages.filter((m) => m.type === 'error').length;
      if (unknown) ctx.warnings.push(`docx: ${unknown} conversion errors`);
    } catch (e) {
      throw new FileError('failed', 'corrupt', `docx: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Headers and footers follow the body; then, for a document whose text is in its pictures (a scan pasted in),
    // their OCR; embedded objects (a workbook, a PDF) come last, as attachments.
    return { sections: [...htmlToSections(html).sections, ...margins, ...(await extractAttachments(ctx, [...readablePictures(ctx, pictures), ...embedded]))] };
  },
});

/** Non-space characters of a Word part's text runs (w:t), counted on the XML: is there a document beyond its pictures? */
function textChars(xml: string): number {
  let n = 0;
  for (const m of xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)/g)) n += m[1]!.replace(/\s/g, '').length;
  return n;
}
