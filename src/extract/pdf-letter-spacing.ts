// Letter-spaced text in a PDF's text layer: "S i n g a p o r e". Some OCR layers and designed headings set every
// glyph apart with character spacing, and pdf.js puts a space in every such gap, which splits each word into letters
// that search cannot find.

// Letters closer than this on average (in ems of the font size) are one word spaced out.
const MAX_EM_PER_CHAR = 0.8;
// Three or more single characters in a row, one space between each.
const SPACED_RUN = /(?<!\S)\S(?: \S){2,}(?!\S)/gu;
const WORD_CHAR = /^[\p{L}\p{M}\p{N}.,;:'’()&/-]$/u;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/**
 * A run's letter-spaced stretches joined, when its characters sit as close as a word's: under 0.8 em apiece (single
 * letters with real spaces between them, "A B C", take 0.85 em and more, and letters strewn across a table row more
 * still; they stay apart). The spacing hides the word
 * breaks; a lower-case letter before a capital or a digit, and a comma or semicolon before a letter, mark them again:
 * "M e t r o p o l i s T o w e r" reads "Metropolis Tower", "C o . , L t d ." reads "Co., Ltd.", "de N a v e g a c i o n"
 * reads "de Navegacion".
 */
export function joinLetterSpaced(str: string, width: number, height: number): string {
  if (!str.includes(' ') || width > MAX_EM_PER_CHAR * height * str.replace(/\s/g, '').length) return str;
  return str.replace(SPACED_RUN, (run) => {
    const chars = run.split(' ');
    // Words' letters and digits with their own punctuation; dot leaders (". . .") and formulas ("n + 1") stay apart.
    if (!chars.every((c) => WORD_CHAR.test(c)) || chars.filter((c) => LETTER_OR_DIGIT.test(c)).length < 3) return run;
    return chars
      .join('')
      .replace(/(\p{Ll})(\p{Lu}|\p{N})/gu, '$1 $2')
      .replace(/([,;])(\p{L})/gu, '$1 $2');
  });
}
