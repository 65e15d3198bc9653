// Safe XML parsing: no DTD, no entity expansion (billion-laughs / XXE stay inert).
import { XMLParser } from 'fast-xml-parser';

export type XNode = Record<string, unknown>;

/** Ordered parse (`preserveOrder`): each node is `{ tag: children[], ':@': attrs }` or `{ '#text': string }`. */
export function parseOrdered(xml: string): XNode[] {
  const p = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    htmlEntities: false,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  return p.parse(stripDoctype(xml)) as XNode[];
}

/**
 * DOCTYPE blocks are removed before parsing so no internal subset can define entities.
 * A scanner rather than a regex: the regex backtracked over every unclosed `<!DOCTYPE` (and over whitespace inside
 * one), which made hostile parts quadratic. Here the search for the next DOCTYPE resumes where the previous ended,
 * and each character is visited once.
 */
export function stripDoctype(xml: string): string {
  const open = /<!DOCTYPE/gi;
  const kept: string[] = [];
  let from = 0;
  for (let m = open.exec(xml); m; m = open.exec(xml)) {
    kept.push(xml.slice(from, m.index));
    from = doctypeEnd(xml, m.index + m[0].length);
    open.lastIndex = from;
  }
  if (!kept.length) return xml;
  kept.push(xml.slice(from));
  return kept.join('');
}

/**
 * Index just past the `>` that closes a DOCTYPE whose body starts at `i`. Quoted literals, comments and PIs are
 * skipped whole, so a `]` or `>` inside them does not end it. Unclosed: the rest of the text belongs to it.
 */
function doctypeEnd(s: string, i: number): number {
  let inSubset = false;
  while (i < s.length) {
    const c = s[i];
    if (c === '"' || c === "'") i = skipPast(s, c, i + 1);
    else if (inSubset && s.startsWith('<!--', i)) i = skipPast(s, '-->', i + 4);
    else if (inSubset && s.startsWith('<?', i)) i = skipPast(s, '?>', i + 2);
    else {
      if (inSubset) inSubset = c !== ']';
      else if (c === '[') inSubset = true;
      else if (c === '>') return i + 1;
      i++;
    }
  }
  return s.length;
}

function skipPast(s: string, token: string, from: number): number {
  const j = s.indexOf(token, from);
  return j < 0 ? s.length : j + token.length;
}

// processEntities is off, so decode only the five predefined entities and numeric references ourselves.
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (m, g: string) => {
    switch (g) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
    }
    const cp = g[1] === 'x' ? parseInt(g.slice(2), 16) : parseInt(g.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

export function tagOf(n: XNode): string | undefined {
  for (const k of Object.keys(n)) if (k !== ':@') return k;
  return undefined;
}

export function childrenOf(n: XNode): XNode[] {
  const t = tagOf(n);
  const c = t ? n[t] : undefined;
  return Array.isArray(c) ? (c as XNode[]) : [];
}

export function attrsOf(n: XNode): Record<string, string> {
  return (n[':@'] as Record<string, string> | undefined) ?? {};
}

export function textOf(n: XNode): string | undefined {
  const t = n['#text'];
  return t === undefined ? undefined : decodeXmlEntities(String(t));
}

/** Depth-first visit; `visit` returning false skips the node's children. */
export function walk(nodes: XNode[], visit: (n: XNode, tag: string | undefined) => boolean | void): void {
  for (const n of nodes) {
    const tag = tagOf(n);
    if (visit(n, tag) === false) continue;
    if (tag && tag !== '#text') walk(childrenOf(n), visit);
  }
}

/** All descendant text, concatenated. */
export function allText(nodes: XNode[]): string {
  let out = '';
  walk(nodes, (n) => {
    const t = textOf(n);
    if (t !== undefined) out += t;
  });
  return out;
}

export function findFirst(nodes: XNode[], name: string): XNode | undefined {
  let found: XNode | undefined;
  walk(nodes, (n, tag) => {
    if (found) return false;
    if (tag === name) {
      found = n;
      return false;
    }
    return true;
  });
  return found;
}
