// Words a page broke across two lines with a hyphen ("pro-\nvides"), joined again. Search tokenises on the hyphen, so
// "provides" was not found where a justified paper, a book or a scanned letter had broken it; the embedding saw two
// fragments. Only text laid out in lines has such breaks: PDF text layers and OCR.
import type { Section } from './types.js';

// A line ending in letters and a hyphen (ASCII, U+2010, or a soft hyphen), the next starting with a lower-case letter.
// What follows the second half up to the next space (", ).") goes with it. It starts at a word's start: from inside a
// long run of letters the engine would rescan the run at every letter.
const BREAK = /(?<![\p{L}\p{M}])([\p{L}\p{M}]+)([-\u2010\u00AD])[ \t\u00A0]*\r?\n[ \t\u00A0]*(\p{Ll}[\p{L}\p{M}]*)(\S*)[ \t\u00A0]*/gu;
const HAS_BREAK = new RegExp(BREAK.source, 'u');
// "://", "www.", "@", a backslash, or a domain followed by a path ("example.org/data-").
const ADDRESS = /:\/\/|www\.|@|\\|\.[\p{L}]{2,}\//u;
// Common English suffixes: a second half that is one is a syllable break ("act-ing", "na-tion"), whatever else the
// document calls a word.
const SUFFIXES = new Set(['ing', 'ings', 'ion', 'ions', 'tion', 'tions', 'ity', 'ies', 'ied', 'ers', 'est', 'ous', 'ive', 'ful', 'ism', 'ist', 'ists', 'ment', 'ments', 'ness', 'less', 'able', 'ible', 'ble', 'bly', 'ally', 'ial', 'ize', 'ise', 'ized', 'ised', 'ure', 'ures', 'age', 'ance', 'ence', 'ant', 'ent', 'ents', 'ate', 'ated', 'ates', 'ical', 'ed', 'er', 'es', 'ly']);

// First halves English hyphenates whatever follows ("self-supervised", "well-known"); a suffix after them ("well-ness")
// is still a syllable break.
const HYPHENATED_PREFIXES = new Set(['self', 'well']);

/** Where the whitespace-delimited token holding `at` starts. */
function tokenStart(text: string, at: number): number {
  return Math.max(text.lastIndexOf(' ', at - 1), text.lastIndexOf('\n', at - 1), text.lastIndexOf('\t', at - 1)) + 1;
}
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
// Overlapping "a-b" pairs within a line ("state-of-the-art" holds "state-of", "of-the", "the-art").
const COMPOUND = /(?<![\p{L}\p{M}])(?=([\p{L}\p{M}]+[-\u2010][\p{L}\p{M}]+))/gu;
// A word broken over three lines or more ("in-" / "compre-" / "hensible") needs a pass per break after the first: the
// second half of one break carries the next, which a single pass has already passed.
const MAX_PASSES = 8;

interface Vocabulary {
  words: Map<string, number>;
  compounds: Map<string, number>;
}

export interface JoinOptions {
  /**
   * The text's soft hyphens were drawn (a PDF whose font maps its hyphen glyph to U+00AD): they are hyphens, weighed
   * like any other, not invisible break hints to drop.
   */
  softHyphensDrawn?: boolean;
}

/**
 * The sections with broken words joined. Whether the hyphen stays is decided from the document's own words, since a
 * line can also end at a compound's hyphen ("climate-\nrelated"):
 * - the joined word appears elsewhere ("provides"): joined;
 * - the hyphenated word appears elsewhere ("climate-related"): kept with its hyphen;
 * - otherwise a hyphen after one letter ("X-ray", "e-mail") or after capitals ("COVID-related"), after "self" or "well",
 *   or between two words the document uses on their own ("high-speed"; not a suffix: "act-ing"), stays, as does a
 *   compound's last hyphen ("state-of-the-" / "art") and one in a web address; anything else is a syllable break
 *   ("func-tions") and is joined.
 * A soft hyphen is always a syllable break. The second half moves up to the first line, so lines stay lines; across a
 * page break it moves up to the page before.
 */
export function joinBrokenWords(sections: Section[], o: JoinOptions = {}): Section[] {
  const drawn = carryAcrossPages(o.softHyphensDrawn ? sections.map((s) => (s.text.includes('\u00AD') ? { ...s, text: s.text.replace(/\u00AD/g, '-') } : s)) : sections);
  if (!drawn.some((s) => HAS_BREAK.test(s.text))) return drawn;
  const vocab = vocabulary(drawn.map((s) => s.text));
  return drawn.map((s) => ({ ...s, text: joinIn(s.text, vocab) }));
}

// A page ending in a broken word ("… pro-"), and the next page's first word, up to its first space ("vides,").
const PAGE_END_BREAK = /(?<![\p{L}\p{M}])[\p{L}\p{M}]+[-\u2010\u00AD]$/u;
const PAGE_START_WORD = /^[ \t\u00A0]*(\p{Ll}\S*)[ \t\u00A0]*(?:\r?\n)?/u;
// Enough of a page's end to hold its last word.
const PAGE_END_CHARS = 200;
// A running head that changes from page to page may come first: up to this many short lines, each holding a number (the
// page's) or no lower-case letter ("CHAPTER 8. THE DOCUMENT INTERFACE 31", "32 Chapter 8"). A line of text ("Saxon
// kings were") is not passed over: the break then stays, rather than taking a word from the line below it.
const MAX_HEAD_LINES = 2;
const MAX_HEAD_CHARS = 80;

function isRunningHead(line: string): boolean {
  const t = line.trim();
  return t.length <= MAX_HEAD_CHARS && !/^\p{Ll}/u.test(t) && (/\p{N}/u.test(t) || !/\p{Ll}/u.test(t));
}

/**
 * A word broken across a page break: the next page's first word moves up to a line of its own under the broken one,
 * where it is joined (or not) like any other break. Only between pages that follow each other; a running head above
 * the word stays where it is.
 */
function carryAcrossPages(sections: Section[]): Section[] {
  const out = sections.slice();
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i]!;
    const b = out[i + 1]!;
    if (a.loc.page === undefined || b.loc.page !== a.loc.page + 1) continue;
    const end = a.text.trimEnd();
    if (!PAGE_END_BREAK.test(end.slice(-PAGE_END_CHARS))) continue;
    let head = 0;
    for (let lines = 0; ; ) {
      if (PAGE_START_WORD.test(b.text.slice(head))) break;
      const nl = b.text.indexOf('\n', head);
      const line = b.text.slice(head, nl < 0 ? undefined : nl);
      if (nl < 0 || (line.trim() && (++lines > MAX_HEAD_LINES || !isRunningHead(line)))) {
        head = -1;
        break;
      }
      head = nl + 1;
    }
    if (head < 0) continue;
    const m = PAGE_START_WORD.exec(b.text.slice(head))!;
    out[i] = { ...a, text: `${end}\n${m[1]}` };
    out[i + 1] = { ...b, text: b.text.slice(0, head) + b.text.slice(head + m[0].length) };
  }
  return out;
}

function joinIn(text: string, v: Vocabulary): string {
  let out = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = out;
    out = before.replace(BREAK, (whole: string, part: string, hyphen: string, rest: string, tail: string, at: number) => {
      // In a web address, a path or a mail address the hyphen is the address's own, and stays.
      const address = ADDRESS.test(before.slice(tokenStart(before, at), at) + part + rest + tail);
      // "state-of-the-" / "art", "end-to-" / "end": a compound's last hyphen (see isCompoundEnd).
      const compound = hyphen !== '\u00AD' && /[-\u2010]/.test(before[at - 1] ?? '') && isCompoundEnd(part, rest, v);
      const word = !address && !compound && isSyllableBreak(part, hyphen, rest, v) ? part + rest : `${part}${hyphen === '\u00AD' ? '-' : hyphen}${rest}`;
      // The line break now follows the word, unless the word was all its line held.
      const next = before[at + whole.length];
      return next === undefined || next === '\n' || next === '\r' ? word + tail : `${word}${tail}\n`;
    });
    if (out === before) break;
  }
  return out;
}

// Short words that join the parts of an English compound ("state-of-the-art", "end-to-end", "up-to-date").
const JOINING_WORDS = new Set(['a', 'an', 'and', 'at', 'by', 'for', 'in', 'of', 'off', 'on', 'or', 'out', 'over', 'per', 'the', 'to', 'up', 'via']);

/**
 * Whether a break after a hyphenated word's own hyphen is the compound's last hyphen ("state-of-the-" / "art"), not
 * a syllable break inside its last word ("non-com-" / "mercial", "self-con-" / "tained"): the last part is a joining
 * word or one the document uses, what follows is no suffix, and the document does not use the joined word.
 */
function isCompoundEnd(part: string, rest: string, v: Vocabulary): boolean {
  const p = part.toLowerCase();
  const r = rest.toLowerCase();
  return !SUFFIXES.has(r) && !v.words.has(p + r) && (JOINING_WORDS.has(p) || v.words.has(p));
}

function isSyllableBreak(part: string, hyphen: string, rest: string, v: Vocabulary): boolean {
  if (hyphen === '\u00AD') return true;
  const p = part.toLowerCase();
  const r = rest.toLowerCase();
  if (v.words.has(p + r)) return true;
  if (v.compounds.has(`${p}-${r}`)) return false;
  if ([...part].length < 2 || part === part.toUpperCase()) return false;
  if (SUFFIXES.has(r)) return true;
  if (HYPHENATED_PREFIXES.has(p)) return false;
  return !(p.length >= 3 && r.length >= 3 && v.words.has(p) && v.words.has(r));
}

/** Words and compounds the document uses outside its line-end breaks. */
function vocabulary(texts: string[]): Vocabulary {
  const words = new Map<string, number>();
  const compounds = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number) => {
    const c = (m.get(k) ?? 0) + n;
    if (c > 0) m.set(k, c);
    else m.delete(k);
  };
  for (const t of texts) {
    const lower = t.toLowerCase();
    for (const [w] of lower.matchAll(WORD)) add(words, w, 1);
    for (const m of lower.matchAll(COMPOUND)) add(compounds, m[1]!.replace('\u2010', '-'), 1);
    // The halves of a break are not uses of their own (matched in the text as written: "SPEED-\nLIMIT" is no break).
    for (const m of t.matchAll(BREAK)) {
      add(words, m[1]!.toLowerCase(), -1);
      add(words, m[3]!.toLowerCase(), -1);
    }
  }
  return { words, compounds };
}
