// A text layer that cannot be read: fonts whose glyphs map to no Unicode or to the wrong code points (Type 3 fonts
// without ToUnicode, subsets with a private encoding). pdf.js and poppler alike give punctuation soup
// ('!"#$ !"%&'!()$*'), one letter for every glyph ('aaaa aaaaaaa'), or letters from four scripts in one word. Such
// a page is read by OCR instead. Pure functions.

// Below this many characters a page says too little to judge.
const MIN_CHARS = 40;
// Prose is 75-85% letters, a table of figures mostly digits: under half letters and digits together, once dot
// leaders and rules are set aside, is not text. (The lowest readable page of 2,300 seen: 0.50, a line of Greek
// capitals between ideographic commas.)
const MIN_ALNUM_SHARE = 0.5;
// Any language's running text uses well over ten distinct letters in 200.
const MIN_DISTINCT_LETTERS = 10;
const DISTINCT_SAMPLE = 200;
// U+FFFD, private-use and control characters: glyphs with no meaning at all.
const MAX_MEANINGLESS_SHARE = 0.1;
// Letters from the Latin Extended-B and IPA blocks, with words mixing scripts: code points taken at random.
const MAX_RARE_LATIN_SHARE = 0.1;
const MAX_MIXED_WORD_SHARE = 0.1;

// A subset whose codes are shifted keeps its glyphs letters: "$FWH" for "Acte", "9HQXDXFLQpPD" for "Venu au cinéma"
// (a French magazine, set partly in such a font). Vowels, a third of the letters of the languages written in Latin
// script, become rare. Lines of 20 Latin letters or more with under a fifth vowels (a e i o u, accents aside): on 1,972
// pages of readable Latin text in 259 PDFs, they never held a quarter of a page's letters; on the magazine's pages set
// partly in the shifted font they held 28-53%.
const SHIFTED_LINE_VOWELS = 0.2;
const SHIFTED_LINE_MIN_LETTERS = 20;
const MAX_SHIFTED_SHARE = 0.25;
// Latin letters (not Latin-script numerals), found in one pass over a line.
const LATIN_LETTER = /(?=\p{L})\p{Script=Latin}/gu;
const VOWEL = /[aeiou]/i;
// DNA and RNA sequences (primer tables) are letters with one vowel among four, and are not counted.
const SEQUENCE = /\b[ACGTUN]{6,}\b/gi;

const SCRIPTS = ['Latin', 'Greek', 'Cyrillic', 'Hebrew', 'Arabic', 'Armenian', 'Georgian', 'Thai', 'Devanagari'].map((s) => new RegExp(`\\p{Script=${s}}`, 'u'));

/** Why a page's text layer is unreadable, or undefined when it reads as text. */
export function unreadableReason(text: string): string | undefined {
  // Dot leaders, rules and spaced-out dots ("....", "____") are layout, not characters of the text.
  const t = text.replace(/\s+/g, '').replace(/([^\p{L}\p{N}])\1{2,}/gu, '');
  if (t.length < MIN_CHARS) return undefined;
  const letters = t.match(/\p{L}/gu) ?? [];
  const digits = t.match(/\p{N}/gu)?.length ?? 0;
  if ((letters.length + digits) / t.length < MIN_ALNUM_SHARE) return 'mostly punctuation';
  if ((t.match(/[\uFFFD\uE000-\uF8FF\u0000-\u001F]/gu)?.length ?? 0) / t.length > MAX_MEANINGLESS_SHARE) return 'characters with no meaning';
  if (letters.length >= DISTINCT_SAMPLE && new Set(letters.map((c) => c.toLowerCase())).size < MIN_DISTINCT_LETTERS) return 'a handful of letters for every glyph';
  const rare = letters.filter((c) => {
    const cp = c.codePointAt(0)!;
    return (cp >= 0x180 && cp < 0x370) || (cp >= 0x1d00 && cp < 0x1e00);
  }).length;
  if (letters.length && rare / letters.length > MAX_RARE_LATIN_SHARE && mixedWordShare(text) > MAX_MIXED_WORD_SHARE) return 'letters of several scripts in one word';
  if (shiftedShare(text) >= MAX_SHIFTED_SHARE) return 'letters that spell no language';
  return undefined;
}

/** Share of the page's Latin letters that stand in lines with almost no vowels (see SHIFTED_LINE_VOWELS). */
export function shiftedShare(text: string): number {
  let all = 0;
  let shifted = 0;
  for (const line of text.split('\n')) {
    const latin = line.replace(SEQUENCE, '').match(LATIN_LETTER) ?? [];
    all += latin.length;
    if (latin.length < SHIFTED_LINE_MIN_LETTERS) continue;
    const vowels = latin.filter((c) => VOWEL.test(c.normalize('NFD')[0]!)).length;
    if (vowels < SHIFTED_LINE_VOWELS * latin.length) shifted += latin.length;
  }
  return all >= DISTINCT_SAMPLE ? shifted / all : 0;
}

/** Share of words of three letters or more whose letters come from more than one alphabet. */
function mixedWordShare(text: string): number {
  const words = text.match(/\p{L}{3,}/gu) ?? [];
  if (!words.length) return 0;
  const mixed = words.filter((w) => SCRIPTS.filter((re) => re.test(w)).length > 1).length;
  return mixed / words.length;
}
