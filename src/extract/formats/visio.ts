// Visio 2013+ packages (.vsdx drawings, .vssx stencils, .vstx templates, and their macro-enabled kin): the text of
// each page's shapes in tree order (groups included), a section a page located by its number and headed by its name;
// a stencil, which has no pages, gives its masters' text. loc.page.
import { register } from '../registry.js';
import { withZip, type ZipArchive } from '../zip.js';
import { MAX_PART_BYTES, readRels } from '../ooxml.js';
import { allText, attrsOf, childrenOf, findFirst, parseOrdered, walk, type XNode } from '../xml.js';
import { FileError } from '../../errors.js';
import type { Section } from '../types.js';

const DOCUMENT = 'visio/document.xml';

interface Part {
  part: string;
  /** 1-based place in the list: a listed part that is missing leaves its number unused. */
  number: number;
  name?: string;
}

register(['vsdx'], {
  version: '1',
  async extract(ctx) {
    return withZip(ctx.absPath, ctx.opts.zip, async (z) => {
      if (!z.has(DOCUMENT)) throw new FileError('failed', 'corrupt', `Visio package without ${DOCUMENT}`);
      const pages = await listed(z, 'visio/pages/pages.xml', 'Page');
      const parts = pages.length ? pages : await listed(z, 'visio/masters/masters.xml', 'Master');
      const sections: Section[] = [];
      for (const p of parts) {
        if (ctx.budget.exhausted) break;
        const text = shapeText(parseOrdered(await z.readText(p.part, MAX_PART_BYTES)));
        if (!text) continue;
        const heading = p.name ?? `${pages.length ? 'Page' : 'Master'} ${p.number}`;
        sections.push({ text: ctx.budget.take(text), loc: pages.length ? { page: p.number, heading } : { heading } });
      }
      return { sections, pages: pages.length || undefined };
    });
  },
});

/** The parts a list (pages.xml, masters.xml) names, in its order, each with its name and place; each part once. */
async function listed(z: ZipArchive, list: string, tag: string): Promise<Part[]> {
  if (!z.has(list)) return [];
  const rels = new Map((await readRels(z, list)).map((r) => [r.id, r.target]));
  const out: Part[] = [];
  const seen = new Set<string>();
  let number = 0;
  walk(parseOrdered(await z.readText(list, MAX_PART_BYTES)), (n, t) => {
    if (t !== tag) return true;
    number++;
    const a = attrsOf(n);
    const rel = findFirst(childrenOf(n), 'Rel');
    const part = rel && rels.get(attrsOf(rel)['r:id'] ?? '');
    // A background page or a hidden master is still text someone wrote: it is read like the others.
    if (part && z.has(part) && !seen.has(part)) {
      seen.add(part);
      out.push({ part, number, name: a.Name ?? a.NameU });
    }
    return false;
  });
  return out;
}

/** Each shape's text (a Text element: runs between cp/pp/tp markers, field values), one shape to a line. */
function shapeText(doc: XNode[]): string {
  const lines: string[] = [];
  walk(doc, (n, tag) => {
    if (tag !== 'Text') return true;
    const text = allText(childrenOf(n)).replace(/\r\n?/g, '\n').trim();
    if (text) lines.push(text);
    return false;
  });
  return lines.join('\n');
}
