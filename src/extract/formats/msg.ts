// Outlook .msg (OLE2, MS-OXMSG) via @kenjiuno/msgreader: sender, recipients, subject, date, body (plain, else HTML,
// else compressed RTF), and attachments read by their own extractors; attached messages recursively.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import iconv from 'iconv-lite';
import type { FieldsData } from '@kenjiuno/msgreader';
import { FileError } from '../../errors.js';
import { register } from '../registry.js';
import { childEntry, parseCfb, type Cfb } from '../cfb.js';
import { oleObjectFile } from '../ole-objects.js';
import { htmlToSections } from '../htmltext.js';
import { rtfBody } from './rtf.js';
import { extractAttachments, underAttachment, MAX_ATTACHMENT_DEPTH, type Attachment } from '../attachments.js';
import type { ExtractContext, Section } from '../types.js';

const require = createRequire(import.meta.url);

interface MsgReaderLike {
  parserConfig?: { ansiEncoding?: string };
  getFileData(): FieldsData;
  getAttachment(a: FieldsData): { fileName: string; content: Uint8Array };
}

function loadMsgReader(): new (data: ArrayBuffer) => MsgReaderLike {
  try {
    return (require('@kenjiuno/msgreader') as { default: new (data: ArrayBuffer) => MsgReaderLike }).default;
  } catch (e) {
    throw new FileError('failed', 'parser-unavailable', `@kenjiuno/msgreader failed to load (npm install @kenjiuno/msgreader): ${String(e)}`);
  }
}

register(['msg'], {
  version: '4',
  async extract(ctx) {
    const buf = await readFile(ctx.absPath);
    // msgreader follows sector chains and directory links unchecked: it only sees files that passed validation.
    const cfb = parseCfb(buf);
    const { reader, fields } = readMessage(buf);
    if (fields.error || fields.dataType !== 'msg') throw new FileError('failed', 'corrupt', `msg: ${fields.error ?? 'not an Outlook message'}`);
    return { sections: await messageSections(ctx, reader, fields, objectAttachments(cfb)) };
  },
});

// Messages saved in Outlook's ANSI format (97-2002, and "Outlook Message Format" without Unicode) keep their strings
// in the code page PR_MESSAGE_CODEPAGE names. msgreader reads them as Latin-1 unless told: "Расписание" came out
// "Ðàñïèñàíèå", and Western messages lost their curly quotes, dashes and euro signs (cp1252's 0x80-0x9F).
const DEFAULT_ANSI_CODEPAGE = 1252;

/** Parses the message, its 8-bit strings in its own code page (Windows' Western one when it names none). */
function readMessage(buf: Buffer): { reader: MsgReaderLike; fields: FieldsData } {
  const MsgReader = loadMsgReader();
  const parse = (codepage: number) => {
    const reader = new MsgReader(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
    reader.parserConfig = { ...reader.parserConfig, ansiEncoding: `cp${codepage}` };
    return { reader, fields: reader.getFileData() };
  };
  const first = parse(DEFAULT_ANSI_CODEPAGE);
  // Without PR_MESSAGE_CODEPAGE, the body's code page (PR_INTERNET_CPID) is the best guess at the sender's system one.
  const cp = first.fields.messageCodepage ?? first.fields.internetCodepage;
  // 1200 and 65001 (UTF-16, UTF-8) are not 8-bit ANSI code pages: a Unicode message's strings do not use it.
  if (!cp || cp === DEFAULT_ANSI_CODEPAGE || cp === 1200 || cp === 65001 || !iconv.encodingExists(`cp${cp}`)) return first;
  return parse(cp);
}

/**
 * Attachments stored as OLE objects (ATTACH_OLE: a document inserted as an object, common in RTF mail): msgreader
 * passes their storage over, so they are read like a Word document's embedded objects, matched by attachment name and,
 * among attachments of one name, by order: msgreader lists attachments in their storages' order (#00000000 up).
 */
function objectAttachments(cfb: Cfb): Map<string, (Attachment | undefined)[]> {
  const out = new Map<string, (Attachment | undefined)[]>();
  const storages = cfb.root.children.map((id) => cfb.entries.get(id)!).filter((e) => e.kind === 'storage' && /^__attach_version1\.0_#/i.test(e.name));
  for (const att of storages.sort((a, b) => (a.name.toUpperCase() < b.name.toUpperCase() ? -1 : 1))) {
    const obj = childEntry(cfb, att, '__substg1.0_3701000D');
    // An attached message has its own properties stream; msgreader reads those.
    if (obj?.kind !== 'storage' || childEntry(cfb, obj, '__properties_version1.0')) continue;
    const display = childEntry(cfb, att, '__substg1.0_3001001F') ?? childEntry(cfb, att, '__substg1.0_3707001F');
    const name = display?.kind === 'stream' ? cfb.read(display).toString('utf16le').replace(/\0+$/, '') : undefined;
    const file = oleObjectFile(cfb, obj, 'embedded object', name);
    // An object with no file inside keeps its place, so that the next of its name still meets its own attachment.
    if (name) out.set(name, [...(out.get(name) ?? []), file]);
  }
  return out;
}

async function messageSections(ctx: ExtractContext, reader: MsgReaderLike, f: FieldsData, objects = new Map<string, (Attachment | undefined)[]>()): Promise<Section[]> {
  const loc = f.subject ? { heading: f.subject } : {};
  const take = (s: Section) => ({ text: ctx.budget.take(s.text), loc: s.loc });
  const sections: Section[] = [];
  const head = headerLines(f);
  if (head.length) sections.push(take({ text: head.join('\n'), loc }));
  sections.push(...bodySections(ctx, f).map((s) => take({ text: s.text, loc: { ...loc, ...s.loc } })));
  sections.push(...(await attachmentSections(ctx, reader, f, objects)));
  return sections;
}

function headerLines(f: FieldsData): string[] {
  const who = (name?: string, addr?: string) => (name && addr && name !== addr ? `${name} <${addr}>` : name || addr || '');
  const recips = (kind: string) =>
    (f.recipients ?? []).filter((r) => (r.recipType ?? 'to') === kind).map((r) => who(r.name, smtp(r.smtpAddress, r.email, r.addressType))).filter(Boolean);
  const lines: [string, string][] = [
    ['From', who(f.senderName, smtp(f.senderSmtpAddress ?? f.sentRepresentingSmtpAddress, f.senderEmail, f.senderAddressType))],
    ['To', recips('to').join('; ')],
    ['Cc', recips('cc').join('; ')],
    ['Bcc', recips('bcc').join('; ')],
    ['Subject', f.subject ?? ''],
    ['Date', isoDate(f.clientSubmitTime ?? f.messageDeliveryTime ?? f.creationTime)],
    ['Attachments', visibleAttachments(f).map(attachmentName).join(', ')],
  ];
  return lines.filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`);
}

/** Exchange-internal senders carry an X.500 DN as their address; only an SMTP address is worth indexing. */
function smtp(smtpAddr?: string, addr?: string, type?: string): string | undefined {
  return smtpAddr || (type && type.toUpperCase() === 'EX' ? undefined : addr);
}

function isoDate(s?: string): string {
  const d = s ? new Date(s) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().replace(/\.000Z$/, 'Z') : '';
}

function bodySections(ctx: ExtractContext, f: FieldsData): Section[] {
  // A property of an unexpected type (a damaged or odd writer's file) is passed over for the next body, not fatal.
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const body = text(f.body);
  if (body?.trim()) return [{ text: body, loc: {} }];
  const html = text(f.bodyHtml) ?? (f.html instanceof Uint8Array ? decode(f.html, f.internetCodepage) : undefined);
  if (html?.trim()) return htmlToSections(html).sections;
  if (f.compressedRtf) {
    const rtf = decompressRtf(f.compressedRtf);
    if (rtf) {
      const fromRtf = rtfBody(rtf);
      return fromRtf.html ? htmlToSections(fromRtf.text).sections : [{ text: fromRtf.text, loc: {} }];
    }
    ctx.warnings.push('msg: compressed RTF body is damaged');
  }
  return [];
}

function decode(bytes: Uint8Array, codepage?: number): string {
  const cs = codepage === 65001 || !codepage ? 'utf-8' : `cp${codepage}`;
  return iconv.decode(Buffer.from(bytes), iconv.encodingExists(cs) ? cs : 'utf-8');
}

/** MS-OXRTFCP: the library trusts the declared sizes, so they are checked against the bytes that are there. */
export function decompressRtf(data: Uint8Array): string | undefined {
  if (data.length < 16) return undefined;
  const b = Buffer.from(data);
  const compSize = b.readUInt32LE(0);
  const rawSize = b.readUInt32LE(4);
  // compSize counts the 12 header bytes after itself; each compressed byte yields at most 17/9*8 bytes out.
  if (compSize + 4 > b.length || rawSize > (compSize + 4) * 16) return undefined;
  const { decompressRTF } = require('@kenjiuno/decompressrtf') as { decompressRTF: (input: number[]) => number[] };
  try {
    return Buffer.from(decompressRTF(Array.from(b.subarray(0, compSize + 4)))).toString('latin1');
  } catch {
    return undefined;
  }
}

function attachmentName(a: FieldsData): string {
  return a.fileName || a.fileNameShort || a.name || (a.innerMsgContentFields?.subject ?? 'attachment');
}

/** Inline images drawn by the HTML body (signatures, logos) are part of the body, not attachments to read. */
function visibleAttachments(f: FieldsData): FieldsData[] {
  return (f.attachments ?? []).filter((a) => !(a.attachmentHidden || (a.pidContentId && /^image\//i.test(a.attachMimeTag ?? ''))));
}

async function attachmentSections(ctx: ExtractContext, reader: MsgReaderLike, f: FieldsData, objects: Map<string, (Attachment | undefined)[]>): Promise<Section[]> {
  const out: Section[] = [];
  const files: Attachment[] = [];
  for (const a of visibleAttachments(f)) {
    const name = attachmentName(a);
    const inner = a.innerMsgContentFields;
    if (a.innerMsgContent && inner?.messageClass) {
      // An attached message: read from the same file, one level deeper, under the same budget.
      const depth = (ctx.depth ?? 0) + 1;
      if (depth > MAX_ATTACHMENT_DEPTH) {
        ctx.warnings.push(`attachment ${name}: not read: nested deeper than ${MAX_ATTACHMENT_DEPTH} levels`);
        continue;
      }
      const sub = { ...ctx, depth };
      out.push(...underAttachment(name, await messageSections(sub, reader, inner)));
      ctx.attachmentsRead = (sub.attachmentsRead ?? 0) + 1;
      continue;
    }
    if (a.dataId === undefined) {
      const obj = objects.get(a.name ?? '')?.shift();
      if (obj) files.push(obj);
      else ctx.warnings.push(`attachment ${name}: not read: the message holds no data for it (attached by reference, or an object with no file inside)`);
      continue;
    }
    try {
      files.push({ name, bytes: Buffer.from(reader.getAttachment(a).content) });
    } catch (e) {
      ctx.warnings.push(`attachment ${name}: failed: corrupt: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  out.push(...(await extractAttachments(ctx, files)));
  return out;
}
