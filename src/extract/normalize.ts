// Text normalisation shared by every extractor: NFC, no NUL/controls, no lone surrogates, tidy whitespace.

// C0 controls other than \t \n are noise in extracted text (NUL especially breaks SQLite FTS and tokenizers).
const CONTROLS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Normalise one piece of text; keeps paragraph breaks (max one blank line). */
export function cleanText(s: string): string {
  let t = fixMojibake(s).replace(/\r\n?/g, '\n').replace(/\f/g, '\n\n').replace(CONTROLS, '');
  t = t.replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
  // \u00A0 and other Unicode spaces collapse like ASCII spaces; zero-width chars are dropped, and so are soft hyphens
  // (HTML's &shy;, Word's optional hyphen): search's tokenizer split "extra\u00ADordinary" in two, so a keyword search
  // for "extraordinary" missed it.
  t = t.replace(/[\u00AD\u200B\u2060\uFEFF]/g, '').replace(/[ \t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g, ' ');
  t = t.replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n');
  return t.trim();
}

// UTF-8 bytes once mis-decoded as Latin-1 leave C1 controls (U+0080-U+009F), which real text never holds:
// re-decode just those runs ("â\u0080\u0093" -> "–").
const MOJIBAKE = /[\u00C2-\u00F4][\u0080-\u00BF]{1,3}/g;
function fixMojibake(s: string): string {
  if (!/[\u0080-\u009F]/.test(s)) return s;
  return s.replace(MOJIBAKE, (m) => {
    if (!/[\u0080-\u009F]/.test(m)) return m;
    const d = Buffer.from(m, 'latin1').toString('utf8');
    return d.includes('\uFFFD') || d.length !== 1 && d.length !== 2 ? m : d;
  });
}

/** Tracks the per-document character cap so extractors can stop early. */
export class CharBudget {
  used = 0;
  truncated = false;
  constructor(readonly max: number) {}
  get remaining(): number {
    return Math.max(0, this.max - this.used);
  }
  get exhausted(): boolean {
    return this.used >= this.max;
  }
  /** Takes as much of `text` as fits; marks truncation when it did not all fit. */
  take(text: string): string {
    const room = this.remaining;
    if (text.length <= room) {
      this.used += text.length;
      return text;
    }
    this.truncated = true;
    this.used = this.max;
    // Don't cut a surrogate pair in half.
    let end = room;
    const c = text.charCodeAt(end - 1);
    if (end > 0 && c >= 0xd800 && c <= 0xdbff) end--;
    return text.slice(0, end);
  }
}
