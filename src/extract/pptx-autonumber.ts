// PowerPoint's numbered paragraphs (a:buAutoNum): like Word's, the "1.", "2)" and "(a)" are drawn, not written, so a
// slide of steps read "Open the valve" where the slide shows "3. Open the valve".
import { formatNumber } from './list-number-format.js';
import { attrsOf, childrenOf, tagOf, walk, type XNode } from './xml.js';

/** Where a paragraph's label is kept on its node for the walk that reads it (pptx.ts). */
export const AUTONUMBER_LABEL = 'docproc:autonumber';

const MAX_LEVELS = 9;
// The number's format (the scheme's start) and how it is set off (its end), e.g. "alphaLcParenR": "a)".
const FORMATS: [string, string][] = [['arabic', 'decimal'], ['alphaLc', 'lowerLetter'], ['alphaUc', 'upperLetter'], ['romanLc', 'lowerRoman'], ['romanUc', 'upperRoman']];

/**
 * Labels the numbered paragraphs of every text body under `nodes`: each paragraph at a level counts on from the one
 * before it at that level, as long as both are numbered in the same scheme; an unnumbered paragraph at the level, or
 * one at a level above, starts it again; an empty one is passed over. Numbering a slide inherits from its layout or master is not read.
 */
export function labelAutoNumbers(nodes: XNode[]): void {
  walk(nodes, (n, tag) => {
    if (tag !== 'p:txBody' && tag !== 'a:txBody') return true;
    const counts: ({ scheme: string; n: number } | undefined)[] = [];
    for (const p of childrenOf(n)) {
      if (tagOf(p) !== 'a:p') continue;
      const pPr = childrenOf(p).find((c) => tagOf(c) === 'a:pPr');
      const level = Math.min(Math.max(Number(attrsOf(pPr ?? {})['lvl'] ?? 0) || 0, 0), MAX_LEVELS - 1);
      counts.length = level + 1;
      const auto = pPr && childrenOf(pPr).find((c) => tagOf(c) === 'a:buAutoNum');
      if (!auto) {
        counts[level] = undefined;
        continue;
      }
      // An empty numbered line shows no number and does not break the count.
      if (!hasText(p)) continue;
      const a = attrsOf(auto);
      const scheme = a['type'] ?? 'arabicPeriod';
      const prev = counts[level];
      const number = prev && prev.scheme === scheme ? prev.n + 1 : Math.max(1, Number(a['startAt'] ?? 1) || 1);
      counts[level] = { scheme, n: number };
      p[':@'] = { ...attrsOf(p), [AUTONUMBER_LABEL]: `${autoNumber(number, scheme)} ` };
    }
    return true;
  });
}

/** A number in a DrawingML auto-number scheme: "arabicPeriod" 3 → "3.", "alphaLcParenBoth" 2 → "(b)". */
export function autoNumber(n: number, scheme: string): string {
  const format = FORMATS.find(([prefix]) => scheme.startsWith(prefix))?.[1] ?? 'decimal';
  const s = formatNumber(n, format);
  if (scheme.endsWith('ParenBoth')) return `(${s})`;
  if (scheme.endsWith('ParenR')) return `${s})`;
  if (scheme.endsWith('Plain')) return s;
  if (scheme.endsWith('Minus')) return `- ${s} -`;
  return `${s}.`;
}

function hasText(p: XNode): boolean {
  let found = false;
  walk(childrenOf(p), (n, tag) => {
    // A field (a slide number, a date) is not the paragraph's own text: a master's line of fields alone is left out.
    if (tag === 'a:fld') return false;
    if (tag === 'a:t' && childrenOf(n).some((c) => typeof c['#text'] === 'string' && (c['#text'] as string).trim())) found = true;
    return !found;
  });
  return found;
}
