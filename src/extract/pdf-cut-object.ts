// The object a cut runs through: its dictionary or array is left open, and whatever follows it in the file (the
// salvage's new tree) would be read as more of it: pdf.js then failed the page that names it ("End of file inside
// array", or a page tree that seems to hold itself when the page's own dictionary was cut). Its complete part is
// closed instead, and written again after the cut, where the later copy is the one read.

const WHITE = ' \t\r\n\f\0';
const DELIMITER = '()<>[]{}/%';

/**
 * The object's text up to its last complete token, its open arrays and dictionaries closed; undefined when it is not
 * open (nothing to close) or is a stream (its data is cut, not its dictionary).
 */
export function closeCutObject(body: string): string | undefined {
  const open: string[] = [];
  // Where the text may be cut: after a complete token, with the brackets open there.
  let safe = { at: 0, depth: 0 };
  const mark = (at: number) => (safe = { at, depth: open.length });
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (WHITE.includes(c)) {
      mark(i);
      i++;
    } else if (c === '%') {
      while (i < body.length && body[i] !== '\n' && body[i] !== '\r') i++;
      if (i >= body.length) break;
    } else if (c === '(') {
      const end = literalEnd(body, i);
      if (end < 0) break;
      i = end;
      mark(i);
    } else if (body.startsWith('<<', i) || c === '[') {
      open.push(c === '[' ? ']' : '>>');
      i += c === '[' ? 1 : 2;
      mark(i);
    } else if (c === '<') {
      const end = body.indexOf('>', i);
      if (end < 0) break;
      i = end + 1;
      mark(i);
    } else if (body.startsWith('>>', i) || c === ']') {
      open.pop();
      i += c === ']' ? 1 : 2;
      mark(i);
    } else if (body.startsWith('stream', i) && !open.length) {
      return undefined;
    } else {
      // A name, number or keyword. One the cut ends is kept when it is a name or a number (a font's /Helvet still
      // finds a stand-in font; without it the font had no name) or a reference's R; a cut keyword is dropped.
      let j = i + 1;
      while (j < body.length && !WHITE.includes(body[j]!) && !DELIMITER.includes(body[j]!)) j++;
      if (j >= body.length && !/^(\/.*|[+-]?[0-9.]+|R)$/.test(body.slice(i, j))) break;
      i = j;
      mark(i);
    }
  }
  if (!safe.depth) return undefined;
  // No bracket opens or closes after the last mark (each marks), so what is open there is open at the end.
  const closers = open.slice(0, safe.depth).reverse().join(' ');
  // A dictionary cut after a key would lack its value: a null gives it one, and after a value it is a stray item
  // that readers pass over.
  const value = open[safe.depth - 1] === '>>' ? ' null' : '';
  return `${body.slice(0, safe.at).trimEnd()}${value} ${closers}`;
}

/** The index just past the literal string that opens at `start` (nested parentheses, escapes); -1 when it is cut. */
function literalEnd(s: string, start: number): number {
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}
