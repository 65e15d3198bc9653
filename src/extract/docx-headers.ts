// A Word document's headers and footers (word/headerN.xml, word/footerN.xml), which mammoth leaves out: a letterhead,
// a document number, "Confidential", the author's name. One section each, after the body, as for .doc.
import { MAX_PART_BYTES } from './ooxml.js';
import { allText, childrenOf, parseOrdered, walk, type XNode } from './xml.js';
import type { ZipArchive } from './zip.js';
import type { Section } from './types.js';

const PART = /^word\/(header|footer)(\d*)\.xml$/i;

/**
 * Text of one w:p: its runs' text, tabs and breaks. Only w:t is text: drawings also hold positions and alignments as
 * text ("center", "2642235"), and field instructions ("PAGE") and deleted text are not the document's. Paragraph and
 * run properties hold tab stops, not tabs; a text box's own paragraphs are lines of their own.
 */
function paragraphText(p: XNode): string {
  let s = '';
  walk(childrenOf(p), (n, tag) => {
    if (tag === 'w:pPr' || tag === 'w:rPr' || tag === 'w:txbxContent' || tag === 'mc:Fallback') return false;
    if (tag === 'w:t') {
      s += allText(childrenOf(n));
      return false;
    }
    if (tag === 'w:tab') s += '\t';
    else if (tag === 'w:br' || tag === 'w:cr') s += '\n';
    return true;
  });
  return s.trim();
}

/** The paragraphs of one header or footer part (those of text boxes after their anchor), a table row on one line. */
export function headerFooterLines(xml: string): string[] {
  const lines: string[] = [];
  walk(parseOrdered(xml), (n, tag) => {
    // Word writes each text box twice, as DrawingML and as a VML fallback for older readers.
    if (tag === 'mc:Fallback') return false;
    if (tag === 'w:tr') {
      const cells: string[] = [];
      walk(childrenOf(n), (c, ct) => {
        if (ct === 'mc:Fallback') return false;
        if (ct !== 'w:p') return true;
        const t = paragraphText(c);
        if (t) cells.push(t);
        return false;
      });
      if (cells.length) lines.push(cells.join(' | '));
      return false;
    }
    if (tag !== 'w:p') return true;
    const t = paragraphText(n);
    // A page number field's last value ("1") says nothing about the document.
    if (t && !/^\d+$/.test(t)) lines.push(t);
    return true;
  });
  return lines;
}

/**
 * 'Header' and 'Footer' sections from every header and footer part, in part order. A document has up to three of
 * each per section (first page, even pages, the rest), often alike: each distinct line is kept once.
 */
export async function headerFooterSections(z: ZipArchive): Promise<Section[]> {
  const parts = z
    .names()
    .map((name) => ({ name, m: PART.exec(name) }))
    .filter((p): p is { name: string; m: RegExpExecArray } => p.m !== null)
    .sort((a, b) => Number(a.m[2] || 0) - Number(b.m[2] || 0));
  const out: Section[] = [];
  for (const kind of ['header', 'footer']) {
    const seen = new Set<string>();
    for (const p of parts.filter((x) => x.m[1]!.toLowerCase() === kind)) {
      for (const line of headerFooterLines(await z.readText(p.name, MAX_PART_BYTES))) seen.add(line);
    }
    if (seen.size) out.push({ text: [...seen].join('\n'), loc: { heading: kind === 'header' ? 'Header' : 'Footer' } });
  }
  return out;
}
