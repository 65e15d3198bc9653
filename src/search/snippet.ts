// Snippets: the window of a chunk with the densest query-term matches, plus highlight ranges in it.

export interface Snippet {
  snippet: string;
  /** [start, end) character offsets into `snippet`. */
  highlights: [number, number][];
}

// FTS5 matches through the porter stemmer, so "running" finds "runs"; a cheap suffix strip gives the
// snippet the same forgiveness without shipping a stemmer (it only decides what gets bolded).
function stem(word: string): string {
  let w = word;
  for (const suffix of ['ational', 'ization', 'ness', 'ment', 'ing', 'ies', 'ied', 'ed', 'es', 'ly', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      // "running" -> "runn" -> "run", as porter undoubles after -ing/-ed.
      if ((suffix === 'ing' || suffix === 'ed') && /([^aeiouslz])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  return w;
}

interface Match {
  start: number;
  end: number;
  term: string;
}

function findMatches(text: string, terms: string[]): Match[] {
  const want = new Map(terms.map((t) => [stem(t), t]));
  const out: Match[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    // NFKC only when needed: it is the slow part and ASCII text (most of it) is already normal.
    const word = /^[\x00-\x7f]*$/.test(m[0]) ? m[0] : m[0].normalize('NFKC');
    const term = want.get(stem(word.toLowerCase()));
    if (term !== undefined) out.push({ start: m.index, end: m.index + m[0].length, term });
  }
  return out;
}

/** Best window start: most distinct terms, then most matches, among windows starting at a match. */
function densestStart(matches: Match[], width: number): number {
  let bestStart = matches[0]?.start ?? 0;
  let bestKey = -1;
  for (let i = 0; i < matches.length; i++) {
    const from = matches[i]!.start;
    const inside = matches.slice(i).filter((m) => m.end <= from + width);
    const key = new Set(inside.map((m) => m.term)).size * 1000 + inside.length;
    if (key > bestKey) {
      bestKey = key;
      bestStart = from;
    }
  }
  return bestStart;
}

export function makeSnippet(text: string, terms: string[], width = 240): Snippet {
  const flat = text.replace(/\s+/g, ' ').trim();
  const matches = findMatches(flat, terms);
  if (flat.length <= width) {
    return { snippet: flat, highlights: matches.map((m) => [m.start, m.end]) };
  }
  // Centre the densest run: start a little before its first match so the reader gets context.
  const dense = densestStart(matches, width);
  const inside = matches.filter((m) => m.start >= dense && m.end <= dense + width);
  const span = inside.length ? inside[inside.length - 1]!.end - dense : 0;
  let start = Math.max(0, Math.min(dense - Math.floor((width - span) / 2), flat.length - width));
  let end = Math.min(flat.length, start + width);
  // Snap to word boundaries so no word is cut in half.
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    if (space !== -1 && space < (inside[0]?.start ?? end)) start = space + 1;
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > start && space >= (inside[inside.length - 1]?.end ?? start)) end = space;
  }
  const prefix = start > 0 ? '…' : '';
  const suffix = end < flat.length ? '…' : '';
  const highlights = matches
    .filter((m) => m.start >= start && m.end <= end)
    .map((m): [number, number] => [m.start - start + prefix.length, m.end - start + prefix.length]);
  return { snippet: prefix + flat.slice(start, end) + suffix, highlights };
}
