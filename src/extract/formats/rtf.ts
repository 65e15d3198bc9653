// RTF: a small, careful parser (groups, \uN with \ucN fallback skipping, \'hh via \ansicpg, skipped destinations).
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { register } from '../registry.js';
import { paragraphSections } from './text.js';

// Destinations whose content is not document text.
const SKIP_DEST = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'objdata', 'themedata', 'colorschememapping',
  'datastore', 'latentstyles', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'xmlnstbl', 'mmathpr',
  'fldinst', 'bkmkstart', 'bkmkend', 'filetbl', 'revtbl', 'pgdsctbl', 'nonshppict', 'shpinst', 'header', 'footer',
  'headerl', 'headerr', 'headerf', 'footerl', 'footerr', 'footerf', 'private', 'userprops', 'wgrffmtfilter',
  'xe', 'tc', 'template', 'listtext', 'pntext', 'pntxta', 'pntxtb', 'blipuid', 'atnid', 'atnauthor', 'annotation',
]);
const BREAKS: Record<string, string> = { par: '\n', line: '\n', sect: '\n\n', page: '\n\n', tab: '\t', cell: ' | ', row: '\n', emdash: '—', endash: '–', bullet: '•', lquote: '‘', rquote: '’', ldblquote: '“', rdblquote: '”', emspace: ' ', enspace: ' ', qmspace: ' ' };

export function rtfToText(src: string): string {
  let out = '';
  let bytes: number[] = [];
  let codepage = 'windows-1252';
  const stack: { skip: boolean; uc: number }[] = [];
  let st = { skip: false, uc: 1 };
  let pendingSkip = 0; // fallback chars still to drop after a \uN
  const flushBytes = () => {
    if (bytes.length) {
      out += iconv.decode(Buffer.from(bytes), codepage);
      bytes = [];
    }
  };
  const emit = (s: string) => {
    if (st.skip) return;
    flushBytes();
    out += s;
  };
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '{') {
      stack.push(st);
      st = { ...st };
      pendingSkip = 0;
      i++;
    } else if (c === '}') {
      st = stack.pop() ?? { skip: false, uc: 1 };
      pendingSkip = 0;
      i++;
    } else if (c === '\\') {
      const next = src[i + 1];
      if (next === undefined) break;
      if (/[a-zA-Z]/.test(next)) {
        const m = /^([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(src.slice(i + 1, i + 48))!;
        const word = m[1]!;
        const arg = m[2] === undefined ? undefined : Number(m[2]);
        i += 1 + m[0].length;
        if (word === 'bin' && arg && arg > 0) {
          i += arg; // raw binary data
          continue;
        }
        if (SKIP_DEST.has(word)) st.skip = true;
        else if (word === 'ansicpg' && arg) codepage = iconv.encodingExists(`cp${arg}`) ? `cp${arg}` : codepage;
        else if (word === 'uc' && arg !== undefined) st.uc = Math.max(0, arg);
        else if (word === 'u' && arg !== undefined) {
          emit(String.fromCharCode(arg < 0 ? arg + 65536 : arg));
          pendingSkip = st.uc;
          continue;
        } else if (BREAKS[word] !== undefined) emit(BREAKS[word]!);
        pendingSkip = 0;
      } else if (next === "'") {
        const hex = src.slice(i + 2, i + 4);
        i += 4;
        if (pendingSkip > 0) {
          pendingSkip--;
          continue;
        }
        if (!st.skip && /^[0-9a-fA-F]{2}$/.test(hex)) bytes.push(parseInt(hex, 16));
      } else {
        i += 2;
        if (next === '*') st.skip = true; // unknown-if-ignorable destination
        else if (next === '~') emit('\u00A0');
        else if (next === '_') emit('\u2011');
        else if (next === '\\' || next === '{' || next === '}') emit(next);
        else if (next === '\n' || next === '\r') emit('\n');
      }
    } else if (c === '\r' || c === '\n') {
      i++; // source line breaks are not text in RTF
    } else {
      i++;
      if (pendingSkip > 0) {
        pendingSkip--;
        continue;
      }
      emit(c);
    }
  }
  flushBytes();
  // Surrogate pairs come as two \u words; a lone half is fixed by normalisation later.
  return out;
}

register(['rtf'], {
  version: '1',
  async extract(ctx) {
    const text = rtfToText((await readFile(ctx.absPath)).toString('latin1'));
    return { sections: paragraphSections(ctx.budget.take(text)) };
  },
});
