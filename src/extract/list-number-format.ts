// List numbers as word processors draw them: Roman, letters, ordinals, numbers in words. Shared by Word's numbering
// (docx-numbering.ts) and OpenDocument's (odf-lists.ts).

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORDINAL_WORDS: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

/** A number as Word draws it in a list format; formats of other scripts fall back to Arabic digits. */
export function formatNumber(n: number, format: string): string {
  switch (format) {
    // A bullet level has no number to show in another level's label: "%1.%2.%3.%4.%5.%6.%7" over bullets at 5 and 6
    // reads "1.1.1.1...1", as LibreOffice shows it.
    case 'none':
    case 'bullet':
      return '';
    case 'decimalZero':
      return n >= 0 && n < 10 ? `0${n}` : String(n);
    case 'upperRoman':
      return roman(n);
    case 'lowerRoman':
      return roman(n).toLowerCase();
    case 'upperLetter':
      return letters(n);
    case 'lowerLetter':
      return letters(n).toLowerCase();
    case 'ordinal':
      return `${n}${ordinalSuffix(n)}`;
    case 'cardinalText':
      return capitalise(cardinal(n));
    case 'ordinalText':
      return capitalise(ordinalWords(n));
    default:
      return String(n);
  }
}

export function roman(n: number): string {
  if (n <= 0 || n >= 4000) return String(n);
  const parts: [number, string][] = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let out = '';
  for (const [v, s] of parts) for (; n >= v; n -= v) out += s;
  return out;
}

/** Word's letter numbering: A–Z, then AA–ZZ, AAA… (the letter repeated, not base 26). */
export function letters(n: number): string {
  if (n <= 0) return String(n);
  const letter = String.fromCharCode(65 + ((n - 1) % 26));
  return letter.repeat(Math.min(Math.floor((n - 1) / 26) + 1, 10));
}

function ordinalSuffix(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

function cardinal(n: number): string {
  if (n < 0 || n >= 1000) return String(n);
  if (n < 20) return ONES[n]!;
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 ? `-${ONES[n % 10]}` : '');
  return `${ONES[Math.floor(n / 100)]} hundred` + (n % 100 ? ` ${cardinal(n % 100)}` : '');
}

function ordinalWords(n: number): string {
  const words = cardinal(n);
  if (!/[a-z]$/.test(words)) return `${n}${ordinalSuffix(n)}`;
  const m = /([a-z]+)$/.exec(words)!;
  const last = m[1]!;
  const ord = ORDINAL_WORDS[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return words.slice(0, m.index) + ord;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
