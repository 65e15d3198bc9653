// ODT (and ODP, ODG): zip (shared bomb-safe reader) + content.xml walked for headings, paragraphs, lists and tables;
// then footnotes and endnotes, then the master pages' headers and footers from styles.xml. Flat ODF (.fodt, .fodp,
// .fodg: the same document as one XML file) is read from its office:body and its master styles alike.
import { readFile } from 'node:fs/promises';
import { register } from '../registry.js';
import { withZip, type ZipArchive } from '../zip.js';
import { extractAttachments } from '../attachments.js';
import { packagePictures, readablePictures, sparseText } from '../package-pictures.js';
import { MAX_PART_BYTES } from '../ooxml.js';
import { attrsOf, childrenOf, findFirst, parseOrdered, textOf, walk, type XNode } from '../xml.js';
import { decodeBuffer } from '../decode.js';
import { sniffHtmlCharset } from '../htmltext.js';
import { FileError } from '../../errors.js';
import { LIST_LABEL, labelOdfLists } from '../odf-lists.js';
import type { Section } from '../types.js';

/** A paragraph's text; footnote bodies and comments (which would interrupt the sentence) go to `notes` instead. */
function inlineText(nodes: XNode[], notes?: Notes): string {
  let s = '';
  walk(nodes, (n, tag) => {
    if (tag === 'text:s') s += ' '.repeat(Math.min(100, Number(attrsOf(n)['text:c'] ?? 1) || 1));
    else if (tag === 'text:tab') s += '\t';
    else if (tag === 'text:line-break') s += '\n';
    else if (tag === 'text:note') {
      notes?.add(n);
      return false;
    } else if (tag === 'office:annotation') {
      notes?.comment(n);
      return false;
    } else if (tag === 'text:page-number' || tag === 'text:page-count') return false; // the last value, as saved
    else if (tag === 'office:binary-data') return false; // a picture inlined in base64 (flat ODF): no text
    // A phonetic guide (furigana): its base, then the reading in parentheses, as the Word readers write it.
    else if (tag === 'text:ruby') {
      const part = (name: string) => {
        const p = findFirst(childrenOf(n), name);
        return p ? inlineText(childrenOf(p), notes).trim() : '';
      };
      const [base, reading] = [part('text:ruby-base'), part('text:ruby-text')];
      s += base && reading ? `${base} (${reading})` : base || reading;
      return false;
    }
    else if (tag === 'draw:object') {
      const text = attrsOf(n)[OBJECT_TEXT];
      if (text) s += `\n${text}\n`;
      return false;
    }
    // A table inside a paragraph (in a text box, an embedded chart's data) reads a row to a line, as the body's do.
    else if (tag === 'table:table-row') {
      const row = rowText(n, notes);
      // A line of its own, rows one under the other (not a blank line between each).
      if (row) s += `${s && !s.endsWith('\n') ? '\n' : ''}${row}\n`;
      return false;
    }
    // A paragraph inside this one (a text box, a shape's text), or a picture's or shape's title or description (its
    // alt text), is a line of its own.
    else if (tag === 'text:p' || tag === 'text:h' || tag === 'svg:title' || tag === 'svg:desc') {
      s += `\n${listLabelOf(n)}${inlineText(childrenOf(n), notes)}\n`;
      return false;
    }
    const t = textOf(n);
    if (t !== undefined) s += t;
    return true;
  });
  return s;
}

/** A table row's cells, " | " between them, trailing empty cells dropped; '' for a row with no text. */
function rowText(row: XNode, notes?: Notes): string {
  const cells = childrenOf(row)
    .filter((c) => c['table:table-cell'] !== undefined)
    .map((c) => inlineText(childrenOf(c), notes).replace(/\s+/g, ' ').trim());
  return cells.some(Boolean) ? cells.join(' | ').replace(/( \| )+$/, '') : '';
}

/** Footnotes, endnotes and comments in document order, each one's paragraphs on one line. */
class Notes {
  readonly foot: string[] = [];
  readonly end: string[] = [];
  readonly comments: string[] = [];
  /** A comment's paragraphs; its author (dc:creator) and date are not text of the document. */
  comment(annotation: XNode): void {
    const text = this.oneLine(childrenOf(annotation));
    if (text) this.comments.push(text);
  }
  add(note: XNode): void {
    const text = this.oneLine(childrenOf(note).filter((c) => c['text:note-body'] !== undefined));
    if (text) (attrsOf(note)['text:note-class'] === 'endnote' ? this.end : this.foot).push(text);
  }
  private oneLine(nodes: XNode[]): string {
    return paragraphs(nodes, this).join(' ').replace(/\s+/g, ' ').trim();
  }
}

/** The text of every paragraph and heading under `nodes`. */
function paragraphs(nodes: XNode[], notes?: Notes): string[] {
  const out: string[] = [];
  walk(nodes, (n, tag) => {
    if (tag === 'office:annotation') {
      notes?.comment(n);
      return false;
    }
    if (tag !== 'text:p' && tag !== 'text:h') return true;
    const t = inlineText(childrenOf(n), notes).trim();
    if (t) out.push(t);
    return false;
  });
  return out;
}

// Where a master page keeps its running text: a text document's header and footer (first, left and right pages),
// a presentation's header and footer frames.
const HEADER_TAGS = new Set(['style:header', 'style:header-left', 'style:header-first']);
const FOOTER_TAGS = new Set(['style:footer', 'style:footer-left', 'style:footer-first']);

/** 'Header' and 'Footer' sections from styles.xml's master pages, each distinct line once. */
function masterPageSections(styles: XNode[]): Section[] {
  const header = new Set<string>();
  const footer = new Set<string>();
  walk(styles, (n, tag) => {
    if (tag === 'office:body' || tag === 'office:meta' || tag === 'office:settings' || tag === 'office:scripts') return false;
    if (tag === 'office:automatic-styles' || tag === 'office:styles' || tag === 'office:font-face-decls') return false;
    const cls = tag === 'draw:frame' ? attrsOf(n)['presentation:class'] : undefined;
    const into = HEADER_TAGS.has(tag ?? '') || cls === 'header' ? header : FOOTER_TAGS.has(tag ?? '') || cls === 'footer' ? footer : undefined;
    if (!into) return true;
    for (const line of paragraphs(childrenOf(n))) if (!/^\d+$/.test(line)) into.add(line);
    return false;
  });
  const out: Section[] = [];
  if (header.size) out.push({ text: [...header].join('\n'), loc: { heading: 'Header' } });
  if (footer.size) out.push({ text: [...footer].join('\n'), loc: { heading: 'Footer' } });
  return out;
}

/** An encrypted package's parts are ciphertext: its manifest says so (ODF 1.2, 3.8: manifest:encryption-data). */
function encrypted(manifest: string): boolean {
  return /<manifest:encryption-data[\s>]/.test(manifest);
}

register(['odt'], {
  version: '8',
  async extract(ctx) {
    // The zip stays open to the end: whether the pictures are read depends on how much text the content gives.
    return withZip(ctx, async (z) => {
      if (!z.has('content.xml')) throw new FileError('failed', 'corrupt', 'odt without content.xml');
      if (z.has('META-INF/manifest.xml') && encrypted(await z.readText('META-INF/manifest.xml', MAX_PART_BYTES))) {
        throw new FileError('failed', 'encrypted', 'password-protected OpenDocument file');
      }
      const xml = await z.readText('content.xml', MAX_PART_BYTES);
      const styles = z.has('styles.xml') ? await z.readText('styles.xml', MAX_PART_BYTES) : undefined;
      const content = parseOrdered(xml);
      await inlineObjects(z, content, ctx.warnings);
      const styleDoc = styles === undefined ? undefined : parseOrdered(styles);
      labelOdfLists(content, styleDoc ? [content, styleDoc] : [content]);
      const { sections, pages } = contentSections(content, styleDoc);
      // A scan or photographed pages placed in a text or presentation with next to no text of its own: its pictures
      // are read by OCR, as a Word or PowerPoint file's are.
      const own = sections.reduce((n, s) => n + s.text.replace(/\s/g, '').length, 0);
      if (ctx.opts.ocrPictures || sparseText(own, pages)) sections.push(...(await extractAttachments(ctx, readablePictures(ctx, await packagePictures(z, ctx.opts.maxFileBytes)))));
      return { sections };
    });
  },
});

// Embedded objects read, at most this many, and this many bytes of them in all.
const MAX_OBJECTS = 200;
const MAX_OBJECT_BYTES = 20 * 1024 * 1024;
// Where an object's text is kept on its draw:object anchor for the walk to read in place.
const OBJECT_TEXT = 'docproc:object-text';

/**
 * Each embedded object (a chart, a formula, another document: draw:object pointing at "Object 1/content.xml") is read
 * once, and its text kept on its first anchor: the walk reads it where the object stands. A chart gives its title and data
 * rows, a formula its StarMath annotation ("a^2 + b^2 = c^2"), not its MathML letter by letter. Objects inside objects
 * are not followed, and an object's pages and headings are not the document's. One that cannot be read is a warning.
 */
async function inlineObjects(z: ZipArchive, content: XNode[], warnings: string[]): Promise<void> {
  const anchors = new Map<string, XNode[]>();
  walk(content, (n, tag) => {
    if (tag !== 'draw:object') return true;
    const href = (attrsOf(n)['xlink:href'] ?? '').replace(/^\.\//, '').replace(/\/$/, '');
    if (href && !href.includes('..') && z.has(`${href}/content.xml`)) anchors.set(href, [...(anchors.get(href) ?? []), n]);
    return false;
  });
  let bytes = 0;
  let read = 0;
  let left = 0;
  for (const [href, nodes] of anchors) {
    const part = `${href}/content.xml`;
    try {
      const size = z.declaredSize(part);
      if (read >= MAX_OBJECTS || bytes + size > MAX_OBJECT_BYTES) {
        left++;
        continue;
      }
      read++;
      bytes += size;
      // Read where it first stands: an object shown twice is the same text, and 200 anchors on one large object
      // would otherwise make a small file's text 200 times that object's.
      const first = nodes[0]!;
      first[':@'] = { ...attrsOf(first), [OBJECT_TEXT]: objectText(parseOrdered(await z.readText(part, MAX_PART_BYTES))) };
    } catch (e) {
      // The inflate caps stopped it (a lying size) or it is damaged: the document's own text stands.
      warnings.push(`embedded object ${href}: not read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (left) warnings.push(`${left} embedded object${left > 1 ? 's' : ''} not read: over ${MAX_OBJECTS} objects or ${MAX_OBJECT_BYTES} bytes`);
}

/** An embedded object's text: a formula's annotation, or its body's text (pages and headings flattened into lines). */
function objectText(doc: XNode[]): string {
  const formula = findFirst(doc, 'annotation') ?? findFirst(doc, 'math:annotation');
  if (formula) return inlineText(childrenOf(formula)).trim();
  const body = findFirst(doc, 'office:body');
  return body ? contentSections([body], undefined).sections.map((s) => s.text).join('\n').trim() : '';
}

/** A numbered paragraph's or heading's list number ("2.1 "), as odf-lists.ts worked it out; '' for none. */
function listLabelOf(n: XNode): string {
  return attrsOf(n)[LIST_LABEL] ?? '';
}

/** A flat file holds its objects inline: each gets its text the same way. */
function inlineFlatObjects(content: XNode[]): void {
  walk(content, (n, tag) => {
    if (tag !== 'draw:object') return true;
    n[':@'] = { ...attrsOf(n), [OBJECT_TEXT]: objectText(childrenOf(n)) };
    return false;
  });
}

register(['fodt'], {
  version: '3',
  async extract(ctx) {
    // A whole file is one XML document: decoded as it declares (or by its bytes), never cut short, or it would not parse.
    const bytes = await readFile(ctx.absPath);
    const doc = parseOrdered(decodeBuffer(bytes, sniffHtmlCharset(bytes)).text);
    const body = findFirst(doc, 'office:body');
    if (!body) throw new FileError('failed', 'corrupt', 'flat OpenDocument without office:body');
    inlineFlatObjects([body]);
    labelOdfLists([body], [doc]);
    const { sections } = contentSections([body], doc);
    return { sections: sections.map((s) => ({ ...s, text: ctx.budget.take(s.text) })).filter((s) => s.text) };
  },
});

/**
 * The body's sections (a presentation's pages as slides), then notes and comments, then the master pages' headers
 * and footers; `pages` counts a presentation's pages (1 for a text).
 */
function contentSections(content: XNode[], styles: XNode[] | undefined): { sections: Section[]; pages: number } {
  const notes = new Notes();
  const sections: Section[] = [];
  let heading: string | undefined;
  // A presentation's pages are slides: each its own section, located as a PPTX slide is.
  let slide = 0;
  let buf: string[] = [];
  const flush = () => {
    if (buf.length) sections.push({ text: buf.join('\n'), loc: { ...(heading ? { heading } : {}), ...(slide ? { slide } : {}) } });
    buf = [];
  };
  walk(content, (n, tag) => {
    if (tag === 'draw:page') {
      flush();
      slide++;
      return true;
    }
    if (tag === 'office:annotation') {
      notes.comment(n);
      return false;
    }
    if (tag === 'draw:object') {
      const text = attrsOf(n)[OBJECT_TEXT];
      if (text) buf.push(text);
      return false;
    }
    if (tag === 'text:h') {
      flush();
      const h = (listLabelOf(n) + inlineText(childrenOf(n), notes)).trim();
      if (h) heading = h;
      buf.push(h);
      return false;
    }
    if (tag === 'table:table-row') {
      const row = rowText(n, notes);
      if (row) buf.push(row);
      return false;
    }
    if (tag === 'text:p') {
      buf.push(listLabelOf(n) + inlineText(childrenOf(n), notes));
      return false;
    }
    return true;
  });
  flush();
  if (notes.foot.length) sections.push({ text: notes.foot.join('\n'), loc: { heading: 'Footnotes' } });
  if (notes.end.length) sections.push({ text: notes.end.join('\n'), loc: { heading: 'Endnotes' } });
  if (notes.comments.length) sections.push({ text: notes.comments.join('\n'), loc: { heading: 'Comments' } });
  if (styles) sections.push(...masterPageSections(styles));
  return { sections, pages: Math.max(1, slide) };
}
