// Visio 2013+ packages (.vsdx drawings, .vssx stencils, .vstx templates, and their macro-enabled kin): the text of
// each page's shapes in tree order (groups included), a section a page located by its number and headed by its name;
// a stencil, which has no pages, gives its masters' text. loc.page. A shape dropped from a stencil shows its master's
// text until it is given its own: that text lives only in the master, and is read from there.
import { register } from '../registry.js';
import { withZip, type ZipArchive } from '../zip.js';
import { MAX_PART_BYTES, readRels } from '../ooxml.js';
import { allText, attrsOf, childrenOf, findFirst, parseOrdered, tagOf, walk, type XNode } from '../xml.js';
import { FileError } from '../../errors.js';
import type { Section } from '../types.js';

const DOCUMENT = 'visio/document.xml';

interface Part {
  part: string;
  /** The Master element's ID, which page shapes name in their Master attribute. */
  id?: string;
  /** 1-based place in the list: a listed part that is missing leaves its number unused. */
  number: number;
  name?: string;
}

register(['vsdx'], {
  version: '1',
  async extract(ctx) {
    return withZip(ctx, async (z) => {
      if (!z.has(DOCUMENT)) throw new FileError('failed', 'corrupt', `Visio package without ${DOCUMENT}`);
      const pages = await listed(z, 'visio/pages/pages.xml', 'Page');
      const masterParts = await listed(z, 'visio/masters/masters.xml', 'Master');
      const parts = pages.length ? pages : masterParts;
      const masters = new Masters(z, masterParts);
      const sections: Section[] = [];
      for (const p of parts) {
        if (ctx.budget.exhausted) break;
        const doc = parseOrdered(await z.readText(p.part, MAX_PART_BYTES));
        const text = shapeText(doc, await masters.usedBy(doc), ctx.budget.remaining);
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
      out.push({ part, number, id: a.ID, name: a.Name ?? a.NameU });
    }
    return false;
  });
  return out;
}

/** A master's shapes: its one top-level shape (what an instance of it shows), and every shape by ID (for a group's parts). */
interface MasterShapes {
  top?: XNode;
  byId: Map<string, XNode>;
}

/** The masters' shapes, each master parsed once and only when a page uses it. */
class Masters {
  private readonly parsed = new Map<string, MasterShapes>();
  constructor(private readonly z: ZipArchive, private readonly list: Part[]) {}

  /** The masters that `doc`'s shapes name, by ID. */
  async usedBy(doc: XNode[]): Promise<Map<string, MasterShapes>> {
    const ids = new Set<string>();
    walk(doc, (n, tag) => {
      const id = tag === 'Shape' ? attrsOf(n).Master : undefined;
      if (id !== undefined) ids.add(id);
      return true;
    });
    const out = new Map<string, MasterShapes>();
    for (const id of ids) {
      const part = this.list.find((p) => p.id === id)?.part;
      if (!part) continue;
      if (!this.parsed.has(part)) this.parsed.set(part, masterShapes(parseOrdered(await this.z.readText(part, MAX_PART_BYTES))));
      out.set(id, this.parsed.get(part)!);
    }
    return out;
  }
}

function masterShapes(doc: XNode[]): MasterShapes {
  const byId = new Map<string, XNode>();
  walk(doc, (n, tag) => {
    if (tag === 'Shape' && attrsOf(n).ID !== undefined) byId.set(attrsOf(n).ID!, n);
    return true;
  });
  const shapes = findFirst(doc, 'Shapes');
  const top = shapes ? childrenOf(shapes).filter((c) => tagOf(c) === 'Shape') : [];
  return { top: top.length === 1 ? top[0] : undefined, byId };
}

/**
 * Each shape's text (a Text element: runs between cp/pp/tp markers, field values), one shape to a line, in tree
 * order. A shape with no Text of its own shows its master's: an instance its master's top shape, a part of a grouped
 * instance the master's shape it names (MasterShape). A Text of its own, even empty, overrides the master's.
 */
function shapeText(doc: XNode[], masters: Map<string, MasterShapes>, maxChars: number): string {
  const lines: string[] = [];
  let chars = 0;
  const push = (text: XNode) => {
    const t = textOf(text);
    if (t) lines.push(t), (chars += t.length);
  };
  const visit = (nodes: XNode[], master: MasterShapes | undefined) =>
    walk(nodes, (n, tag) => {
      // Thousands of instances of one master with a long text would build that text thousands of times.
      if (chars >= maxChars) return false;
      if (tag === 'Text') {
        push(n); // a Text outside any shape (none is written so; read all the same)
        return false;
      }
      if (tag !== 'Shape') return true;
      const a = attrsOf(n);
      const m = a.Master !== undefined ? masters.get(a.Master) : master;
      const kids = childrenOf(n);
      const inherited = a.MasterShape !== undefined ? m?.byId.get(a.MasterShape) : a.Master !== undefined ? m?.top : undefined;
      const text = kids.find((c) => tagOf(c) === 'Text') ?? (inherited && childrenOf(inherited).find((c) => tagOf(c) === 'Text'));
      if (text) push(text);
      visit(kids.filter((c) => tagOf(c) === 'Shapes'), m);
      return false;
    });
  visit(doc, undefined);
  return lines.join('\n');
}

/** A Text element's text, worked out once however many instances show it (a master's). */
const texts = new WeakMap<XNode, string>();
function textOf(text: XNode): string {
  let t = texts.get(text);
  if (t === undefined) texts.set(text, (t = allText(childrenOf(text)).replace(/\r\n?/g, '\n').trim()));
  return t;
}
