// EML (RFC 822/MIME): From/To/Subject/Date + body (text/plain preferred, else HTML), QP/base64 decoded, attachments
// listed and read by their own extractors (attachments.ts).
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { register } from '../registry.js';
import { htmlToSections } from '../htmltext.js';
import { decodeBuffer } from '../decode.js';
import { extractAttachments, type Attachment } from '../attachments.js';
import type { Section } from '../types.js';

interface Part {
  headers: Map<string, string>;
  body: Buffer;
}

const MAX_DEPTH = 20;

function splitHeaders(raw: Buffer): Part {
  const s = raw.toString('latin1');
  // Blank lines first: headers after them (a file saved with a stray newline) are read as headers; otherwise there are
  // none (a bare mbox message, a MIME part), and the body starts after the first blank line.
  const lead = /^(?:\r?\n)+/.exec(s)?.[0].length ?? 0;
  const headed = /^[A-Za-z0-9-]+:/.test(s.slice(lead, lead + 80));
  const from = headed ? lead : 0;
  const m = lead && !headed ? /^\r?\n/.exec(s) : /\r?\n\r?\n/.exec(s.slice(from));
  const headEnd = m ? from + m.index : s.length;
  const bodyStart = m ? from + m.index + m[0].length : s.length;
  const headers = new Map<string, string>();
  // Unfold continuation lines, then split "Name: value".
  for (const line of s.slice(from, headEnd).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase();
      if (!headers.has(k)) headers.set(k, line.slice(i + 1).trim());
    }
  }
  return { headers, body: raw.subarray(Buffer.byteLength(s.slice(0, bodyStart), 'latin1')) };
}

function param(h: string | undefined, name: string): string | undefined {
  if (!h) return undefined;
  const m = new RegExp(`${name}\\*?\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(h);
  const v = m?.[1] ?? m?.[2];
  // RFC 2231: charset''percent-encoded
  const ext = v && /^([\w-]+)'[^']*'(.*)$/.exec(v);
  if (ext) return safeDecode(Buffer.from(decodeURIComponent(ext[2]!.replace(/%(?![0-9a-f]{2})/gi, '%25')), 'utf8'), 'utf-8');
  return v ? decodeWords(v) : undefined;
}

function safeDecode(b: Buffer, charset: string): string {
  const cs = charset.toLowerCase();
  return iconv.encodingExists(cs) ? iconv.decode(b, cs) : decodeBuffer(b).text;
}

/** RFC 2047 encoded words: =?charset?B|Q?text?= */
export function decodeWords(s: string): string {
  return s
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, cs: string, enc: string, txt: string) => {
      const bytes = enc.toUpperCase() === 'B' ? Buffer.from(txt, 'base64') : qp(txt.replace(/_/g, ' '));
      return safeDecode(bytes, cs.split('*')[0]!);
    });
}

function qp(s: string): Buffer {
  const clean = s.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(clean.slice(i + 1, i + 3))) {
      out.push(parseInt(clean.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(clean.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

function decodeBody(p: Part): Buffer {
  const cte = (p.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (cte.includes('base64')) return Buffer.from(p.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (cte.includes('quoted-printable')) return qp(p.body.toString('latin1'));
  return p.body;
}

interface Collected {
  plain: string[];
  html: string[];
  attachments: { name: string; part: Part; bodyImage: boolean }[];
}

function walkPart(p: Part, acc: Collected, depth: number): void {
  const ct = p.headers.get('content-type') ?? 'text/plain';
  const type = ct.split(';')[0]!.trim().toLowerCase();
  const disp = p.headers.get('content-disposition') ?? '';
  const filename = param(disp, 'filename') ?? param(ct, 'name');
  if (type.startsWith('multipart/') && depth < MAX_DEPTH) {
    const boundary = param(ct, 'boundary');
    if (!boundary) return;
    const body = p.body.toString('latin1');
    const parts = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
    // parts[0] is the preamble; the last one the epilogue.
    for (const raw of parts.slice(1)) if (raw.trim()) walkPart(splitHeaders(Buffer.from(raw, 'latin1')), acc, depth + 1);
    return;
  }
  if (type === 'message/rfc822' && depth < MAX_DEPTH) return walkPart(splitHeaders(decodeBody(p)), acc, depth + 1);
  if (/attachment/i.test(disp) || (filename && !type.startsWith('text/'))) {
    // Images the HTML body shows inline (logos, signatures) belong to the body: listed, not OCRed.
    const bodyImage = type.startsWith('image/') && (/^\s*inline/i.test(disp) || p.headers.has('content-id'));
    acc.attachments.push({ name: filename ?? type, part: p, bodyImage });
    return;
  }
  if (type === 'text/plain' || type === 'text/html') {
    const cs = param(ct, 'charset');
    const bytes = decodeBody(p);
    const text = cs ? safeDecode(bytes, cs) : decodeBuffer(bytes).text;
    (type === 'text/html' ? acc.html : acc.plain).push(text);
  }
}

/** One message's own text (headers, body, the list of its attachments) and its attachments' bytes. */
export function readMessage(raw: Buffer): { sections: Section[]; subject?: string; files: Attachment[] } {
  const root = splitHeaders(raw);
  const head = ['from', 'to', 'cc', 'subject', 'date']
    .filter((h) => root.headers.has(h))
    .map((h) => `${h[0]!.toUpperCase()}${h.slice(1)}: ${decodeWords(root.headers.get(h)!)}`);
  const acc: Collected = { plain: [], html: [], attachments: [] };
  walkPart(root, acc, 0);
  const subject = root.headers.has('subject') ? decodeWords(root.headers.get('subject')!) : undefined;
  const loc = subject ? { heading: subject } : {};
  const sections: Section[] = [];
  if (head.length) sections.push({ text: head.join('\n'), loc });
  if (acc.plain.some((t) => t.trim())) sections.push(...acc.plain.map((text) => ({ text, loc })));
  else for (const h of acc.html) sections.push(...htmlToSections(h).sections.map((s) => ({ text: s.text, loc: { ...loc, ...s.loc } })));
  if (acc.attachments.length) sections.push({ text: `Attachments: ${acc.attachments.map((a) => a.name).join(', ')}`, loc });
  const files = acc.attachments.filter((a) => !a.bodyImage).map((a) => ({ name: a.name, bytes: decodeBody(a.part) }));
  return { sections, subject, files };
}

register(['eml'], {
  version: '4',
  async extract(ctx) {
    const { sections, files } = readMessage(await readFile(ctx.absPath));
    const own = sections.map((s) => ({ ...s, text: ctx.budget.take(s.text) }));
    return { sections: [...own, ...(await extractAttachments(ctx, files))] };
  },
});
