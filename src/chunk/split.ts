// Breaks text into pieces at paragraph, then sentence, then word boundaries, each small enough for a chunk.

export interface Piece {
  text: string;
  /** Separator placed before this piece when pieces are joined. */
  sep: string;
  tokens: number;
}

/** Content tokens of a text, without the model's special tokens. */
export type CountContent = (text: string) => number;

// A sentence ends at . ! ? (or CJK full stops) followed by space, or at a line break.
const SENTENCE_END = /(?<=[.!?。！？])\s+|\n/;

export function splitIntoPieces(text: string, budget: number, count: CountContent): Piece[] {
  const pieces: Piece[] = [];
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  for (const para of paragraphs) {
    let first = true;
    for (const sentence of para.split(SENTENCE_END).map((s) => s.trim()).filter(Boolean)) {
      const sep = first ? '\n\n' : sentence.length && para.includes('\n' + sentence) ? '\n' : ' ';
      first = false;
      pushBounded(pieces, sentence, sep, budget, count);
    }
  }
  return pieces;
}

function pushBounded(out: Piece[], text: string, sep: string, budget: number, count: CountContent): void {
  const tokens = count(text);
  if (tokens <= budget) {
    out.push({ text, sep, tokens });
    return;
  }
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length > 1) {
    let i = 0;
    for (const group of groupWords(words, budget, count)) out.push({ text: group.text, sep: i++ === 0 ? sep : ' ', tokens: group.tokens });
    return;
  }
  // One "word" longer than a chunk (base64, a URL, CJK without spaces): cut by characters.
  let i = 0;
  for (const part of cutByChars(text, budget, count)) out.push({ text: part, sep: i++ === 0 ? sep : '', tokens: count(part) });
}

function groupWords(words: string[], budget: number, count: CountContent): { text: string; tokens: number }[] {
  const groups: { text: string; tokens: number }[] = [];
  let current: string[] = [];
  let currentTokens = 0;
  for (const word of words) {
    const t = count(word);
    if (t > budget) {
      if (current.length) groups.push({ text: current.join(' '), tokens: currentTokens });
      current = [];
      currentTokens = 0;
      for (const part of cutByChars(word, budget, count)) groups.push({ text: part, tokens: count(part) });
      continue;
    }
    if (currentTokens + t > budget && current.length) {
      groups.push({ text: current.join(' '), tokens: currentTokens });
      current = [];
      currentTokens = 0;
    }
    current.push(word);
    currentTokens += t;
  }
  if (current.length) groups.push({ text: current.join(' '), tokens: count(current.join(' ')) });
  return groups;
}

function cutByChars(text: string, budget: number, count: CountContent): string[] {
  const chars = Array.from(text);
  const parts: string[] = [];
  const fits = (start: number, len: number): boolean => count(chars.slice(start, start + len).join('')) <= budget;
  let start = 0;
  while (start < chars.length) {
    const left = chars.length - start;
    // Gallop from a small prefix, then binary search: the cost stays proportional to the piece, not to the
    // rest of the text (searching over the whole remainder made a 400 KB base64 line take hours).
    let lo = 1;
    let hi = Math.min(left, Math.max(8, budget));
    while (hi < left && fits(start, hi)) {
      lo = hi;
      hi = Math.min(left, hi * 2);
    }
    if (fits(start, hi)) lo = hi;
    else {
      while (lo < hi - 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (fits(start, mid)) lo = mid;
        else hi = mid;
      }
    }
    parts.push(chars.slice(start, start + lo).join(''));
    start += lo;
  }
  return parts;
}
