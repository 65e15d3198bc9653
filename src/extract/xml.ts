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

/** DOCTYPE blocks are removed before parsing so no internal subset can define entities. */
export function stripDoctype(xml: string): string {
  return xml.replace(/<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>/gi, '');
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
