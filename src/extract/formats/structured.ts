// JSON (key: value lines, JSON Lines tolerated) and generic XML (text values, no DTD/entities).
import { register } from '../registry.js';
import { readTextStream, paragraphSections } from './text.js';
import { allText, parseOrdered, walk, textOf, type XNode } from '../xml.js';
import type { ExtractContext } from '../types.js';

/** Flattens JSON into `a.b: value` lines; array indices are dropped (they carry no meaning for search). */
export function jsonLines(v: unknown, keys: string[] = [], out: string[] = []): string[] {
  if (v === null || v === undefined) return out;
  if (Array.isArray(v)) {
    for (const x of v) jsonLines(x, keys, out);
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) jsonLines(x, [...keys, k], out);
  } else {
    const ctx = keys.slice(-2).join('.');
    const s = String(v);
    if (s.trim()) out.push(ctx ? `${ctx}: ${s}` : s);
  }
  return out;
}

async function extractJson(ctx: ExtractContext) {
  const text = await readTextStream(ctx);
  let lines: string[];
  try {
    lines = jsonLines(JSON.parse(text));
  } catch {
    // JSON Lines, or a document truncated by maxChars: parse line by line, keep what parses.
    lines = [];
    let bad = 0;
    for (const l of text.split('\n')) {
      if (!l.trim()) continue;
      try {
        jsonLines(JSON.parse(l), [], lines);
      } catch {
        bad++;
        lines.push(l);
      }
    }
    if (bad) ctx.warnings.push('json: not valid JSON; unparsed text kept as is');
  }
  return { sections: paragraphSections(groupLines(lines)) };
}

// Blank line every 20 lines so paragraph sections stay reasonably sized.
function groupLines(lines: string[]): string {
  return lines.map((l, i) => (i > 0 && i % 20 === 0 ? '\n' + l : l)).join('\n');
}

async function extractXml(ctx: ExtractContext) {
  const text = await readTextStream(ctx);
  let nodes: XNode[];
  try {
    nodes = parseOrdered(text);
  } catch (e) {
    ctx.warnings.push(`xml: ${e instanceof Error ? e.message : String(e)}; kept as text`);
    return { sections: paragraphSections(stripTags(text)) };
  }
  const lines: string[] = [];
  walk(nodes, (n, tag) => {
    if (tag === 'script' || tag === 'style') return false;
    const t = textOf(n);
    if (t?.trim()) lines.push(t.trim());
    return true;
  });
  void allText;
  return { sections: paragraphSections(groupLines(lines)) };
}

register(['json'], { version: '2', extract: extractJson });
// Version 3: flat OpenDocument files, once read as generic XML, are detected as what they are on the next run.
register(['xml'], { version: '3', extract: extractXml });

/**
 * What `text.replace(/<[^>]+>/g, ' ')` does, in one pass: that regex backtracks to the end of the text from
 * every '<' that has no '>' after it, quadratic on hostile input (80 KB of '<' took 2.4 s).
 */
export function stripTags(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0) break; // no '>' anywhere after: nothing further can be a tag
    if (gt === lt + 1) {
      out += text.slice(i, gt); // "<>" is not a tag: keep the '<' and go on from the '>'
      i = gt;
      continue;
    }
    out += text.slice(i, lt) + ' ';
    i = gt + 1;
  }
  return out + text.slice(i);
}
