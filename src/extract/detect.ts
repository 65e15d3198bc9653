// Type detection by content (magic bytes, zip manifest, OLE2 streams, text sniffing); extension only breaks ties for text.
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { FileError } from '../errors.js';
import { ZipArchive } from './zip.js';
import { defaultExtractOptions } from './options.js';
import { decodeUnicode, nulPattern } from './decode.js';
import { parseCfb, rootNames } from './cfb.js';
import { dbfFields } from './dbf-header.js';
import { TNEF_SIGNATURE } from './tnef-read.js';

export interface Detection {
  type: string;
  mime?: string;
  mismatch?: string;
}

const DANGEROUS_EXT = new Set(['.exe', '.bat', '.cmd', '.com', '.pif', '.scr', '.vbs', '.js', '.jar', '.sh', '.ps1', '.php', '.asp', '.aspx', '.jsp']);

// Extensions that claim a type; used for the mismatch warning and to pick a text sub-type.
const EXT_TYPE: Record<string, string> = {
  '.txt': 'txt', '.text': 'txt', '.log': 'txt', '.rst': 'txt', '.md': 'md', '.markdown': 'md', '.pdf': 'pdf',
  '.docx': 'docx', '.docm': 'docx', '.odt': 'odt', '.rtf': 'rtf', '.xlsx': 'xlsx', '.xlsm': 'xlsx', '.xlsb': 'xlsb', '.xls': 'xls',
  '.ods': 'ods', '.pptx': 'pptx', '.html': 'html', '.htm': 'html', '.xhtml': 'html', '.csv': 'csv', '.tsv': 'tsv',
  '.tab': 'tsv', '.json': 'json', '.xml': 'xml', '.eml': 'eml', '.mbox': 'mbox', '.mbx': 'mbox', '.epub': 'epub', '.png': 'png', '.jpg': 'jpeg',
  '.jpeg': 'jpeg', '.tif': 'tiff', '.tiff': 'tiff', '.bmp': 'bmp', '.webp': 'webp', '.doc': 'doc', '.ppt': 'ppt',
  '.msg': 'msg', '.zip': 'zip', '.gif': 'gif', '.vsdx': 'vsdx', '.vsdm': 'vsdx', '.vssx': 'vsdx', '.vssm': 'vsdx',
  '.vstx': 'vsdx', '.vstm': 'vsdx', '.xps': 'xps', '.oxps': 'xps', '.ibooks': 'epub', '.fodt': 'fodt', '.fodp': 'fodt',
  '.fodg': 'fodt', '.fods': 'fods', '.tar': 'tar', '.gz': 'gz', '.tgz': 'gz', '.7z': '7z', '.rar': 'rar', '.cab': 'cab', '.cpio': 'cpio', '.bz2': 'bz2', '.tbz2': 'bz2', '.tbz': 'bz2', '.xz': 'xz', '.txz': 'xz', '.z': 'Z', '.dbf': 'dbf', '.heic': 'heic', '.heif': 'heic',
};
// Text sub-types are only chosen by extension (the content being text is checked first).
const TEXT_EXT_TYPES = new Set(['txt', 'md', 'csv', 'tsv', 'json', 'xml', 'eml', 'mbox', 'html']);
const ZIP_TYPES = new Set(['docx', 'xlsx', 'xlsb', 'pptx', 'odt', 'ods', 'epub', 'vsdx', 'xps']);
const FT_MAP: Record<string, string> = { '7z': '7z', rar: 'rar', cab: 'cab', cpio: 'cpio', bz2: 'bz2', xz: 'xz', Z: 'Z', pdf: 'pdf', png: 'png', jpg: 'jpeg', tif: 'tiff', bmp: 'bmp', webp: 'webp', rtf: 'rtf', gif: 'gif', tar: 'tar', gz: 'gz', 'tar.gz': 'gz', heic: 'heic' };

const MIME: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', pdf: 'application/pdf', html: 'text/html', csv: 'text/csv',
  tsv: 'text/tab-separated-values', json: 'application/json', xml: 'application/xml', eml: 'message/rfc822', mbox: 'application/mbox',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xlsb: 'application/vnd.ms-excel.sheet.binary.macroEnabled.12',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet',
  epub: 'application/epub+zip', xls: 'application/vnd.ms-excel', rtf: 'application/rtf', png: 'image/png',
  jpeg: 'image/jpeg', tiff: 'image/tiff', bmp: 'image/bmp', webp: 'image/webp', doc: 'application/msword',
  msg: 'application/vnd.ms-outlook', tnef: 'application/vnd.ms-tnef', ppt: 'application/vnd.ms-powerpoint', vsdx: 'application/vnd.ms-visio.drawing',
  xps: 'application/vnd.ms-xpsdocument', fodt: 'application/vnd.oasis.opendocument.text-flat-xml',
  fods: 'application/vnd.oasis.opendocument.spreadsheet-flat-xml', zip: 'application/zip', tar: 'application/x-tar',
  gz: 'application/gzip', '7z': 'application/x-7z-compressed', rar: 'application/vnd.rar', cab: 'application/vnd.ms-cab-compressed', cpio: 'application/x-cpio', bz2: 'application/x-bzip2', xz: 'application/x-xz', Z: 'application/x-compress', dbf: 'application/dbf', heic: 'image/heic', gif: 'image/gif',
};

/** Returns the content type; throws FileError(skipped: dangerous-type | unsupported-legacy-format; failed: encrypted | unreadable). */
export async function detectType(absPath: string): Promise<Detection> {
  const ext = path.extname(absPath).toLowerCase();
  if (DANGEROUS_EXT.has(ext)) throw new FileError('skipped', 'dangerous-type', `extension ${ext}`);
  let head: Buffer;
  try {
    head = await readHead(absPath, 8192);
  } catch (e) {
    // A file that vanished or is unreadable is that file's status, like every other detection outcome.
    throw new FileError('failed', 'unreadable', e instanceof Error ? e.message : String(e));
  }
  const exe = executableKind(head);
  if (exe) throw new FileError('skipped', 'dangerous-type', exe);
  const type = await contentType(absPath, head, ext);
  const det: Detection = { type, mime: MIME[type] };
  const claimed = EXT_TYPE[ext];
  if (claimed && claimed !== type && !(TEXT_EXT_TYPES.has(claimed) && TEXT_EXT_TYPES.has(type))) {
    det.mismatch = `type-mismatch: extension ${ext} but content is ${type}`;
  }
  return det;
}

async function contentType(absPath: string, head: Buffer, ext: string): Promise<string> {
  if (head.length === 0) return EXT_TYPE[ext] && TEXT_EXT_TYPES.has(EXT_TYPE[ext]!) ? EXT_TYPE[ext]! : 'txt';
  if (head.subarray(0, 1024).includes('%PDF-')) return 'pdf'; // PDFs may carry junk before the header
  if (u32be(head) === 0xd0cf11e0) return oleType(absPath, ext);
  if (u32le(head) === TNEF_SIGNATURE) return 'tnef';
  if (bareBiff(head)) return 'xls';
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) {
    const zt = await zipType(absPath);
    // A zip of no kind docproc reads is an archive when it is named one, or named without an extension (an e-mail's
    // attachment named by its MIME type, an archive's member): its members are read. Under another extension it is some
    // application's package (.jar, .apk, .idml, an Office theme), whose parts are not documents.
    if (zt) return zt === 'zip' && ext !== '.zip' && ext !== '' ? 'package' : zt;
    // An unreadable zip named .docx etc. goes to that extractor, which reports it as corrupt.
    const claimed = EXT_TYPE[ext];
    return claimed && ZIP_TYPES.has(claimed) ? claimed : ext === '.zip' ? 'zip' : 'package';
  }
  // A dBase table has no magic number: its name, and a header that holds together, say what it is.
  if (ext === '.dbf' && dbfFields(head)) return 'dbf';
  const m4 = head.subarray(0, 4).toString('latin1');
  if (m4 === 'II*\0' || m4 === 'MM\0*') return 'tiff'; // file-type needs more than the head to classify TIFF variants
  // cpio's portable headers are text: six digits of magic, then fixed fields of hex (newc) or octal (odc) digits.
  if (/^07070[12][0-9A-Fa-f]{104}|^070707[0-7]{70}/.test(head.subarray(0, 110).toString('latin1'))) return 'cpio';
  const ft = await fileTypeFromBuffer(head).catch(() => undefined);
  // Magic of a few printable bytes ("BZh", "070707") starts text files too: such a head that reads as text is text.
  if (ft && WEAK_MAGIC.has(ft.ext) && looksText(head)) return sniffTextType(head, ext);
  // "BM" is a two-byte magic: a text file starting "BMI-1 …" is not a bitmap unless the header holds up.
  if (ft && FT_MAP[ft.ext] && !(ft.ext === 'bmp' && !plausibleBmp(head))) return FT_MAP[ft.ext]!;
  // Weak magic (mp1, some audio) matches text files too: text wins when the bytes look like text.
  if (!looksText(head)) return ft ? ft.ext : 'binary';
  return sniffTextType(head, ext);
}

const WEAK_MAGIC = new Set(['bz2', 'cpio']);

/** A text file's sub-type: by its extension where that names one, else by its content. */
function sniffTextType(head: Buffer, ext: string): string {
  const byExt = EXT_TYPE[ext];
  if (byExt && TEXT_EXT_TYPES.has(byExt)) return byExt;
  return sniffText(head);
}

// The substream a BOF record opens: workbook globals, VB module, worksheet, chart, macro sheet, Excel 4 workbook.
const BIFF_SUBSTREAMS = new Set([0x0005, 0x0006, 0x0010, 0x0020, 0x0040, 0x0100]);

/**
 * A worksheet or workbook saved by Excel 2.x to 4.0: a bare BIFF stream (no OLE2 container), its first record a BOF
 * (0x0009, 0x0209 or 0x0409; version, then the substream's kind). SheetJS reads it like any .xls.
 */
function bareBiff(h: Buffer): boolean {
  if (h.length < 8 || h[0] !== 0x09 || (h[1] !== 0x00 && h[1] !== 0x02 && h[1] !== 0x04)) return false;
  const length = h.readUInt16LE(2);
  return length >= 4 && length <= 16 && BIFF_SUBSTREAMS.has(h.readUInt16LE(6));
}

/** Distinguishes .xls / .doc / .ppt / .msg / encrypted OOXML by the streams at the root of the CFB directory. */
async function oleType(absPath: string, ext: string): Promise<string> {
  const kind = (await oleKindFromDirectory(absPath)) ?? (await oleKindFromBytes(absPath, ext));
  if (kind === 'encrypted') throw new FileError('failed', 'encrypted', 'password-protected Office document');
  if (OLE_TYPES.has(kind)) return kind;
  throw new FileError('skipped', 'unsupported-legacy-format', `legacy ${kind} (OLE2)`);
}

const OLE_TYPES = new Set(['xls', 'doc', 'msg', 'ppt']);
// Reading the directory means reading the file; past this size the name search below decides.
const MAX_OLE_PARSE_BYTES = 64 * 1024 * 1024;

async function oleKindFromDirectory(absPath: string): Promise<string | undefined> {
  let names: string[];
  try {
    if ((await stat(absPath)).size > MAX_OLE_PARSE_BYTES) return undefined;
    names = rootNames(parseCfb(await readFile(absPath)));
  } catch {
    return undefined; // damaged: the name search guesses, and the extractor reports what is wrong
  }
  // MS-CFB compares names without regard to case; some writers spell them "worddocument".
  const upper = names.map((n) => n.toUpperCase());
  const has = (n: string) => upper.includes(n.toUpperCase());
  if (has('EncryptedPackage')) return 'encrypted';
  if (has('WordDocument')) return 'doc';
  if (has('PowerPoint Document')) return 'ppt';
  if (has('Workbook') || has('Book')) return 'xls';
  if (upper.some((n) => n.startsWith('__SUBSTG1.0_') || n === '__PROPERTIES_VERSION1.0')) return 'msg';
  return undefined;
}

/** For files whose directory can't be read: stream names anywhere in the first 4 MB, then the extension. */
async function oleKindFromBytes(absPath: string, ext: string): Promise<string> {
  const buf = await readHead(absPath, 4 * 1024 * 1024);
  const has = (name: string) => buf.includes(Buffer.from(name, 'utf16le'));
  if (has('EncryptedPackage')) return 'encrypted';
  if (!has('WordDocument') && !has('PowerPoint Document') && (has('Workbook') || has('Book\0') || ext === '.xls')) return 'xls';
  return has('WordDocument') ? 'doc' : has('PowerPoint Document') ? 'ppt' : has('__substg1.0_') ? 'msg' : ext.slice(1) || 'ole2';
}

/** Identifies OOXML / ODF / EPUB / XPS / Visio from the zip manifest; a plain zip is 'zip' (an archive: its members are read). */
async function zipType(absPath: string): Promise<string | undefined> {
  let z: ZipArchive;
  try {
    z = await ZipArchive.open(absPath, defaultExtractOptions.zip);
  } catch {
    return undefined;
  }
  try {
    if (z.has('mimetype')) {
      const m = (await z.readText('mimetype', 256)).trim();
      // Apple's iBooks Author wrote EPUBs under its own mimetype (.ibooks): the same package, read as one.
      if (m === 'application/epub+zip' || m === 'application/x-ibooks+zip') return 'epub';
      // Presentations and drawings are read by the same reader (their pages as slides).
      if (m === 'application/vnd.oasis.opendocument.text' || m === 'application/vnd.oasis.opendocument.presentation' || m === 'application/vnd.oasis.opendocument.graphics') return 'odt';
      if (m === 'application/vnd.oasis.opendocument.spreadsheet') return 'ods';
    }
    if (z.has('[Content_Types].xml')) {
      const ct = await z.readText('[Content_Types].xml', 1024 * 1024);
      if (ct.includes('wordprocessingml.document.main') || ct.includes('word.document.macroEnabled')) return 'docx';
      if (ct.includes('spreadsheetml.sheet.main') || ct.includes('ms-excel.sheet.macroEnabled')) return 'xlsx';
      // Excel's binary workbook: the same package, its parts in records (xl/workbook.bin) rather than XML.
      if (ct.includes('ms-excel.sheet.binary.macroEnabled.main')) return 'xlsb';
      // Visio 2013+: drawings, stencils and templates, macro-enabled or not.
      if (/ms-visio\.(drawing|stencil|template)(\.macroEnabled)?\.main\+xml/.test(ct)) return 'vsdx';
      // XPS and OpenXPS: a fixed-layout document (Windows' "Microsoft XPS Document Writer").
      if (ct.includes('xps-fixeddocumentsequence+xml')) return 'xps';
      // An Office theme (.thmx) is packaged as a presentation of layouts and masters, and holds only their prompts.
      if (ct.includes('officedocument.themeManager+xml')) return 'zip';
      if (ct.includes('presentationml.presentation.main') || ct.includes('ms-powerpoint.presentation.macroEnabled')) return 'pptx';
    }
    // Manifests are sometimes missing in hand-made files; fall back on the main part's name.
    if (z.has('word/document.xml')) return 'docx';
    if (z.has('xl/workbook.xml')) return 'xlsx';
    if (z.has('xl/workbook.bin')) return 'xlsb';
    if (z.has('ppt/presentation.xml')) return 'pptx';
    if (z.has('visio/document.xml')) return 'vsdx';
    if (z.has('FixedDocumentSequence.fdseq') || z.has('FixedDocSeq.fdseq')) return 'xps';
    if (z.has('_rels/.rels') && /\/fixedrepresentation["']/.test(await z.readText('_rels/.rels', 64 * 1024))) return 'xps';
    if (z.has('content.xml') && z.has('META-INF/manifest.xml')) return 'odt';
    // A damaged zip whose surviving entries do not tell its kind (a .docx cut before its manifest and document): the
    // extension decides, as for one that cannot be opened, so that it fails as the damaged document it is rather
    // than as an unsupported package.
    return z.salvaged ? undefined : 'zip';
  } catch {
    // A manifest that won't inflate (a lying size, say): like an unreadable zip, the extension decides.
    return undefined;
  } finally {
    z.close();
  }
}

function executableKind(b: Buffer): string | undefined {
  if (b.length < 2) return undefined;
  if (b[0] === 0x23 && b[1] === 0x21) return 'shebang script';
  if (b[0] === 0x4d && b[1] === 0x5a) return 'PE/MZ executable';
  const m = u32be(b);
  if (m === 0x7f454c46) return 'ELF executable';
  if (m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe) return 'Mach-O executable';
  if (m === 0xcafebabe) return 'Mach-O universal / Java class';
  return undefined;
}

/** Text if there are no NULs (or NULs in a UTF-16/32 pattern) and few control bytes. */
export function looksText(b: Buffer): boolean {
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) return true;
  if (u32be(b) === 0x0000feff) return true;
  if (nulPattern(b)) return true;
  let nul = 0;
  let ctl = 0;
  for (const c of b) {
    if (c === 0) nul++;
    else if (c < 9 || (c > 13 && c < 32 && c !== 27)) ctl++;
  }
  if (nul > 0) {
    // UTF-16/32 without BOM was accepted above; more than a stray NUL (stripped later) means binary.
    if (nul > Math.max(2, b.length * 0.005)) return false;
  }
  return ctl <= b.length * 0.02;
}

function sniffText(head: Buffer): string {
  const whole = decodeForSniff(head).trimStart();
  const s = whole.slice(0, 2048).toLowerCase();
  // A web archive (.mht: Word's and Internet Explorer's "Web Page, single file") is a MIME message whose first part is
  // the page: its HTML is read as an e-mail's body, not its headers and base64 pictures as a page's text.
  if (mimeHeaders(s)) return 'eml';
  // A mailbox: a "From sender weekday … year" line, then a message's headers.
  if (/^From \S*[ \t]+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b[^\n]*\d{4}[^\n]*\r?\n[A-Za-z0-9-]+:/.test(whole)) return 'mbox';
  if (/^(<\?xml[^>]*>\s*)?<!doctype html|^<html[\s>]|<html[\s>][\s\S]*<(head|body)[\s>]/.test(s)) return 'html';
  // Flat OpenDocument: a whole text, presentation, drawing or spreadsheet as one XML file (office:document).
  // Its root names the kind, after some 2 KB of namespace declarations.
  const flat = rootAfterProlog(s).startsWith('<office:document') && /^[^>]*office:mimetype="application\/vnd\.oasis\.opendocument\.(\w+)"/.exec(whole.slice(whole.indexOf('<office:document')));
  if (flat) return flat[1] === 'spreadsheet' ? 'fods' : 'fodt';
  if (s.startsWith('<?xml')) return 'xml';
  if (/^(\{|\[)\s*["{[\d\]}]/.test(s)) return 'json';
  if (/^(received|from|return-path|message-id|mime-version|delivered-to|date|subject|to):/m.test(s.slice(0, 400)) && /^subject:/m.test(s) && /^(from|to):/m.test(s)) return 'eml';
  return 'txt';
}

/** Whether the text opens with a block of MIME headers (every line a header or its continuation) naming MIME-Version. */
function mimeHeaders(s: string): boolean {
  const end = s.search(/\r?\n\r?\n/);
  if (end < 0) return false;
  const lines = s.slice(0, end).split(/\r?\n/);
  return lines.every((l) => /^[a-z0-9-]+:|^[ \t]/.test(l)) && lines.some((l) => l.startsWith('mime-version:'));
}

/**
 * The text from the root element on: the XML declaration, comments and whitespace before it skipped by a scan. A regex
 * with a repeated lazy comment group backtracked exponentially on a head of many "<!---->" (30 took 3.8 s).
 */
function rootAfterProlog(s: string): string {
  let i = 0;
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    const end = s.startsWith('<?', i) ? s.indexOf('?>', i) : s.startsWith('<!--', i) ? s.indexOf('-->', i + 4) : -2;
    if (end === -2) return s.slice(i);
    if (end < 0) return '';
    i = end + (s[end] === '?' ? 2 : 3);
  }
}

function decodeForSniff(b: Buffer): string {
  return decodeUnicode(b, 'latin1');
}

/**
 * The first n bytes. Read synchronously: a few kilobytes cost microseconds, where each promise-based call is a trip
 * through libuv's thread pool (open, read, close: three per file), CPU the embedding model shares on small machines.
 * Extraction runs in its own child process, one file at a time, so nothing else waits on it.
 */
export async function readHead(absPath: string, n: number): Promise<Buffer> {
  const fd = openSync(absPath, 'r');
  try {
    const buf = Buffer.alloc(n);
    const bytesRead = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

/** A real BMP names a known DIB header size at offset 14. */
function plausibleBmp(head: Buffer): boolean {
  const dib = u32le(head, 14);
  return dib !== undefined && [12, 16, 40, 52, 56, 64, 108, 124].includes(dib);
}

// Files of a few bytes are normal (stubs, "ok" markers): magic numbers are read through these, which answer
// undefined past the end instead of throwing a RangeError that would fail the file.
function u32be(b: Buffer, at = 0): number | undefined {
  return b.length >= at + 4 ? b.readUInt32BE(at) : undefined;
}

function u32le(b: Buffer, at = 0): number | undefined {
  return b.length >= at + 4 ? b.readUInt32LE(at) : undefined;
}
