// Writes Word's automatic list numbers into a DOCX's main part as text, so that mammoth, which draws every numbered
// paragraph as an unnumbered list item, reads "14.2 Payment terms" where Word shows it.
import { ListCounter, ListDefinitions } from './docx-numbering.js';
import { MAX_PART_BYTES, readRels } from './ooxml.js';
import type { ZipArchive } from './zip.js';

export const MAIN = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
export const STRICT = 'http://purl.oclc.org/ooxml/wordprocessingml/main';
const MARKUP_COMPATIBILITY = 'http://schemas.openxmlformats.org/markup-compatibility/2006';

/** The numbered paragraphs of `part` (its text `xml` when already read) with their labels written in; undefined when none is numbered. */
export async function withListLabels(z: ZipArchive, part: string, xml?: string): Promise<string | undefined> {
  const rels = await readRels(z, part);
  const target = (kind: string, fallback: string) => rels.find((r) => r.type.endsWith(`/${kind}`))?.target ?? fallback;
  const numbering = target('numbering', 'word/numbering.xml');
  if (!z.has(numbering)) return undefined;
  const styles = target('styles', 'word/styles.xml');
  const defs = new ListDefinitions(await z.readText(numbering, MAX_PART_BYTES), z.has(styles) ? await z.readText(styles, MAX_PART_BYTES) : undefined);
  if (defs.empty) return undefined;
  return labelListParagraphs(xml ?? (await z.readText(part, MAX_PART_BYTES)), defs);
}

interface Paragraph {
  /** Element depth of the paragraph's own children. */
  depth: number;
  numId?: string;
  ilvl?: number;
  style?: string;
  /** Where its direct w:pPr starts its content, and its w:numPr's span. */
  pPrOpen?: number;
  numPr?: [number, number];
  inPPr: boolean;
  inNumPr: boolean;
  /** Inside mc:Choice, which mammoth does not read (it reads mc:Fallback): neither counted nor labelled. */
  skipped: boolean;
  hasText: boolean;
  edits: Edit[];
}

type Edit = [at: number, end: number, text: string];

/**
 * Counts the numbered paragraphs of a WordprocessingML part in document order, as Word does, and writes each one's
 * label as a run at its start, its numbering taken away so that it is not read as a list item as well. Paragraphs left
 * empty stay empty. Undefined when nothing was labelled.
 */
export function labelListParagraphs(xml: string, defs: ListDefinitions): string | undefined {
  const w = prefixOf(xml, [MAIN, STRICT], 'w:');
  const mc = prefixOf(xml, [MARKUP_COMPATIBILITY], 'mc:');
  const counter = new ListCounter(defs);
  const neutral = `<${w}numPr><${w}ilvl ${w}val="0"/><${w}numId ${w}val="0"/></${w}numPr>`;
  const edits: Edit[] = [];
  const open: Paragraph[] = [];
  let depth = 0;
  let choice = 0;
  // Tags only; Word escapes ">" in attribute values. A tag misread here can only mislabel: the caller reads the part
  // as it was when mammoth cannot read the labelled one.
  // The attributes stop at a '<' too: an unclosed tag would otherwise be scanned to the end of the part from every
  // '<' after it, quadratic in a hostile part.
  const tag = /<(\/?)([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^<>]*?)(\/?)>/g;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const [whole, closing, prefix = '', name, attrs = '', selfClosing] = m;
    const end = m.index + whole.length;
    const ours = prefix === w;
    const p = open.at(-1);
    if (closing) {
      depth--;
      if (prefix === mc && name === 'Choice') choice--;
      if (!ours || !p) continue;
      if (name === 'p' && depth === p.depth - 1) {
        open.pop();
        if (p.hasText) edits.push(...p.edits);
      } else if (name === 'numPr' && p.inNumPr && depth === p.depth + 1) {
        p.inNumPr = false;
        p.numPr = [p.numPr![0], end];
      } else if (name === 'pPr' && p.inPPr && depth === p.depth) {
        p.inPPr = false;
        label(p, end);
      }
      continue;
    }
    if (!selfClosing) depth++;
    if (prefix === mc && name === 'Choice' && !selfClosing) choice++;
    if (!ours) continue;
    if (name === 'p' && !selfClosing) {
      open.push({ depth, inPPr: false, inNumPr: false, skipped: choice > 0, hasText: false, edits: [] });
    } else if (!p) {
      continue;
    } else if (name === 't' && !selfClosing && xml[end] !== '<') {
      p.hasText = true;
    } else if (name === 'pPr' && p.pPrOpen === undefined && depth === p.depth + (selfClosing ? 0 : 1)) {
      // A paragraph's own properties come first among its children; an empty <w:pPr/> carries no numbering.
      p.pPrOpen = end;
      p.inPPr = !selfClosing;
    } else if (p.inPPr && name === 'pStyle' && depth === p.depth + (selfClosing ? 1 : 2)) {
      p.style = valOf(attrs, w);
    } else if (p.inPPr && name === 'numPr' && depth === p.depth + (selfClosing ? 1 : 2)) {
      p.numPr = [m.index, end];
      p.inNumPr = !selfClosing;
    } else if (p.inNumPr && depth === p.depth + (selfClosing ? 2 : 3)) {
      if (name === 'numId') p.numId = valOf(attrs, w);
      else if (name === 'ilvl') {
        const v = Number(valOf(attrs, w));
        if (Number.isInteger(v)) p.ilvl = v;
      }
    }
  }
  if (!edits.length) return undefined;
  edits.sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  let at = 0;
  for (const [from, to, text] of edits) {
    if (from < at) continue;
    out.push(xml.slice(at, from), text);
    at = to;
  }
  out.push(xml.slice(at));
  return out.join('');

  function label(p: Paragraph, pPrEnd: number): void {
    if (p.skipped) return;
    const list = defs.resolve(p.numId, p.ilvl, p.style);
    const text = list && counter.next(list.numId, list.ilvl);
    if (!text) return;
    p.edits.push(p.numPr ? [p.numPr[0], p.numPr[1], neutral] : [p.pPrOpen!, p.pPrOpen!, neutral]);
    p.edits.push([pPrEnd, pPrEnd, `<${w}r><${w}t xml:space="preserve">${escapeXml(text)}</${w}t></${w}r>`]);
  }
}

/** The prefix (with its colon) the part binds to one of `namespaces`: Word writes "w:" and "mc:" (Word 2007: "ve:"). */
export function prefixOf(xml: string, namespaces: string[], fallback: string): string {
  const head = xml.slice(0, 8192);
  for (const ns of namespaces) {
    const m = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)="${ns.replace(/[.]/g, '\\.')}"`).exec(head);
    if (m) return `${m[1]}:`;
  }
  return fallback;
}

function valOf(attrs: string, w: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${w}val\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? (m[1] ?? m[2]) : undefined;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
