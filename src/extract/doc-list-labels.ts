// Word 97-2003 list numbers (MS-DOC 2.4.6.6 and 2.9.131-150): like a .docx's, the "1.", "14.2" and "(a)" Word draws
// before numbered paragraphs are not in the text but in list definitions (PlfLst, PlfLfo in the table stream) that
// paragraphs point at through their properties (sprmPIlfo, sprmPIlvl) or their style's. word-extractor reads none of
// it; this works each body paragraph's label out, by character position, for doc.ts to write into the text.
import { ListCounter, patternOf, type Level, type LevelSource } from './docx-numbering.js';

/** A text piece as word-extractor keeps it: its character positions and where its bytes are. */
export interface WordPiece {
  startCp: number;
  length: number;
  startFilePos: number;
  size: number;
  bpc: number;
}

// FIB offsets (FibRgFcLcb97) of the structures read here: fc, then lcb 4 bytes on.
const FC_STSHF = 0xa2;
const FC_PLCF_BTE_PAPX = 0x102;
const FC_PLF_LST = 0x2e2;
const FC_PLF_LFO = 0x2ea;
const SPRM_P_ILVL = 0x260a;
const SPRM_P_ILFO = 0x460b;
// An ilfo that takes a style's numbering away (MS-DOC 2.6.2 sprmPIlfo: 0xF801 as a signed 16-bit number).
const ILFO_NONE = -2047;
const MAX_LEVELS = 9;
const NO_STYLE = 0xfff;
// More than this many lists, overrides or paragraphs is a hostile file: what was read so far is kept.
const MAX_LISTS = 10_000;
// Number text past this is not built (patternOf then gives the level no label); a real one is a few characters.
const MAX_PATTERN = 300;
// A paragraph page (PapxFkp) holds at most this many paragraphs (MS-DOC 2.9.176 crun).
const MAX_CRUN = 0x1d;
const MAX_PARAGRAPHS = 2_000_000;
const NFC: Record<number, string> = { 0: 'decimal', 1: 'upperRoman', 2: 'lowerRoman', 3: 'upperLetter', 4: 'lowerLetter', 5: 'ordinal', 6: 'cardinalText', 7: 'ordinalText', 22: 'decimalZero', 23: 'bullet', 255: 'none' };

interface List { levels: (Level | undefined)[]; simple: boolean; styles: number[] }
interface Override { start?: number; level?: Level }
interface Lfo { lsid: number; overrides: Map<number, Override>; restarts?: boolean }
interface StyleNumbering { base: number; ilfo?: number; ilvl?: number }

/**
 * The labels ("2.3 ") of the numbered paragraphs of the main text, by the character position each paragraph starts
 * at. Empty when the file has no lists; a structure that lies outside its stream ends the reading of it.
 */
export function docListLabels(word: Buffer, table: Buffer, pieces: WordPiece[], ccpText: number): Map<number, string> {
  const labels = new Map<number, string>();
  if (word.length < FC_PLF_LFO + 8) return labels;
  const lists = readLists(table, word.readUInt32LE(FC_PLF_LST), word.readUInt32LE(FC_PLF_LST + 4));
  const lfos = readLfos(table, word.readUInt32LE(FC_PLF_LFO), word.readUInt32LE(FC_PLF_LFO + 4));
  if (!lists.size || !lfos.length) return labels;
  const styles = readStyles(table, word.readUInt32LE(FC_STSHF), word.readUInt32LE(FC_STSHF + 4));
  const source: LevelSource = {
    level(list, ilvl) {
      const ilfo = Number(list);
      const lfo = lfos[ilfo - 1];
      const def = lfo && lists.get(lfo.lsid);
      if (!lfo || !def) return undefined;
      const over = lfo.overrides.get(ilvl);
      const level = over?.level ?? def.levels[def.simple ? 0 : ilvl];
      if (!level) return undefined;
      // As in a .docx: overrides of one list count on together, one that restarts a level counts on its own.
      return { level, key: lfo.restarts ? `lfo:${ilfo}` : `lst:${lfo.lsid}`, start: over?.start ?? level.start };
    },
  };
  const counter = new ListCounter(source);
  let start = 0;
  for (const p of paragraphMarks(word, table, pieces, ccpText)) {
    const from = start;
    start = p.cp + 1;
    const style = styleNumbering(styles, p.istd);
    const ilfo = p.ilfo ?? style.ilfo;
    if (ilfo === undefined || ilfo <= 0 || ilfo === ILFO_NONE || ilfo > lfos.length) continue;
    const def = lists.get(lfos[ilfo - 1]!.lsid);
    const ilvl = p.ilvl ?? style.ilvl ?? levelOfStyle(def, p.istd) ?? 0;
    if (ilvl < 0 || ilvl >= MAX_LEVELS) continue;
    const label = counter.next(String(ilfo), ilvl);
    // An empty numbered paragraph is counted, not written (as for a .docx).
    if (label && p.cp > from) labels.set(from, label);
  }
  return labels;
}

/** The body text of character positions [0, ccpText) from word-extractor's pieces, each label written where it goes. */
export function textWithLabels(pieces: (WordPiece & { text: string })[], ccpText: number, labels: Map<number, string>): string {
  const at = [...labels.keys()].sort((a, b) => a - b);
  const out: string[] = [];
  let next = 0;
  for (const p of pieces) {
    const end = Math.min(p.startCp + p.length, ccpText);
    if (end <= p.startCp) break;
    let cp = p.startCp;
    for (; next < at.length && at[next]! < end; next++) {
      if (at[next]! < cp) continue;
      out.push(p.text.slice(cp - p.startCp, at[next]! - p.startCp), labels.get(at[next]!)!);
      cp = at[next]!;
    }
    out.push(p.text.slice(cp - p.startCp, end - p.startCp));
  }
  return out.join('');
}

function styleNumbering(styles: Map<number, StyleNumbering>, istd: number): { ilfo?: number; ilvl?: number } {
  let ilfo: number | undefined;
  let ilvl: number | undefined;
  for (let s = styles.get(istd), n = 0; s && n < 16; s = styles.get(s.base), n++) {
    ilfo ??= s.ilfo;
    ilvl ??= s.ilvl;
  }
  return { ilfo, ilvl };
}

/** The level a list gives a paragraph style (rgistdPara: Heading 2 is the outline list's second level). */
function levelOfStyle(def: List | undefined, istd: number): number | undefined {
  const i = def?.styles.indexOf(istd) ?? -1;
  return i >= 0 ? i : undefined;
}

/** PlfLst: the list definitions (LSTF), followed in the table stream by each one's levels (LVL). */
function readLists(t: Buffer, fc: number, lcb: number): Map<number, List> {
  const lists = new Map<number, List>();
  if (!lcb || fc + 2 > t.length) return lists;
  const count = Math.min(t.readInt16LE(fc), MAX_LISTS);
  const defs: { lsid: number; list: List }[] = [];
  for (let i = 0, at = fc + 2; i < count && at + 28 <= t.length; i++, at += 28) {
    const styles: number[] = [];
    for (let l = 0; l < MAX_LEVELS; l++) styles.push(t.readUInt16LE(at + 8 + 2 * l));
    defs.push({ lsid: t.readInt32LE(at), list: { levels: [], simple: (t[at + 26]! & 1) === 1, styles } });
  }
  let at = fc + 2 + count * 28;
  for (const { lsid, list } of defs) {
    for (let l = 0; l < (list.simple ? 1 : MAX_LEVELS); l++) {
      const lvl = readLevel(t, at);
      if (!lvl) return lists;
      list.levels.push(lvl.level);
      at = lvl.end;
    }
    if (!lists.has(lsid)) lists.set(lsid, list);
  }
  return lists;
}

/** One LVL: its LVLF, its paragraph and character properties (skipped), and its number text (Xst). */
function readLevel(t: Buffer, at: number): { level: Level; end: number } | undefined {
  if (at + 28 > t.length) return undefined;
  const flags = t[at + 5]!;
  const cbChpx = t[at + 24]!;
  const cbPapx = t[at + 25]!;
  const restartLimit = t[at + 26]!;
  const xst = at + 28 + cbPapx + cbChpx;
  if (xst + 2 > t.length) return undefined;
  const cch = t.readUInt16LE(xst);
  const end = xst + 2 + 2 * cch;
  if (end > t.length) return undefined;
  // rgbxchNums: the 1-based places in the number text that stand for a level's number (the character there is the
  // level's index), in order, 0 after the last.
  const places = new Set<number>();
  for (let i = 0; i < 9 && t[at + 6 + i]; i++) places.add(t[at + 6 + i]! - 1);
  let text = '';
  for (let i = 0; i < cch && text.length <= MAX_PATTERN; i++) {
    const c = t.readUInt16LE(xst + 2 + 2 * i);
    text += places.has(i) && c < MAX_LEVELS ? `%${c + 1}` : c === 0x25 ? '%%' : String.fromCharCode(c);
  }
  const level: Level = {
    start: t.readInt32LE(at),
    format: NFC[t[at + 4]!] ?? 'decimal',
    // A literal '%' stays "%%" for the counter, which reads "%n" as the nth level's number.
    text: patternOf(text),
    restartAfter: flags & 0x08 ? restartLimit : undefined,
    legal: (flags & 0x04) !== 0,
  };
  return { level, end };
}

/** PlfLfo: the list instances paragraphs point at (1-based), each a list and the levels it restarts or redraws. */
function readLfos(t: Buffer, fc: number, lcb: number): Lfo[] {
  const lfos: Lfo[] = [];
  if (!lcb || fc + 4 > t.length) return lfos;
  const count = Math.min(t.readUInt32LE(fc), MAX_LISTS);
  const sizes: number[] = [];
  for (let i = 0, at = fc + 4; i < count && at + 16 <= t.length; i++, at += 16) {
    lfos.push({ lsid: t.readInt32LE(at), overrides: new Map() });
    sizes.push(t[at + 12]!);
  }
  // LFOData, one for each LFO in order: a cp, then its overrides (LFOLVL), each followed by an LVL when it redraws.
  let at = fc + 4 + count * 16;
  for (const [i, lfo] of lfos.entries()) {
    at += 4;
    for (let k = 0; k < sizes[i]!; k++) {
      if (at + 8 > t.length) return lfos;
      const startAt = t.readInt32LE(at);
      const bits = t.readUInt32LE(at + 4);
      at += 8;
      const ilvl = bits & 0x0f;
      const over: Override = bits & 0x10 ? { start: startAt } : {};
      if (bits & 0x20) {
        const lvl = readLevel(t, at);
        if (!lvl) return lfos;
        over.level = lvl.level;
        at = lvl.end;
      }
      if (ilvl >= MAX_LEVELS || (over.start === undefined && !over.level)) continue;
      lfos[i]!.overrides.set(ilvl, over);
      if (over.start !== undefined) lfos[i]!.restarts = true;
    }
  }
  return lfos;
}

/** Each paragraph style's numbering (sprmPIlfo, sprmPIlvl in its paragraph UPX) and the style it is based on. */
function readStyles(t: Buffer, fc: number, lcb: number): Map<number, StyleNumbering> {
  const styles = new Map<number, StyleNumbering>();
  if (!lcb || fc + lcb > t.length || lcb < 4) return styles;
  const cbStshi = t.readUInt16LE(fc);
  if (fc + 2 + cbStshi > t.length || cbStshi < 4) return styles;
  const cstd = t.readUInt16LE(fc + 2);
  const cbBase = t.readUInt16LE(fc + 4);
  let at = fc + 2 + cbStshi;
  const end = fc + lcb;
  for (let istd = 0; istd < cstd && at + 2 <= end; istd++) {
    const cb = t.readUInt16LE(at);
    const std = at + 2;
    at = std + cb;
    if (!cb || at > end || cb < cbBase || cbBase < 10) continue;
    const stk = t.readUInt16LE(std + 2) & 0x0f;
    const base = t.readUInt16LE(std + 2) >> 4;
    if (stk !== 1) continue; // paragraph styles only
    // The name (Xstz: a count, the characters, a terminating 0), then the UPXs, each at an even offset from the STD.
    let upx = std + cbBase;
    if (upx + 2 > at) continue;
    upx += 2 + 2 * t.readUInt16LE(upx) + 2;
    if ((upx - std) % 2) upx++;
    if (upx + 2 > at) continue;
    const cbUpx = t.readUInt16LE(upx);
    const papx = upx + 2;
    if (papx + cbUpx > at || cbUpx < 2) continue;
    const found: StyleNumbering = { base };
    // A paragraph UPX starts with the style's own istd, then its sprms.
    forEachSprm(t, papx + 2, papx + cbUpx, (sprm, op) => {
      if (sprm === SPRM_P_ILFO && op + 2 <= papx + cbUpx) found.ilfo = t.readInt16LE(op);
      else if (sprm === SPRM_P_ILVL) found.ilvl = t[op];
    });
    styles.set(istd, found);
  }
  return styles;
}

interface Mark { cp: number; istd: number; ilfo?: number; ilvl?: number }

/**
 * Every paragraph mark of the main text with its paragraph's style and numbering, in text order: the bin table's
 * FKPs list paragraphs by file offset, which a fast-saved file's pieces put in another order. A mark whose properties
 * cannot be read is kept, unnumbered, so that the next paragraph still starts after it.
 */
function paragraphMarks(word: Buffer, table: Buffer, pieces: WordPiece[], ccpText: number): Mark[] {
  const fc = word.readUInt32LE(FC_PLCF_BTE_PAPX);
  const lcb = word.readUInt32LE(FC_PLCF_BTE_PAPX + 4);
  const marks: Mark[] = [];
  if (lcb < 12 || fc + lcb > table.length) return marks;
  const byFile = [...pieces].sort((a, b) => a.startFilePos - b.startFilePos);
  const n = Math.floor((lcb - 4) / 8);
  // A page named twice is read once: real files never repeat one, and a hostile table would multiply the work.
  const seen = new Set<number>();
  let steps = 0;
  for (let i = 0; i < n && steps < MAX_PARAGRAPHS; i++) {
    const page = (table.readUInt32LE(fc + (n + 1) * 4 + i * 4) & 0x3fffff) * 512;
    if (page + 512 > word.length || seen.has(page)) continue;
    seen.add(page);
    const crun = Math.min(word[page + 511]!, MAX_CRUN);
    for (let j = 0; j < crun && steps < MAX_PARAGRAPHS; j++, steps++) {
      const cp = cpOfMark(byFile, word.readUInt32LE(page + (j + 1) * 4));
      if (cp === undefined || cp >= ccpText) continue;
      marks.push({ cp, istd: NO_STYLE, ...papxAt(word, page, crun, j) });
    }
  }
  return marks.sort((a, b) => a.cp - b.cp);
}

/** The style and numbering of the jth paragraph of an FKP page (PapxInFkp); none when it cannot be read. */
function papxAt(word: Buffer, page: number, crun: number, j: number): Omit<Mark, 'cp'> | undefined {
  const off = page + word[page + (crun + 1) * 4 + j * 13]! * 2;
  // An offset of 0: the paragraph has the default properties.
  if (off === page || off + 1 >= page + 511) return undefined;
  // cb (twice the size, less one), or 0 and then the size itself; then the istd and the sprms.
  let cb = word[off]!;
  let from = off + 1;
  let size = 2 * cb - 1;
  if (cb === 0) {
    cb = word[off + 1]!;
    from = off + 2;
    size = 2 * cb;
  }
  const to = Math.min(from + size, page + 511);
  if (to - from < 2) return undefined;
  const props: Omit<Mark, 'cp'> = { istd: word.readUInt16LE(from) };
  forEachSprm(word, from + 2, to, (sprm, op) => {
    if (sprm === SPRM_P_ILFO && op + 2 <= to) props.ilfo = word.readInt16LE(op);
    else if (sprm === SPRM_P_ILVL && op < to) props.ilvl = word[op];
  });
  return props;
}

/**
 * The character position of the paragraph mark that ends before file offset `end`, through the piece holding it
 * (`pieces` sorted by file offset; a binary search, as a fast-saved file can have thousands).
 */
function cpOfMark(pieces: WordPiece[], end: number): number | undefined {
  let lo = 0;
  let hi = pieces.length - 1;
  // The last piece starting at or before the mark's first byte (end - 1 holds part of it whatever its width).
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pieces[mid]!.startFilePos <= end - 1) lo = mid + 1;
    else hi = mid - 1;
  }
  for (let i = hi; i >= 0 && i > hi - 4; i--) {
    const p = pieces[i]!;
    const markFc = end - p.bpc;
    if (markFc >= p.startFilePos && markFc < p.startFilePos + p.size) return p.startCp + Math.floor((markFc - p.startFilePos) / p.bpc);
  }
  return undefined;
}

/** Each sprm of a grpprl with the offset of its operand; stops at the first one that runs past `end`. */
function forEachSprm(b: Buffer, at: number, end: number, visit: (sprm: number, operand: number) => void): void {
  while (at + 2 <= end) {
    const sprm = b.readUInt16LE(at);
    const op = at + 2;
    let size: number;
    switch (sprm >> 13) {
      case 0:
      case 1:
        size = 1;
        break;
      case 2:
      case 4:
      case 5:
        size = 2;
        break;
      case 3:
        size = 4;
        break;
      case 7:
        size = 3;
        break;
      default:
        if (op >= end) return;
        // sprmTDefTable and sprmTDefTable10 give their size in two bytes (plus one); the rest in one.
        size = sprm === 0xd608 || sprm === 0xd606 ? (op + 2 <= end ? 1 + b.readUInt16LE(op) : end) : 1 + b[op]!;
    }
    if (op + size > end) return;
    visit(sprm, op);
    at = op + size;
  }
}
