// Text Office files keep outside their main parts, in SmartArt diagrams and charts: an org chart's names, a process
// diagram's steps, a chart's title, axis titles, series names and category labels. mammoth, SheetJS and the slide
// reader read the main parts only: a slide whose content was a SmartArt graphic read as empty.
import { MAX_PART_BYTES, readRels } from './ooxml.js';
import { attrsOf, childrenOf, parseOrdered, textOf, walk, type XNode } from './xml.js';
import type { ZipArchive } from './zip.js';

// A diagram's points that carry no text of their own: the connections between the others, and their presentation.
const NO_TEXT_POINTS = new Set(['parTrans', 'sibTrans', 'pres']);
// A category axis of more points than this is data, not labels (a time series of 10,000 dates).
const MAX_CATEGORIES = 200;

/**
 * Lines of the diagrams and charts `part` shows (a slide, a Word document, a spreadsheet drawing), in the order the
 * part places them, each graphic once, until `maxChars`.
 */
export async function graphicLines(z: ZipArchive, part: string, maxChars: number, partXml?: string): Promise<string[]> {
  if (!z.has(part)) return [];
  const rels = new Map((await readRels(z, part)).map((r) => [r.id, r]));
  if (![...rels.values()].some((r) => isGraphic(r.type))) return [];
  const out: string[] = [];
  let chars = 0;
  const done = new Set<string>();
  for (const id of graphicRefs(partXml ?? (await z.readText(part, MAX_PART_BYTES)))) {
    const rel = rels.get(id);
    if (!rel || !isGraphic(rel.type) || done.has(rel.target) || !z.has(rel.target)) continue;
    done.add(rel.target);
    const doc = parseOrdered(await z.readText(rel.target, MAX_PART_BYTES));
    for (const line of rel.type.endsWith('/chart') ? chartLines(doc) : diagramLines(doc)) {
      if (chars >= maxChars) return out;
      out.push(line);
      chars += line.length;
    }
  }
  return out;
}

const isGraphic = (type: string) => type.endsWith('/diagramData') || type.endsWith('/chart');

/**
 * The relationship ids of a part's diagrams (`r:dm`) and charts (`<c:chart r:id>`), in document order. A scan, not
 * one pattern: a lazy `<c:chart[^>]*?r:id` rescans to the end of the part from every `<c:chart` that has no `>`,
 * quadratic on a hostile part.
 */
export function graphicRefs(xml: string): string[] {
  const out: string[] = [];
  const at = /<c:chart\b|\br:dm\s*=\s*"([^"]*)"/g;
  for (let m = at.exec(xml); m; m = at.exec(xml)) {
    if (m[1] !== undefined) {
      if (m[1]) out.push(m[1]);
      continue;
    }
    const end = xml.indexOf('>', at.lastIndex);
    if (end < 0) break;
    const id = /\br:id\s*=\s*"([^"]*)"/.exec(xml.slice(at.lastIndex, end))?.[1];
    if (id) out.push(id);
    at.lastIndex = end + 1;
  }
  return out;
}

/**
 * What is extra to a file's own text (its charts and diagrams, a deck's masters): a part that cannot be read
 * (damaged, over a limit) is a warning, never the loss of the slide or document that shows it.
 */
export async function orWarning<T>(warnings: string[], signal: AbortSignal | undefined, what: string, none: T, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (signal?.aborted) throw e;
    warnings.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    return none;
  }
}

/** Each text point's paragraphs, in the diagram's model order. */
function diagramLines(doc: XNode[]): string[] {
  const lines: string[] = [];
  walk(doc, (n, tag) => {
    if (tag !== 'dgm:pt') return true;
    if (!NO_TEXT_POINTS.has(attrsOf(n).type ?? '')) lines.push(...paragraphs(childrenOf(n)));
    return false;
  });
  return lines;
}

/** The chart's titles (its own and its axes'), its series' names, and its category labels on one line. */
function chartLines(doc: XNode[]): string[] {
  const titles: string[] = [];
  const series: string[] = [];
  let categories: string[] = [];
  walk(doc, (n, tag) => {
    if (tag === 'c:title') {
      titles.push(...paragraphs(childrenOf(n)));
      return false;
    }
    if (tag !== 'c:ser') return true;
    for (const c of childrenOf(n)) {
      if (c['c:tx'] !== undefined) series.push(cachedValues(childrenOf(c)).join(' '));
      else if (c['c:cat'] !== undefined && !categories.length) categories = cachedValues(childrenOf(c), 'c:strCache', 'c:multiLvlStrCache');
    }
    return false;
  });
  const lines = [...titles, ...series.filter(Boolean)];
  if (categories.length && categories.length <= MAX_CATEGORIES) lines.push(categories.join(', '));
  return lines;
}

/** The values `<c:v>` under the caches named (any, by default): a series' name, a category axis's labels. */
function cachedValues(nodes: XNode[], ...caches: string[]): string[] {
  const out: string[] = [];
  walk(nodes, (n, tag) => {
    // Numbers (c:numCache) are data, not labels.
    if (tag === 'c:numCache' || (caches.length && tag?.endsWith('Cache') && !caches.includes(tag))) return false;
    if (tag === 'c:v') {
      const v = childrenOf(n).map((t) => textOf(t) ?? '').join('').trim();
      if (v) out.push(v);
      return false;
    }
    return true;
  });
  return out;
}

/** The text of each `a:p` paragraph under the nodes (runs, fields and line breaks). */
function paragraphs(nodes: XNode[]): string[] {
  const out: string[] = [];
  walk(nodes, (p, tag) => {
    if (tag !== 'a:p') return true;
    let s = '';
    walk(childrenOf(p), (r, rt) => {
      if (rt === 'a:br') s += '\n';
      const t = textOf(r);
      if (t !== undefined) s += t;
      return true;
    });
    if (s.trim()) out.push(s.trim());
    return false;
  });
  return out;
}

/**
 * What each worksheet's drawing holds, by sheet name: its text boxes and shapes' text, then its diagrams and charts.
 * SheetJS reads cells only; a dashboard's headline in a text box, a chart's title, read as nothing.
 */
export async function sheetDrawingLines(z: ZipArchive, maxChars: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const book = 'xl/workbook.xml';
  if (!z.has(book)) return out;
  const targets = new Map((await readRels(z, book)).map((r) => [r.id, r.target]));
  const sheets: [string, string][] = [];
  walk(parseOrdered(await z.readText(book, MAX_PART_BYTES)), (n, tag) => {
    if (tag !== 'sheet') return true;
    const a = attrsOf(n);
    const part = targets.get(a['r:id'] ?? '');
    if (a.name && part) sheets.push([a.name, part]);
    return false;
  });
  let chars = 0;
  for (const [name, sheet] of sheets) {
    const lines: string[] = [];
    for (const rel of await readRels(z, sheet)) {
      if (!rel.type.endsWith('/drawing') || !z.has(rel.target) || chars >= maxChars) continue;
      const shapes: string[] = [];
      walk(parseOrdered(await z.readText(rel.target, MAX_PART_BYTES)), (n, tag) => {
        if (tag !== 'xdr:txBody') return true;
        shapes.push(...paragraphs(childrenOf(n)));
        return false;
      });
      lines.push(...shapes, ...(await graphicLines(z, rel.target, maxChars - chars)));
      chars += lines.reduce((s, l) => s + l.length, 0);
    }
    if (lines.length) out.set(name, lines);
  }
  return out;
}
