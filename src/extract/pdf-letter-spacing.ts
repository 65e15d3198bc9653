// Letter-spaced text in a PDF's text layer: "S i n g a p o r e". Some OCR layers and designed headings set every
// glyph apart with character spacing, and pdf.js puts a space in every such gap, which splits each word into letters
// that search cannot find.

// Characters closer than this on average (in ems of the font size, spaces included in the run's width) are one word
// spaced out: an OCR layer's spaced letters measured 0.53-0.60 em, Helvetica tracked a quarter em 0.73; single digits
// or capitals with real spaces between them take more ("1 2 3 4 5 6 7" 0.79, "A B C" 0.85). Lower-case single
// letters with real spaces ("a b c", 0.72) cannot be told from tracked type by width, and are joined.
const MAX_EM_PER_CHAR = 0.75;
// Three or more single characters in a row, one space between each.
const SPACED_RUN = /(?<!\S)\S(?: \S){2,}(?!\S)/gu;
const HAS_SPACED_RUN = /(?<!\S)\S(?: \S){2,}(?!\S)/u;
const WORD_CHAR = /^[\p{L}\p{M}\p{N}.,;:'’()&/-]$/u;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const LETTER = /^\p{L}$/u;
// A spaced stretch inside a run of ordinary words ("de N a v e g a c i o n") is joined only when it is this many
// letters at least: "the x y z axes", "steps 1 2 3" and "a 5 x 5 grid" stay as they are.
const MIN_LETTERS_INSIDE = 4;

/**
 * A run's letter-spaced stretches joined, when its characters sit as close as a word's (under MAX_EM_PER_CHAR apiece)
 * and the stretch is the whole run or a word's worth of letters inside it. The spacing hides the word breaks; a
 * lower-case letter before a capital or a digit, and a comma or semicolon before a letter, mark them again:
 * "M e t r o p o l i s T o w e r" reads "Metropolis Tower", "C o . , L t d ." reads "Co., Ltd.", "de N a v e g a c i o n"
 * reads "de Navegacion".
 */
export function joinLetterSpaced(str: string, width: number, height: number): string {
  // Every text run on every page comes here: most have no spaced stretch, and are let through on one test.
  if (!HAS_SPACED_RUN.test(str) || width > MAX_EM_PER_CHAR * height * str.replace(/\s/g, '').length) return str;
  const whole = str.trim();
  return str.replace(SPACED_RUN, (run) => {
    const chars = run.split(' ');
    // Words' letters and digits with their own punctuation; dot leaders (". . .") and formulas ("n + 1") stay apart.
    if (!chars.every((c) => WORD_CHAR.test(c)) || chars.filter((c) => LETTER_OR_DIGIT.test(c)).length < 3) return run;
    if (run !== whole && chars.filter((c) => LETTER.test(c)).length < MIN_LETTERS_INSIDE) return run;
    return chars
      .join('')
      .replace(/(\p{Ll})(\p{Lu}|\p{N})/gu, '$1 $2')
      .replace(/([,;])(\p{L})/gu, '$1 $2');
  });
}
