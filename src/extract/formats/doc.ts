// Legacy Word 97-2003 .doc (OLE2) via word-extractor: body, then headers, footers, footnotes, endnotes, comments
// and text boxes, each its own section so a search hit says where the text came from.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { FileError } from '../../errors.js';
import { register } from '../registry.js';
import { parseCfb, rootNames, type Cfb } from '../cfb.js';
import { paragraphSections } from './text.js';
import type { Section } from '../types.js';

const require = createRequire(import.meta.url);

interface Raw {
  filterUnicode?: boolean;
}
interface WordDocument {
  getBody(o?: Raw): string;
  getHeaders(o?: Raw & { includeFooters?: boolean }): string;
  getFooters(o?: Raw): string;
  getFootnotes(o?: Raw): string;
  getEndnotes(o?: Raw): string;
  getAnnotations(o?: Raw): string;
  getTextboxes(o?: Raw & { includeHeadersAndFooters?: boolean; includeBody?: boolean }): string;
}

// word-extractor turns curly quotes, en and em dashes and en/em spaces into ASCII by default: the text is kept as
// written, as the DOCX extractor keeps it ("Harbour – Island", not "Harbour - Island").
const RAW: Raw = { filterUnicode: false };

/**
 * word-extractor 1.0.4's clean() sends Word's optional hyphen (0x1F) through a table with no entry for it, so
 * "Extra<0x1F>ordinary" came out "Extraundefinedordinary"; and it leaves the non-breaking hyphen (0x1E), which that
 * table does map, to the normaliser, which dropped it ("non-breaking" became "nonbreaking"). Its filters module is
 * patched before the extractor takes clean() from it: optional hyphens go, non-breaking ones become U+2011 (as in
 * DOCX). A later word-extractor without the module, or without clean(), is left as it is.
 */
function fixHyphens(): void {
  let filters: { clean?: (s: string) => string; docprocHyphens?: true };
  try {
    filters = require('word-extractor/lib/filters.js') as typeof filters;
  } catch {
    return;
  }
  const clean = filters.clean;
  if (typeof clean !== 'function' || filters.docprocHyphens) return;
  filters.clean = (s: string) => clean(s.replace(/\x1f/g, '').replace(/\x1e/g, '\u2011'));
  filters.docprocHyphens = true;
}

function loadWordExtractor(): new () => { extract(b: Buffer): Promise<WordDocument> } {
  try {
    fixHyphens();
    return require('word-extractor') as new () => { extract(b: Buffer): Promise<WordDocument> };
  } catch (e) {
    throw new FileError('failed', 'parser-unavailable', `word-extractor failed to load (npm install word-extractor): ${String(e)}`);
  }
}

// Parts after the body, in reading order; the heading tells a search hit which part it is in.
const PARTS: [string, (d: WordDocument) => string][] = [
  ['Header', (d) => d.getHeaders({ ...RAW, includeFooters: false })],
  ['Footer', (d) => d.getFooters(RAW)],
  ['Footnotes', (d) => d.getFootnotes(RAW)],
  ['Endnotes', (d) => d.getEndnotes(RAW)],
  ['Comments', (d) => d.getAnnotations(RAW)],
  ['Text boxes', (d) => d.getTextboxes({ ...RAW, includeHeadersAndFooters: false, includeBody: true })],
];

/** The File Information Block says what word-extractor cannot tell: Word 6/95, or encrypted. */
function checkFib(cfb: Cfb): void {
  const entry = cfb.root.children.map((id) => cfb.entries.get(id)!).find((e) => e.name === 'WordDocument' && e.kind === 'stream');
  if (!entry) throw new FileError('failed', 'corrupt', 'doc: no WordDocument stream');
  const fib = cfb.read(entry);
  if (fib.length < 0x20 || fib.readUInt16LE(0) !== 0xa5ec) throw new FileError('failed', 'corrupt', 'doc: bad File Information Block');
  const nFib = fib.readUInt16LE(2);
  if (nFib < 0xc1) throw new FileError('skipped', 'unsupported-legacy-format', `Word 6/95 document (nFib ${nFib})`);
  if (fib.readUInt16LE(0x0a) & 0x0100) throw new FileError('failed', 'encrypted', 'password-protected Word document');
  const names = rootNames(cfb);
  if (!names.includes('0Table') && !names.includes('1Table')) throw new FileError('failed', 'corrupt', 'doc: no table stream');
}

register(['doc'], {
  version: '1',
  async extract(ctx) {
    const buf = await readFile(ctx.absPath);
    // word-extractor walks sector chains unchecked: it only sees files that passed validation.
    checkFib(parseCfb(buf));
    const WordExtractor = loadWordExtractor();
    let doc: WordDocument;
    try {
      doc = await new WordExtractor().extract(buf);
    } catch (e) {
      throw new FileError('failed', 'corrupt', `doc: ${e instanceof Error ? e.message : String(e)}`);
    }
    const sections: Section[] = paragraphSections(doc.getBody(RAW));
    for (const [heading, get] of PARTS) {
      const text = get(doc).replace(/^\s+/gm, '').trim();
      if (text) sections.push({ text, loc: { heading } });
    }
    return { sections: sections.map((s) => ({ text: ctx.budget.take(s.text), loc: s.loc })) };
  },
});
