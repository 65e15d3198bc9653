// RTF: a small, careful parser (groups, \uN with \ucN fallback skipping, \'hh in the code page of the font in use or
// \ansicpg, skipped destinations).
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { register } from '../registry.js';
import { paragraphSections, partText } from './text.js';
import { extractAttachments, type Attachment } from '../attachments.js';
import { ole1Object } from '../ole-objects.js';
import { htmlToSections } from '../htmltext.js';
import { eqText, MAX_EQ_CODE } from '../doc-eq-fields.js';

// Destinations whose content is not document text.
const SKIP_DEST = new Set([
  'colortbl', 'stylesheet', 'info', 'pict', 'object', 'objdata', 'themedata', 'colorschememapping',
  'datastore', 'latentstyles', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'xmlnstbl', 'mmathpr',
  'bkmkstart', 'bkmkend', 'filetbl', 'revtbl', 'pgdsctbl', 'nonshppict', 'shpinst', 'private', 'userprops', 'wgrffmtfilter',
  'xe', 'tc', 'template', 'pntxta', 'pntxtb', 'blipuid', 'atnid', 'atnauthor', 'annotation',
]);
// A list item's number, written out for readers that do not number lists themselves (Word's \listtext, Word 6's
// \pntext): read, unless it is a bullet.
const LABEL_DEST = new Set(['listtext', 'pntext']);
// Running headers and footers: text, but not the body's; read into their own part.
const HEADER_FOOTER = new Set(['header', 'footer', 'headerl', 'headerr', 'headerf', 'footerl', 'footerr', 'footerf']);
// A font's character set (\fcharsetN in the font table) names the code page of the bytes (\'hh) written in it: a Czech
// or Japanese document writes its text in fonts of those sets, whatever its \ansicpg says (Word: \ansicpg1252).
const CHARSET_CODEPAGE: Record<number, string> = {
  77: 'macintosh', 128: 'cp932', 129: 'cp949', 134: 'cp936', 136: 'cp950', 161: 'cp1253', 162: 'cp1254', 163: 'cp1258',
  177: 'cp1255', 178: 'cp1256', 186: 'cp1257', 204: 'cp1251', 222: 'cp874', 238: 'cp1250', 255: 'cp437',
};
const BREAKS: Record<string, string> = { par: '\n', line: '\n', sect: '\n\n', page: '\n\n', tab: '\t', cell: ' | ', row: '\n', emdash: '—', endash: '–', bullet: '•', lquote: '‘', rquote: '’', ldblquote: '“', rdblquote: '”', emspace: ' ', enspace: ' ', qmspace: ' ' };

/**
 * A message body's RTF (its objects are not decoded): its text, or, for HTML mail Outlook kept as RTF (\fromhtml1),
 * the HTML it encapsulates, whose block tags alone say where its paragraphs end.
 */
export function rtfBody(src: string): { text: string; html: boolean } {
  const r = parseRtf(src, { objects: false });
  return { text: r.body, html: r.fromHtml };
}

/**
 * An RTF document's body, its headers and footers apart, and the data of its embedded objects (unless `objects` is
 * false: then their hex is passed over, not decoded).
 */
export function parseRtf(src: string, o: { objects?: boolean } = {}): { body: string; headers: string; objects: Buffer[]; fromHtml: boolean } {
  const keepObjects = o.objects ?? true;
  // A list label and a field's code are collected apart (`label`, `code`), then given to the part they are in: taken
  // out of the body again, they cost a copy of the body each, quadratic in a file of many fields.
  const text = { body: '', headers: '', label: '', code: '' };
  let bytes: number[] = [];
  let codepage = 'windows-1252';
  // Each font's code page, from the font table; the font in use is part of a group's state.
  const fontCodepage = new Map<number, string>();
  let tableFont: number | undefined;
  // Encapsulated HTML (MS-OXRTFEX): the HTML's tags are in \*\htmltag groups, and what lies between \htmlrtf and
  // \htmlrtf0 is RTF for RTF readers only, left out of the HTML.
  let fromHtml = false;
  // label: inside a list number Word wrote out for readers without lists (\listtext, \pntext).
  // inst: inside a field's code (\fldinst); eqShown: a field whose EQ code gave its text, so that
  // its result, if any, is not read twice.
  interface State { skip: boolean; uc: number; header: boolean; objdata: boolean; fonttbl: boolean; font?: number; rtfOnly?: boolean; label?: boolean; inst?: boolean; eqShown?: boolean }
  const stack: State[] = [];
  const initial = (): State => ({ skip: false, uc: 1, header: false, objdata: false, fonttbl: false });
  let st: State = initial();
  // Embedded objects' data (\objdata: hex), one buffer per object; kept as slices of the source, not per character.
  const objects: Buffer[] = [];
  let objHex: string[] = [];
  let pendingSkip = 0; // fallback chars still to drop after a \uN
  // \* marks an ignorable destination only as a group's first word; inside a group it is noise (a StarWriter "\*\cs7").
  let groupStart = false;
  const partOf = (x: State): keyof typeof text => (x.inst ? 'code' : x.label ? 'label' : x.header ? 'headers' : 'body');
  const flushBytes = () => {
    if (bytes.length) {
      const cp = (st.font !== undefined && fontCodepage.get(st.font)) || codepage;
      text[partOf(st)] += iconv.decode(Buffer.from(bytes), cp);
      bytes = [];
    }
  };
  const emit = (s: string) => {
    if (st.skip || st.rtfOnly) return;
    flushBytes();
    text[partOf(st)] += s;
  };
  /**
   * A list item's number as written out ("1.\tab", "(a)\tab"): kept, a space after it; a bullet glyph (a symbol
   * font's character, a dash) is not text, and goes.
   */
  const keepLabel = () => {
    const label = text.label;
    text.label = '';
    if (/[\p{L}\p{N}]/u.test(label)) text[partOf(st)] += `${label.trim()} `;
  };
  /**
   * A field's code is not text, but an EQ field has no other: Word draws it from its code (phonetic guides, "東京
   * (とうきょう)"; doc-eq-fields.ts). Its text takes the code's place; any other code goes.
   */
  const closeFieldCode = () => {
    const code = text.code;
    text.code = '';
    const eq = /^\s*EQ\b/i.exec(code);
    const shown = eq && code.length <= MAX_EQ_CODE ? eqText(code.slice(eq[0].length)) : undefined;
    if (shown) {
      text[partOf(st)] += shown;
      st.eqShown = true;
    }
  };
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    const atGroupStart: boolean = groupStart;
    if (c !== '\r' && c !== '\n') groupStart = false;
    if (c === '{') {
      flushBytes();
      stack.push(st);
      st = { ...st };
      pendingSkip = 0;
      groupStart = true;
      i++;
    } else if (c === '}') {
      flushBytes();
      const closed = st;
      st = stack.pop() ?? initial();
      if (closed.label && !st.label) keepLabel();
      if (closed.inst && !st.inst) closeFieldCode();
      if (closed.objdata && !st.objdata && keepObjects) {
        objects.push(Buffer.from(objHex.join('').replace(/[^0-9a-fA-F]/g, ''), 'hex'));
        objHex = [];
      }
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
        if (word === 'objdata') {
          st.skip = true;
          st.objdata = true;
          objHex = [];
        } else if (word === 'fonttbl') {
          st.skip = true;
          st.fonttbl = true;
        } else if (st.fonttbl && word === 'f' && arg !== undefined) tableFont = arg;
        else if (st.fonttbl && (word === 'fcharset' || word === 'cpg') && arg !== undefined && tableFont !== undefined) {
          const cp = word === 'cpg' ? `cp${arg}` : CHARSET_CODEPAGE[arg];
          if (cp && iconv.encodingExists(cp)) fontCodepage.set(tableFont, cp);
        } else if (word === 'f' && arg !== undefined && !st.fonttbl) {
          flushBytes();
          st.font = arg;
        } else if (word === 'fromhtml' && arg === 1) fromHtml = true;
        else if (fromHtml && (word === 'htmltag' || word === 'mhtmltag')) st.skip = false;
        else if (fromHtml && word === 'htmlrtf') {
          flushBytes();
          st.rtfOnly = arg !== 0;
        } else if (LABEL_DEST.has(word) && !st.label && !st.inst) {
          flushBytes();
          st.label = true;
          text.label = '';
        } else if (word === 'fldinst' && !st.inst && !stack[stack.length - 1]?.skip) {
          // Read (the \* before it marked it skipped), then taken out again when its group closes.
          flushBytes();
          st.skip = false;
          st.inst = true;
          text.code = '';
        } else if (word === 'fldinst' || (word === 'fldrslt' && st.eqShown) || SKIP_DEST.has(word)) st.skip = true;
        else if (HEADER_FOOTER.has(word)) st.header = true;
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
        if (!st.skip && !st.rtfOnly && /^[0-9a-fA-F]{2}$/.test(hex)) bytes.push(parseInt(hex, 16));
      } else {
        i += 2;
        if (next === '*' && atGroupStart) st.skip = true; // an ignorable destination docproc does not know
        else if (next === '~') emit('\u00A0');
        else if (next === '_') emit('\u2011');
        else if (next === '\\' || next === '{' || next === '}') emit(next);
        else if (next === '\n' || next === '\r') emit('\n');
      }
    } else if (c === '\r' || c === '\n') {
      i++; // source line breaks are not text in RTF
    } else if (st.objdata) {
      let j = i;
      while (j < n && src[j] !== '{' && src[j] !== '}' && src[j] !== '\\') j++;
      if (keepObjects) objHex.push(src.slice(i, j));
      i = j;
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
  return { body: text.body, headers: text.headers, objects, fromHtml };
}

register(['rtf'], {
  version: '6',
  async extract(ctx) {
    const { body, headers, objects, fromHtml } = parseRtf((await readFile(ctx.absPath)).toString('latin1'));
    // An RTF file saved from HTML mail (\fromhtml1) holds that HTML: read as HTML, its tags are markup, not text.
    const sections = fromHtml ? htmlToSections(body).sections.map((x) => ({ ...x, text: ctx.budget.take(x.text) })) : paragraphSections(ctx.budget.take(body));
    const parts = partText(headers);
    if (parts) sections.push({ text: ctx.budget.take(parts), loc: { heading: 'Headers and footers' } });
    // Embedded objects (a document or file inserted as an object) come last, as attachments.
    const files = objects.map((o, i) => ole1Object(o, `embedded object ${i + 1}`)).filter((a): a is Attachment => !!a);
    sections.push(...(await extractAttachments(ctx, files)));
    return { sections };
  },
});
