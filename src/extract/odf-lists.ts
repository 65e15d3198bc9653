// OpenDocument's list and outline numbers: like Word's, they are drawn from the list styles, not kept in the text, so
// "3.2 Payment" read "Payment". Each numbered paragraph and heading gets its label worked out here, kept on the node for
// the body's walk to read (odt.ts).
import { attrsOf, childrenOf, decodeXmlEntities, tagOf, walk, type XNode } from './xml.js';
import { formatNumber, letters } from './list-number-format.js';

/** Where a paragraph's or heading's label is kept on its node for the walk that reads it. */
export const LIST_LABEL = 'docproc:list-label';

interface LevelStyle {
  /** Undefined for a bullet (or picture) level: no number. */
  format?: string;
  prefix: string;
  suffix: string;
  /** How many levels' numbers the label shows, this one and those above it ("1.2.3" shows 3). */
  display: number;
  start: number;
  /** Letters as aa, bb (true) or aa, ab (false, ODF's default). */
  letterSync: boolean;
}

type ListStyle = Map<number, LevelStyle>;

const MAX_LEVELS = 10;
// A label longer than this is a hostile style, whose prefix on every item would multiply the text (see docx-numbering.ts).
const MAX_LABEL_CHARS = 100;
// Nested lists deeper than this are a hostile file, not a document.
const MAX_DEPTH = 64;

/** Counters of one list: the number last given at each level (1-based), undefined where none is yet. */
class Counters {
  private readonly at: (number | undefined)[] = [];

  /**
   * The next number at `level`, deeper levels restarting; its start for a level that has none yet (or is restarted).
   * Levels above that have none yet count as used at their start, as LibreOffice counts them: a list whose first item
   * is at its second level reads "1.1.", and its first item at the first level then "2.".
   */
  next(level: number, levels: ListStyle, restartAt?: number): number {
    for (let l = 1; l < level; l++) this.at[l] ??= levels.get(l)?.start ?? 1;
    const start = levels.get(level)?.start ?? 1;
    const n = restartAt ?? (this.at[level] === undefined ? start : this.at[level]! + 1);
    this.at[level] = n;
    this.at.length = level + 1;
    return n;
  }

  get(level: number, start: number): number {
    return this.at[level] ?? start;
  }
}

/**
 * Labels the numbered list items and headings under `body` (the content's office:body), from the list and outline
 * styles of `styleDocs` (content.xml's automatic styles, styles.xml): each paragraph that opens a numbered list item,
 * and each numbered heading, gets `LIST_LABEL` ("2.1 ") on its attributes.
 */
export function labelOdfLists(body: XNode[], styleDocs: XNode[][]): void {
  const { lists, outline } = readStyles(styleDocs);
  if (!lists.size && !outline) return;
  const byId = new Map<string, Counters>();
  const lastByStyle = new Map<string, Counters>();
  let lastTop: Counters | undefined;
  const headings = new Counters();

  const visit = (nodes: XNode[], level: number, styleName: string | undefined, counters: Counters | undefined, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const n of nodes) {
      const tag = tagOf(n);
      if (tag === 'text:list') {
        const a = attrsOf(n);
        const style = a['text:style-name'] ?? styleName;
        let list = counters;
        if (level === 0) {
          // A list picks up where another left off (LibreOffice writes this for a list that a paragraph interrupted):
          // the list it names, else the last list in its style; otherwise it counts afresh.
          const continued = a['text:continue-list'] ? byId.get(a['text:continue-list']) : a['text:continue-numbering'] === 'true' ? (style ? lastByStyle.get(style) : lastTop) : undefined;
          list = continued ?? new Counters();
          if (style) lastByStyle.set(style, list);
          lastTop = list;
        }
        const id = a['xml:id'] ?? a['text:id'];
        if (id && list) byId.set(id, list);
        for (const item of childrenOf(n)) {
          const itemTag = tagOf(item);
          if (itemTag !== 'text:list-item' && itemTag !== 'text:list-header') continue;
          const depthLevel = Math.min(level + 1, MAX_LEVELS);
          const levels = style ? lists.get(style) : undefined;
          // An item that only holds a deeper list (how a list that starts at its third level is written) has no
          // number of its own: the levels it stands for count when a paragraph below is numbered.
          // (text:number, a producer's rendering of the number, is passed over: it is not read as text here.)
          const first = childrenOf(item).find((c) => tagOf(c) !== '#text' && tagOf(c) !== 'text:number');
          const opens = first && (tagOf(first) === 'text:p' || tagOf(first) === 'text:h') ? first : undefined;
          if (itemTag === 'text:list-item' && list && levels && opens) {
            const own = levels.get(depthLevel);
            const restart = numberAttr(attrsOf(item)['text:start-value']);
            const number = list.next(depthLevel, levels, restart);
            const label = own?.format === undefined ? undefined : labelOf(levels, depthLevel, number, list);
            if (label) setLabel(opens, label);
          }
          visit(childrenOf(item), depthLevel, style, list, depth + 1);
        }
        continue;
      }
      if (tag === 'text:h' && outline) {
        const a = attrsOf(n);
        const level = Math.min(Math.max(numberAttr(a['text:outline-level']) ?? 1, 1), MAX_LEVELS);
        const own = outline.get(level);
        if (a['text:is-list-header'] !== 'true' && own?.format !== undefined && counters === undefined) {
          const restart = a['text:restart-numbering'] === 'true' ? (numberAttr(a['text:start-value']) ?? own.start) : undefined;
          const label = labelOf(outline, level, headings.next(level, outline, restart), headings);
          if (label) setLabel(n, label);
        }
        continue;
      }
      if (tag && tag !== '#text') visit(childrenOf(n), level, styleName, counters, depth + 1);
    }
  };
  visit(body, 0, undefined, undefined, 0);
}

/** Keeps a label on a paragraph or heading, unless its producer wrote the number into it already (text:number). */
function setLabel(n: XNode, label: string): void {
  if (childrenOf(n).some((c) => tagOf(c) === 'text:number')) return;
  n[':@'] = { ...attrsOf(n), [LIST_LABEL]: label };
}

/** prefix, the numbers of the levels shown joined by '.', suffix; undefined when that is empty. */
function labelOf(levels: ListStyle, level: number, number: number, counters: Counters): string | undefined {
  const own = levels.get(level)!;
  const parts: string[] = [];
  for (let l = Math.max(1, level - own.display + 1); l < level; l++) {
    const up = levels.get(l);
    if (up?.format !== undefined) parts.push(formatOdf(counters.get(l, up.start), up));
  }
  parts.push(formatOdf(number, own));
  const text = `${own.prefix}${parts.filter(Boolean).join('.')}${own.suffix}`.replace(/\p{Cc}/gu, ' ');
  // A space after it, whatever the style puts there (a tab, a space, nothing and an indent), as for Word's lists.
  if (text.length > MAX_LABEL_CHARS || !text.trim()) return undefined;
  return /\s$/.test(text) ? text : `${text} `;
}

/** ODF's number formats (style:num-format): 1, a, A, i, I, or none. */
function formatOdf(n: number, s: LevelStyle): string {
  switch (s.format) {
    case '':
      return '';
    case 'a':
    case 'A': {
      const t = s.letterSync ? letters(n) : spreadsheetLetters(n);
      return s.format === 'a' ? t.toLowerCase() : t;
    }
    case 'i':
      return formatNumber(n, 'lowerRoman');
    case 'I':
      return formatNumber(n, 'upperRoman');
    default:
      return String(n);
  }
}

/** a–z, then aa, ab… (ODF's letters unless they are to stay in step). */
function spreadsheetLetters(n: number): string {
  if (n <= 0) return String(n);
  let s = '';
  for (let v = n; v > 0; v = Math.floor((v - 1) / 26)) s = String.fromCharCode(65 + ((v - 1) % 26)) + s;
  return s;
}

function readStyles(docs: XNode[][]): { lists: Map<string, ListStyle>; outline?: ListStyle } {
  const lists = new Map<string, ListStyle>();
  let outline: ListStyle | undefined;
  for (const doc of docs) {
    walk(doc, (n, tag) => {
      if (tag === 'office:body' || tag === 'office:master-styles') return false;
      if (tag === 'text:list-style') {
        const name = attrsOf(n)['style:name'];
        if (name && !lists.has(name)) lists.set(name, levelsOf(n));
        return false;
      }
      if (tag === 'text:outline-style') {
        outline ??= levelsOf(n);
        // Headings are also written inside a list in the outline style's name.
        const name = attrsOf(n)['style:name'];
        if (name && !lists.has(name)) lists.set(name, outline);
        return false;
      }
      return true;
    });
  }
  return { lists, outline };
}

function levelsOf(style: XNode): ListStyle {
  const levels: ListStyle = new Map();
  for (const l of childrenOf(style)) {
    const tag = tagOf(l);
    if (tag !== 'text:list-level-style-number' && tag !== 'text:list-level-style-bullet' && tag !== 'text:list-level-style-image' && tag !== 'text:outline-level-style') continue;
    const a = attrsOf(l);
    const level = numberAttr(a['text:level']);
    if (level === undefined || level < 1 || level > MAX_LEVELS) continue;
    const prefix = decodeXmlEntities(a['style:num-prefix'] ?? '');
    const suffix = decodeXmlEntities(a['style:num-suffix'] ?? '');
    // A prefix or suffix longer than a label can be is a hostile style: the level draws no number.
    const numbered = (tag === 'text:list-level-style-number' || tag === 'text:outline-level-style') && prefix.length + suffix.length <= MAX_LABEL_CHARS;
    levels.set(level, {
      format: numbered ? (a['style:num-format'] ?? '') : undefined,
      prefix: numbered ? prefix : '',
      suffix: numbered ? suffix : '',
      display: Math.max(1, numberAttr(a['text:display-levels']) ?? 1),
      start: numberAttr(a['text:start-value']) ?? 1,
      letterSync: a['style:num-letter-sync'] === 'true',
    });
  }
  return levels;
}

function numberAttr(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\d{1,9}\s*$/.test(v)) return undefined;
  return Number(v);
}
