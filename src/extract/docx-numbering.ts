// Word's automatic numbering: the "1.", "2.3", "(a)" and "iv." that Word draws before list items and numbered
// headings are not in the text, only in numbering.xml's definitions. A contract's "14.2" or a manual's "Step 3" is
// what users search for and what answers cite, so each numbered paragraph's label is worked out as Word counts.
import { attrsOf, childrenOf, decodeXmlEntities, parseOrdered, tagOf, type XNode } from './xml.js';
import { formatNumber } from './list-number-format.js';

/** One level of a list definition (ECMA-376 §17.9.6 w:lvl; a .doc's LVL is read into the same shape). */
export interface Level {
  start: number;
  format: string;
  /** The label's pattern: "%1.%2." stands for the first two levels' numbers. Undefined: the level draws none. */
  text?: string;
  /** Restart after a use of a level above this 1-based one (0: never); undefined: after any level above. */
  restartAfter?: number;
  /** Legal numbering: every level's number in Arabic digits ("1.1" under a "Chapter I"). */
  legal: boolean;
  /** The paragraph style this level belongs to (a numbered heading style). */
  style?: string;
}

interface AbstractList {
  levels: Map<number, Level>;
  /** Defined by the numbering style of this name (w:numStyleLink): its levels live in another list. */
  styleLink?: string;
}

interface ListInstance {
  abstractId: string;
  /** Levels this instance restarts at a number of its own (w:startOverride) or redefines (w:lvl). */
  overrides: Map<number, { start?: number; level?: Level }>;
  /** Whether any level restarts (a startOverride): then the instance counts on its own. */
  restarts: boolean;
}

interface StyleDef { basedOn?: string; numId?: string; ilvl?: number }

const MAX_LEVELS = 9;
// Word's own labels are a few characters ("Article 12.3(b)"); a longer pattern is a hostile file, whose label on every
// paragraph would multiply the text. Such a label is left out.
const MAX_LABEL_CHARS = 100;
// A level's pattern is read only up to this length (a longer one draws no label): it is expanded for every paragraph.
export const MAX_PATTERN_CHARS = 256;
// Style and numbering-style chains longer than this are a loop or a hostile file.
const MAX_CHAIN = 16;

/** Where a list's levels come from: the level a list uses, the key its counters are kept under, its start. */
export interface LevelSource {
  level(list: string, ilvl: number): { level: Level; key: string; start: number } | undefined;
}

/** The list definitions of a document: numbering.xml and the styles that carry numbering. */
export class ListDefinitions implements LevelSource {
  private readonly abstracts = new Map<string, AbstractList>();
  private readonly instances = new Map<string, ListInstance>();
  private readonly styles = new Map<string, StyleDef>();

  constructor(numberingXml: string | undefined, stylesXml: string | undefined) {
    if (stylesXml) this.readStyles(parseOrdered(stylesXml));
    if (numberingXml) this.readNumbering(parseOrdered(numberingXml));
  }

  get empty(): boolean {
    return this.instances.size === 0;
  }

  /**
   * The list a paragraph belongs to and its level, from its own numbering (w:numPr) and its style's; undefined when it
   * is not numbered (numId 0 takes a style's numbering away).
   */
  resolve(numId: string | undefined, ilvl: number | undefined, styleId: string | undefined): { numId: string; ilvl: number } | undefined {
    const style = styleId === undefined ? undefined : this.styleNumbering(styleId);
    const id = numId ?? style?.numId;
    if (id === undefined || id === '0' || !this.instances.has(id)) return undefined;
    const level = ilvl ?? (numId === undefined ? style?.ilvl : undefined) ?? (styleId === undefined ? undefined : this.levelOfStyle(id, styleId)) ?? 0;
    return level >= 0 && level < MAX_LEVELS ? { numId: id, ilvl: level } : undefined;
  }

  /** The level definition an instance uses, its own override first; with the key its counters are kept under. */
  level(numId: string, ilvl: number): { level: Level; key: string; start: number } | undefined {
    const inst = this.instances.get(numId);
    if (!inst) return undefined;
    const abs = this.abstractOf(inst.abstractId);
    const over = inst.overrides.get(ilvl);
    const level = over?.level ?? abs?.list.levels.get(ilvl);
    if (!level) return undefined;
    // Instances of one definition count on together, as Word does, even one that redraws a level ("1", then "B", "C"
    // in letters, then "4"); one that restarts a level (w:startOverride) counts on its own.
    const key = inst.restarts ? `num:${numId}` : `abs:${abs?.id ?? inst.abstractId}`;
    return { level, key, start: over?.start ?? level.start };
  }

  private styleNumbering(styleId: string): { numId?: string; ilvl?: number } | undefined {
    let numId: string | undefined;
    let ilvl: number | undefined;
    for (let s = this.styles.get(styleId), n = 0; s && n < MAX_CHAIN; s = s.basedOn ? this.styles.get(s.basedOn) : undefined, n++) {
      numId ??= s.numId;
      ilvl ??= s.ilvl;
    }
    return numId === undefined && ilvl === undefined ? undefined : { numId, ilvl };
  }

  private levelOfStyle(numId: string, styleId: string): number | undefined {
    const inst = this.instances.get(numId);
    const abs = inst && this.abstractOf(inst.abstractId);
    for (const [i, l] of abs?.list.levels ?? []) if (l.style === styleId) return i;
    return undefined;
  }

  /** A definition, following numbering-style links (w:numStyleLink → a style's list → its definition). */
  private abstractOf(id: string): { id: string; list: AbstractList } | undefined {
    for (let n = 0; n < MAX_CHAIN; n++) {
      const list = this.abstracts.get(id);
      if (!list?.styleLink) return list && { id, list };
      const linked = this.styles.get(list.styleLink)?.numId;
      const next = linked === undefined ? undefined : this.instances.get(linked)?.abstractId;
      if (next === undefined || next === id) return { id, list };
      id = next;
    }
    return undefined;
  }

  private readStyles(doc: XNode[]): void {
    for (const style of elements(rootChildren(doc, 'styles'), 'style')) {
      const id = attr(style, 'styleId');
      if (id === undefined) continue;
      const def: StyleDef = { basedOn: attr(first(style, 'basedOn'), 'val') };
      const numPr = first(first(style, 'pPr'), 'numPr');
      if (numPr) {
        def.numId = attr(first(numPr, 'numId'), 'val');
        def.ilvl = intAttr(first(numPr, 'ilvl'));
      }
      this.styles.set(id, def);
    }
  }

  private readNumbering(doc: XNode[]): void {
    const top = rootChildren(doc, 'numbering');
    for (const a of elements(top, 'abstractNum')) {
      const id = attr(a, 'abstractNumId');
      if (id === undefined) continue;
      const levels = new Map<number, Level>();
      for (const l of elements(childrenOf(a), 'lvl')) {
        const i = intAttr(l, 'ilvl') ?? 0;
        if (i >= 0 && i < MAX_LEVELS && !levels.has(i)) levels.set(i, readLevel(l));
      }
      this.abstracts.set(id, { levels, styleLink: attr(first(a, 'numStyleLink'), 'val') });
    }
    for (const n of elements(top, 'num')) {
      const id = attr(n, 'numId');
      const abstractId = attr(first(n, 'abstractNumId'), 'val');
      if (id === undefined || abstractId === undefined) continue;
      const overrides = new Map<number, { start?: number; level?: Level }>();
      for (const o of elements(childrenOf(n), 'lvlOverride')) {
        const i = intAttr(o, 'ilvl');
        if (i === undefined || i < 0 || i >= MAX_LEVELS) continue;
        const lvl = first(o, 'lvl');
        const start = intAttr(first(o, 'startOverride'));
        if (lvl || start !== undefined) overrides.set(i, { start, level: lvl && readLevel(lvl) });
      }
      this.instances.set(id, { abstractId, overrides, restarts: [...overrides.values()].some((o) => o.start !== undefined) });
    }
  }
}

/** A level's pattern, or undefined (no label) for one longer than any real label's. */
export function patternOf(text: string | undefined): string | undefined {
  return text !== undefined && text.length <= MAX_PATTERN_CHARS ? text : undefined;
}

function readLevel(l: XNode): Level {
  const restart = intAttr(first(l, 'lvlRestart'));
  const text = first(l, 'lvlText');
  return {
    // The schema's default: a level without a start counts from 0 ("0th", "00" in Tika's list tests, as Word shows).
    start: intAttr(first(l, 'start')) ?? 0,
    format: attr(first(l, 'numFmt'), 'val') ?? 'decimal',
    text: patternOf(text ? (attr(text, 'val') ?? '') : undefined),
    restartAfter: restart,
    legal: onOff(first(l, 'isLgl')),
    style: attr(first(l, 'pStyle'), 'val'),
  };
}

/** Counts a document's numbered paragraphs in order, giving each its label. */
export class ListCounter {
  private readonly counts = new Map<string, (number | undefined)[]>();

  constructor(private readonly defs: LevelSource) {}

  /** The label of the next paragraph at this level of this list ("2.3. "), or undefined when Word draws none. */
  next(numId: string, ilvl: number): string | undefined {
    const found = this.defs.level(numId, ilvl);
    if (!found) return undefined;
    const { key } = found;
    let counts = this.counts.get(key);
    if (!counts) this.counts.set(key, (counts = []));
    // Levels above that this list skipped count as used at their start: after "2.a.I", the next second-level item is
    // "2.b".
    for (let k = 0; k < ilvl; k++) counts[k] ??= this.defs.level(numId, k)?.start;
    counts[ilvl] = counts[ilvl] === undefined ? found.start : counts[ilvl]! + 1;
    for (let k = ilvl + 1; k < MAX_LEVELS; k++) {
      const r = this.defs.level(numId, k)?.level.restartAfter;
      if (r === undefined || (r !== 0 && ilvl < r)) counts[k] = undefined;
    }
    const { level } = found;
    if (level.format === 'bullet' || !level.text) return undefined;
    // "%%" is a literal percent sign (a .doc's number text may hold one); "%n" the nth level's number.
    const label = level.text.replace(/%%|%([1-9])/g, (m, d: string | undefined) => {
      if (!d) return '%';
      const k = Number(d) - 1;
      const at = this.defs.level(numId, k);
      if (!at) return '';
      const n = counts![k] ?? at.start;
      return formatNumber(n, level.legal && k < ilvl ? 'decimal' : at.level.format);
    });
    // A space after the label, whatever follows it in the document (a tab, a space, or nothing and an indent: the
    // Word 97 export of LibreOffice's lists says nothing, and "(1)Vessels" would read as one word).
    // Control characters are not text (and a .doc's field marks would make word-extractor drop what follows).
    const clean = label.replace(/\p{Cc}/gu, ' ');
    if (!clean.trim() || clean.length > MAX_LABEL_CHARS) return undefined;
    return /\s$/.test(clean) ? clean : `${clean} `;
  }
}

// Elements by local name: Word writes the "w" prefix, but the prefix is the writer's choice.
function local(tag: string | undefined): string | undefined {
  return tag?.slice(tag.indexOf(':') + 1);
}

function rootChildren(doc: XNode[], name: string): XNode[] {
  const root = doc.find((n) => local(tagOf(n)) === name);
  return root ? childrenOf(root) : [];
}

function elements(nodes: XNode[], name: string): XNode[] {
  return nodes.filter((n) => local(tagOf(n)) === name);
}

function first(n: XNode | undefined, name: string): XNode | undefined {
  return n && childrenOf(n).find((c) => local(tagOf(c)) === name);
}

function attr(n: XNode | undefined, name: string): string | undefined {
  if (!n) return undefined;
  for (const [k, v] of Object.entries(attrsOf(n))) if (k === name || k.endsWith(`:${name}`)) return decodeXmlEntities(v);
  return undefined;
}

function intAttr(n: XNode | undefined, name = 'val'): number | undefined {
  const v = attr(n, name);
  if (v === undefined || !/^-?\d{1,9}$/.test(v.trim())) return undefined;
  return Number(v);
}

function onOff(n: XNode | undefined): boolean {
  if (!n) return false;
  const v = attr(n, 'val');
  return v === undefined || !['0', 'false', 'off'].includes(v);
}
