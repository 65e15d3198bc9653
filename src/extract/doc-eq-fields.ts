// Word's EQ fields in a .doc's text, given the text they show. An EQ field has no result: Word draws it from its code,
// and word-extractor, which keeps only field results, drops it. Japanese phonetic guides are written this way
// (`EQ \* jc2 \* "Font:MS Mincho" \* hps11 \o\ad(\s\up 10(とうきょう),東京)`), so a .doc set with furigana read as
// nothing. Its text is the base followed by the reading in parentheses, "東京 (とうきょう)", as the DOCX reader
// writes it; any other EQ (a fraction, a bracketed list) gives its arguments' text, space-separated.

// Longer codes are not equations Word's dialog writes; they are left as word-extractor leaves them.
export const MAX_EQ_CODE = 2000;
const MAX_DEPTH = 16;

// A field with no separator (0x14) and no field nested in it whose code starts with EQ.
const EQ_FIELD = /\x13[ \t]*EQ\b([^\x13\x14\x15]*)\x15/gi;

/** The text with each EQ field given a result (0x13 0x14 text 0x15) that word-extractor's cleaning keeps. */
export function withEqResults(text: string): string {
  if (!text.includes('\x13')) return text;
  return text.replace(EQ_FIELD, (field, code: string) => {
    const shown = code.length > MAX_EQ_CODE ? undefined : eqText(code);
    return shown === undefined ? field : `\x13\x14${shown}\x15`;
  });
}

interface Switch {
  names: string[];
  args: Node[][];
}
type Node = string | Switch;

/** The text an EQ field's code shows; undefined when it cannot be parsed. */
export function eqText(code: string): string | undefined {
  // General switches (`\* jc2`, `\* "Font:MS Mincho"`, `\* hps11`) format the result; they hold no text.
  const body = code.replace(/\\\*\s*(?:"[^"]*"|\S+)/g, ' ');
  const p = new Parser(body);
  const nodes = p.sequence(0, false);
  if (p.failed || p.at < body.length) return undefined;
  return render(nodes).replace(/\s+/g, ' ').trim();
}

class Parser {
  at = 0;
  failed = false;
  constructor(private readonly s: string) {}

  /** Nodes up to the end, or (inside an argument list) up to the `,` or `)` that ends the argument. */
  sequence(depth: number, inArgs: boolean): Node[] {
    const out: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push(text);
      text = '';
    };
    while (this.at < this.s.length && !this.failed) {
      const c = this.s[this.at]!;
      if (inArgs && (c === ',' || c === ')')) break;
      if (c === '\\') {
        const next = this.s[this.at + 1] ?? '';
        if (/[A-Za-z]/.test(next)) {
          flush();
          out.push(this.switch(depth));
          continue;
        }
        // An escaped character (`\,` `\(` `\)` `\\`) is itself.
        text += next;
        this.at += 2;
        continue;
      }
      if (c === '(' || c === ')') {
        this.failed = true;
        break;
      }
      text += c;
      this.at++;
    }
    flush();
    return out;
  }

  /** `\o\ad(…)`, `\s\up 10(…)`, `\b\lc\{(…)`: the switch, its options, then its arguments when it has any. */
  private switch(depth: number): Switch {
    if (depth >= MAX_DEPTH) {
      this.failed = true;
      return { names: [], args: [] };
    }
    const names: string[] = [];
    const s = this.s;
    while (s[this.at] === '\\' && /[A-Za-z]/.test(s[this.at + 1] ?? '')) {
      const m = /^\\([A-Za-z]+)[ \t]*(?:-?\d+(?:\.\d+)?[ \t]*)?(?:\\[^A-Za-z\s])?/.exec(s.slice(this.at, this.at + 64))!;
      names.push(m[1]!.toLowerCase());
      this.at += m[0].length;
    }
    const args: Node[][] = [];
    if (s[this.at] === '(') {
      this.at++;
      for (;;) {
        args.push(this.sequence(depth + 1, true));
        if (this.failed || this.at >= s.length) {
          this.failed = true;
          break;
        }
        if (s[this.at++] === ')') break;
      }
    }
    return { names, args };
  }
}

function render(nodes: Node[]): string {
  return nodes.map((n) => (typeof n === 'string' ? n : renderSwitch(n))).join('');
}

function renderSwitch(sw: Switch): string {
  // Overstrike with a raised first argument: a phonetic guide, the reading raised over its base. Raised later (an
  // enclosed character, `\o\ac(○,\s\up 1(字))`) it is just overstruck: the arguments' text.
  if (sw.names[0] === 'o' && sw.args.length > 1) {
    const first = sw.args[0]!;
    if (first.length === 1 && typeof first[0] !== 'string' && first[0]!.names[0] === 's' && first[0]!.names.includes('up')) {
      const base = sw.args.slice(1).map(render).join(' ').trim();
      const reading = render(first).trim();
      return base && reading ? `${base} (${reading})` : base || reading;
    }
  }
  return ` ${sw.args.map(render).join(' ')} `;
}
