// Phonetic guides (ruby: furigana over Japanese kanji, pinyin over Chinese) in a DOCX's main part, rewritten as plain
// runs. mammoth drops a w:ruby element whole, base text and all: a Japanese document set with furigana read as
// nothing. Each one becomes its base text followed by the reading in parentheses, "東京 (とうきょう)", as Tika writes it,
// so that a search finds the word by either.
import { MAIN, STRICT, prefixOf } from './docx-list-labels.js';

/** The part with each run holding a w:ruby replaced by base and reading runs; undefined when it has none. */
export function withRubyText(xml: string): string | undefined {
  const w = prefixOf(xml, [MAIN, STRICT], 'w:');
  const open = `<${w}ruby>`;
  if (!xml.includes(open)) return undefined;
  const close = `</${w}ruby>`;
  const out: string[] = [];
  let done = 0;
  let changed = false;
  for (let at = xml.indexOf(open); at !== -1; at = xml.indexOf(open, at + open.length)) {
    const end = xml.indexOf(close, at);
    if (end === -1) break;
    const run = enclosingRun(xml, at, end + close.length, w);
    const inner = run && run.start >= done ? xml.slice(at + open.length, end) : undefined;
    const base = inner === undefined ? undefined : childContent(inner, `${w}rubyBase`);
    if (!run || base === undefined) {
      // Past this one's end: a part of unclosed or nested rubies is not searched again from each of them.
      at = end + close.length - open.length;
      continue;
    }
    const reading = childContent(inner!, `${w}rt`);
    out.push(xml.slice(done, run.start), base);
    if (reading !== undefined && hasText(reading, w)) out.push(textRun(w, ' ('), reading, textRun(w, ')'));
    done = run.end;
    at = run.end - open.length;
    changed = true;
  }
  if (!changed) return undefined;
  out.push(xml.slice(done));
  return out.join('');
}

/**
 * The w:r that holds the ruby at [from, to): its start tag, with only its run properties between it and the ruby, and
 * its end tag right after the ruby. Anything else is left alone.
 */
function enclosingRun(xml: string, from: number, to: number, w: string): { start: number; end: number } | undefined {
  const before = xml.slice(Math.max(0, from - 2048), from);
  let last: RegExpExecArray | undefined;
  for (const m of before.matchAll(new RegExp(`<${escape(w)}r(?:\\s[^<>]*)?(?<!/)>`, 'g'))) last = m as RegExpExecArray;
  if (!last) return undefined;
  const props = before.slice(last.index + last[0].length);
  const rPr = escape(`${w}rPr`);
  if (!new RegExp(`^\\s*(?:<${rPr}\\b[^<>]*/>|<${rPr}\\b[^<>]*>[\\s\\S]*</${rPr}>)?\\s*$`).test(props) || props.includes(`</${w}r>`)) return undefined;
  const after = /^\s*<\/([A-Za-z_][\w.-]*:)?r>/.exec(xml.slice(to, to + 256));
  if (!after || (after[1] ?? '') !== w) return undefined;
  return { start: from - before.length + last.index, end: to + after[0].length };
}

/** What lies between the first `<name>` (or `<name …>`) and the `</name>` after it; undefined when absent. Found by
 * indexOf, not a lazy regex: one tried from every opening tag of a part with no closing one is quadratic. */
function childContent(xml: string, name: string): string | undefined {
  for (let at = xml.indexOf(`<${name}`); at !== -1; at = xml.indexOf(`<${name}`, at + 1)) {
    const after = xml[at + name.length + 1];
    if (after !== '>' && after !== ' ' && after !== '\t' && after !== '\n' && after !== '\r') continue;
    const start = xml.indexOf('>', at) + 1;
    const end = xml.indexOf(`</${name}>`, start);
    return end === -1 ? undefined : xml.slice(start, end);
  }
  return undefined;
}

function hasText(runs: string, w: string): boolean {
  return new RegExp(`<${escape(w)}t(?:\\s[^<>]*)?>[^<]*[^\\s<]`).test(runs);
}

function textRun(w: string, text: string): string {
  return `<${w}r><${w}t xml:space="preserve">${text}</${w}t></${w}r>`;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
