// HTML -> sections: scripts/styles dropped, headings become loc.heading, block elements become line breaks, tables kept as rows.
import { Parser } from 'htmlparser2';
import type { Section } from '../contracts/stages.js';

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'math', 'object', 'iframe', 'select']);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'aside', 'header', 'footer', 'nav', 'main', 'blockquote', 'pre', 'ul', 'ol', 'li',
  'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'caption', 'figure', 'figcaption', 'form', 'fieldset',
  'address', 'hr', 'br', 'body', 'html', 'center', 'details', 'summary', 'title',
]);
const HEADING = /^h([1-6])$/;

export interface HtmlText {
  sections: Section[];
  title?: string;
}

/** Converts (already decoded) HTML to sections, one per heading. */
export function htmlToSections(html: string): HtmlText {
  const sections: Section[] = [];
  let heading: string | undefined;
  let buf = '';
  let skipDepth = 0;
  let headText: string | undefined;
  let title: string | undefined;
  let inTitle = false;
  let cellIndex = 0;
  let pre = 0;
  // Inside a table cell, block elements (paragraphs in docx cells) are just spaces: a row stays on one line.
  let cell = 0;
  // A ruby's reading (<rt>) without the parentheses (<rp>) that browsers without ruby show: given them, so that
  // "東京とうきょう" reads "東京 (とうきょう)", as the Word and OpenDocument readers write phonetic guides.
  let rubyParens = false;
  const addText = (s: string) => {
    if (headText !== undefined) headText += s;
    buf += s;
  };
  const flush = () => {
    if (buf.trim()) sections.push({ text: buf, loc: heading ? { heading } : {} });
    buf = '';
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'title') inTitle = true;
        // Every tag (void ones included) gets a close event from htmlparser2, so a depth counter tracks the skipped subtree.
        if (skipDepth) {
          skipDepth++;
          return;
        }
        if (SKIP.has(name) || name === 'ix:header' || attrs.hidden !== undefined || /display\s*:\s*none/i.test(attrs.style ?? '')) {
          skipDepth = 1;
          return;
        }
        if (HEADING.test(name)) {
          flush();
          headText = '';
          return;
        }
        if (name === 'ruby') rubyParens = true;
        else if (name === 'rp') rubyParens = false;
        else if (name === 'rt' && rubyParens) addText(' (');
        if (name === 'tr') cellIndex = 0;
        if (name === 'td' || name === 'th') {
          if (cellIndex++ > 0) buf += ' | ';
          cell++;
          return;
        }
        if (name === 'pre') pre++;
        if (cell && name !== 'table' && name !== 'tr') {
          if (BLOCK.has(name)) buf += ' ';
          return;
        }
        if (name === 'table') cell = 0;
        if (name === 'li') buf += '\n- ';
        else if (BLOCK.has(name)) buf += name === 'p' || name === 'table' ? '\n\n' : '\n';
      },
      ontext(t) {
        if (inTitle) title = (title ?? '') + t;
        if (skipDepth) return;
        // Source newlines are layout, not content (except in <pre>).
        addText(pre ? t : t.replace(/\s+/g, ' '));
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (skipDepth) {
          skipDepth--;
          return;
        }
        if (HEADING.test(name) && headText !== undefined) {
          const h = headText.replace(/\s+/g, ' ').trim();
          if (h) heading = h;
          headText = undefined;
          // The heading text starts the new section (already in buf) — give it a line of its own.
          buf = buf.trim() ? buf + '\n' : '';
          if (buf) sections.push({ text: buf, loc: heading ? { heading } : {} }), (buf = '');
          return;
        }
        if (name === 'pre') pre = Math.max(0, pre - 1);
        if (name === 'rt' && rubyParens) addText(')');
        if (name === 'td' || name === 'th') {
          cell = Math.max(0, cell - 1);
          return;
        }
        if (cell && name !== 'table' && name !== 'tr') {
          if (BLOCK.has(name)) buf += ' ';
          return;
        }
        if (name === 'tr' || name === 'table') cell = 0;
        if (BLOCK.has(name)) buf += name === 'p' || name === 'table' ? '\n\n' : '\n';
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  flush();
  return { sections: mergeHeadingOnly(sections), title: title?.replace(/\s+/g, ' ').trim() || undefined };
}

// A heading's own line was emitted as a section; glue it to the body that follows under the same heading.
function mergeHeadingOnly(secs: Section[]): Section[] {
  const out: Section[] = [];
  for (const s of secs) {
    const prev = out.at(-1);
    if (prev && prev.loc.heading === s.loc.heading && prev.text.length < 300 && !prev.text.trim().includes('\n')) {
      prev.text = prev.text.trimEnd() + '\n' + s.text;
    } else out.push({ text: s.text, loc: { ...s.loc } });
  }
  return out;
}

/** Finds a declared charset in the first bytes: <meta charset> or http-equiv Content-Type. */
export function sniffHtmlCharset(head: Buffer): string | undefined {
  const s = head.subarray(0, 4096).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)/i.exec(s) ?? /<\?xml[^>]+encoding\s*=\s*["']([-\w.:]+)/i.exec(s);
  return m?.[1];
}
