// ODT: zip (shared bomb-safe reader) + content.xml walked for headings, paragraphs, lists and tables.
import { register } from '../registry.js';
import { withZip } from '../zip.js';
import { MAX_PART_BYTES } from '../ooxml.js';
import { attrsOf, childrenOf, parseOrdered, textOf, walk, type XNode } from '../xml.js';
import { FileError } from '../../errors.js';
import type { Section } from '../types.js';

function inlineText(nodes: XNode[]): string {
  let s = '';
  walk(nodes, (n, tag) => {
    if (tag === 'text:s') s += ' '.repeat(Math.min(100, Number(attrsOf(n)['text:c'] ?? 1) || 1));
    else if (tag === 'text:tab') s += '\t';
    else if (tag === 'text:line-break') s += '\n';
    else if (tag === 'text:note') return false; // footnote bodies would interrupt the sentence
    const t = textOf(n);
    if (t !== undefined) s += t;
    return true;
  });
  return s;
}

register(['odt'], {
  version: '1',
  async extract(ctx) {
    const xml = await withZip(ctx.absPath, ctx.opts.zip, async (z) => {
      if (!z.has('content.xml')) throw new FileError('failed', 'corrupt', 'odt without content.xml');
      return z.readText('content.xml', MAX_PART_BYTES);
    });
    const sections: Section[] = [];
    let heading: string | undefined;
    let buf: string[] = [];
    const flush = () => {
      if (buf.length) sections.push({ text: buf.join('\n'), loc: heading ? { heading } : {} });
      buf = [];
    };
    walk(parseOrdered(xml), (n, tag) => {
      if (tag === 'office:annotation') return false;
      if (tag === 'text:h') {
        flush();
        const h = inlineText(childrenOf(n)).trim();
        if (h) heading = h;
        buf.push(h);
        return false;
      }
      if (tag === 'table:table-row') {
        const cells = childrenOf(n)
          .filter((c) => c['table:table-cell'] !== undefined)
          .map((c) => inlineText(childrenOf(c)).replace(/\s+/g, ' ').trim());
        if (cells.some(Boolean)) buf.push(cells.join(' | ').replace(/( \| )+$/, ''));
        return false;
      }
      if (tag === 'text:p') {
        buf.push(inlineText(childrenOf(n)));
        return false;
      }
      return true;
    });
    flush();
    return { sections };
  },
});
