// Legacy Word 97-2003 .doc (OLE2) via word-extractor (Word 6/95 by doc-word6.ts): body, then headers, footers, footnotes, endnotes, comments
// and text boxes, each its own section so a search hit says where the text came from.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { FileError } from '../../errors.js';
import { register } from '../registry.js';
import { parseCfb, rootEntry, type Cfb } from '../cfb.js';
import { word6Sections, isWord6Fib, WORD6_IDENT } from './doc-word6.js';
import { paragraphSections, partText } from './text.js';
import { extractAttachments } from '../attachments.js';
import { embeddedObjects } from '../ole-objects.js';
import { withEqResults } from '../doc-eq-fields.js';
import { docListLabels, textWithLabels, type WordPiece } from '../doc-list-labels.js';
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
const WORD97_IDENT = 0xa5ec;

/**
 * word-extractor 1.0.4's clean() sends Word's optional hyphen (0x1F) through a table with no entry for it, so
 * "Extra<0x1F>ordinary" came out "Extraundefinedordinary"; and it leaves the non-breaking hyphen (0x1E), which that
 * table does map, to the normaliser, which dropped it ("non-breaking" became "nonbreaking"). Its filters module is
 * patched before the extractor takes clean() from it: optional hyphens go, non-breaking ones become U+2011 (as in
 * DOCX). EQ fields, which have no result for it to keep, are given the text they show (doc-eq-fields.ts: phonetic
 * guides). A later word-extractor without the module, or without clean(), is left as it is.
 */
function patchClean(): void {
  let filters: { clean?: (s: string) => string; docprocHyphens?: true };
  try {
    filters = require('word-extractor/lib/filters.js') as typeof filters;
  } catch {
    return;
  }
  const clean = filters.clean;
  if (typeof clean !== 'function' || filters.docprocHyphens) return;
  filters.clean = (s: string) => clean(withEqResults(s.replace(/\x1f/g, '').replace(/\x1e/g, '\u2011')));
  filters.docprocHyphens = true;
}

/**
 * word-extractor looks streams up by exact name; MS-CFB names compare without regard to case, and files whose
 * writer spelled them "worddocument" or "1TABLE" open in Word. Its storage lookup falls back to any case.
 */
function caseInsensitiveStreams(): void {
  type Storage = { prototype: { stream(n: string): unknown; docprocAnyCase?: true }; };
  let S: Storage;
  try {
    S = require('word-extractor/lib/ole-storage.js') as Storage;
  } catch {
    return;
  }
  const stream = S.prototype?.stream;
  if (typeof stream !== 'function' || S.prototype.docprocAnyCase) return;
  S.prototype.stream = function (this: { _dirEntry?: { streams?: Record<string, unknown> } }, name: string) {
    const streams = this._dirEntry?.streams ?? {};
    const key = name in streams ? name : (Object.keys(streams).find((k) => k.toUpperCase() === name.toUpperCase()) ?? name);
    return stream.call(this, key);
  };
  S.prototype.docprocAnyCase = true;
}

/**
 * word-extractor reads no list numbers. Its extractor is taught to: after it has read the pieces and paragraph
 * properties, the labels of the numbered paragraphs are worked out from the same streams (doc-list-labels.ts), and the
 * body it builds is built again with them written in. Should that fail, the body stays as word-extractor read it and
 * the document says why (`listWarning`).
 */
function listNumbers(): void {
  type Extractor = {
    _pieces: (WordPiece & { text: string })[];
    _boundaries: { ccpText: number };
    docprocLabels?: Map<number, string>;
    docprocListError?: string;
  };
  type Proto = {
    writeParagraphProperties(this: Extractor, word: Buffer, table: Buffer): void;
    buildDocument(this: Extractor): { _body?: string; docprocListWarning?: string };
    docprocLists?: true;
  };
  let proto: Proto;
  let clean: (s: string) => string;
  try {
    proto = (require('word-extractor/lib/word-ole-extractor.js') as { prototype: Proto }).prototype;
    clean = (require('word-extractor/lib/filters.js') as { clean: (s: string) => string }).clean;
  } catch {
    return;
  }
  const { writeParagraphProperties, buildDocument } = proto;
  if (typeof writeParagraphProperties !== 'function' || typeof buildDocument !== 'function' || typeof clean !== 'function' || proto.docprocLists) return;
  proto.writeParagraphProperties = function (word, table) {
    writeParagraphProperties.call(this, word, table);
    try {
      this.docprocLabels = docListLabels(word, table, this._pieces, this._boundaries.ccpText);
    } catch (e) {
      this.docprocListError = e instanceof Error ? e.message : String(e);
    }
  };
  proto.buildDocument = function () {
    const doc = buildDocument.call(this);
    if (this.docprocListError) doc.docprocListWarning = `list numbers: left out (${this.docprocListError})`;
    else if (this.docprocLabels?.size) doc._body = clean(textWithLabels(this._pieces, this._boundaries.ccpText, this.docprocLabels));
    return doc;
  };
  proto.docprocLists = true;
}

function loadWordExtractor(): new () => { extract(b: Buffer): Promise<WordDocument> } {
  try {
    patchClean();
    caseInsensitiveStreams();
    listNumbers();
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
  // A letterhead's or a footer's text box (a company's notice, a confidentiality line) holds text of its own.
  ['Header and footer text boxes', (d) => d.getTextboxes({ ...RAW, includeHeadersAndFooters: true, includeBody: false })],
];

/**
 * The WordDocument stream, once the File Information Block says it is one word-extractor reads (Word 97 and later,
 * not encrypted); a Word 6/95 document is read here instead (`word6Sections`). Stream names are matched without
 * regard to case, as MS-CFB says they compare: some converters write "worddocument".
 */
function wordStream(cfb: Cfb): { fib: Buffer; word6: boolean } {
  const entry = rootEntry(cfb, 'WordDocument');
  if (!entry) throw new FileError('failed', 'corrupt', 'doc: no WordDocument stream');
  const fib = cfb.read(entry);
  if (fib.length < 0x20) throw new FileError('failed', 'corrupt', 'doc: bad File Information Block');
  const ident = fib.readUInt16LE(0);
  const nFib = fib.readUInt16LE(2);
  if ((ident === WORD6_IDENT || ident === WORD97_IDENT) && isWord6Fib(nFib)) return { fib, word6: true };
  if (ident !== WORD97_IDENT) throw new FileError('failed', 'corrupt', 'doc: bad File Information Block');
  if (nFib < 0xc1) throw new FileError('skipped', 'unsupported-legacy-format', `Word document older than Word 6 (nFib ${nFib})`);
  if (fib.readUInt16LE(0x0a) & 0x0100) throw new FileError('failed', 'encrypted', 'password-protected Word document');
  if (!rootEntry(cfb, '0Table') && !rootEntry(cfb, '1Table')) throw new FileError('failed', 'corrupt', 'doc: no table stream');
  return { fib, word6: false };
}

register(['doc'], {
  version: '6',
  async extract(ctx) {
    const buf = await readFile(ctx.absPath);
    // word-extractor walks sector chains unchecked: it only sees files that passed validation.
    const cfb = parseCfb(buf);
    const { fib, word6 } = wordStream(cfb);
    const budgeted = (sections: Section[]) => sections.map((s) => ({ text: ctx.budget.take(s.text), loc: s.loc }));
    // Embedded objects (a PDF, a spreadsheet, a file dropped in) come after the document's own text, as attachments.
    const withObjects = async (sections: Section[]) => ({ sections: [...budgeted(sections), ...(await extractAttachments(ctx, embeddedObjects(cfb)))] });
    if (word6) return withObjects(word6Sections(fib));
    const WordExtractor = loadWordExtractor();
    let doc: WordDocument;
    try {
      doc = await new WordExtractor().extract(buf);
    } catch (e) {
      throw new FileError('failed', 'corrupt', `doc: ${e instanceof Error ? e.message : String(e)}`);
    }
    const listWarning = (doc as { docprocListWarning?: string }).docprocListWarning;
    if (listWarning) ctx.warnings.push(listWarning);
    const sections: Section[] = paragraphSections(doc.getBody(RAW));
    for (const [heading, get] of PARTS) {
      const text = partText(get(doc));
      if (text) sections.push({ text, loc: { heading } });
    }
    return withObjects(sections);
  },
});
