// TNEF ("winmail.dat", application/ms-tnef): what Outlook sends outside Exchange in place of a rich-text message's body
// and attachments. Read like an e-mail: the subject as heading, the body (plain, else HTML, else compressed RTF), the
// attachments by their own extractors (tnef-read.ts parses the stream).
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { register } from '../registry.js';
import { htmlToSections } from '../htmltext.js';
import type { Attachment } from '../attachments.js';
import { readMembers } from './archive.js';
import { readTnef, type Tnef } from '../tnef-read.js';
import { decompressRtf } from './msg.js';
import { rtfBody } from './rtf.js';
import { FileError } from '../../errors.js';
import type { Section } from '../types.js';

register(['tnef'], {
  version: '1',
  async extract(ctx) {
    let t: Tnef;
    try {
      t = readTnef(await readFile(ctx.absPath));
    } catch (e) {
      throw new FileError('failed', 'corrupt', `tnef: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (t.truncated) ctx.warnings.push('tnef: the stream ends inside an attribute; read up to it');
    const loc = t.subject?.trim() ? { heading: t.subject.trim() } : {};
    const files: Attachment[] = t.attachments.filter((a) => a.data?.length).map((a, i) => ({ name: a.name?.trim() || `attachment ${i + 1}`, bytes: a.data! }));
    const head = [t.subject ? `Subject: ${t.subject}` : '', files.length ? `Attachments: ${files.map((f) => f.name).join(', ')}` : ''].filter(Boolean);
    const own: Section[] = [...(head.length ? [{ text: head.join('\n'), loc }] : []), ...body(t).map((s) => ({ text: s.text, loc: { ...loc, ...s.loc } }))];
    // Through the archive reader: past its cap of members read, one warning for the rest, not one each.
    return { sections: [...own.map((s) => ({ ...s, text: ctx.budget.take(s.text) })), ...(await readMembers(ctx, files))] };
  },
});

function body(t: Tnef): Section[] {
  if (t.body?.trim()) return [{ text: t.body, loc: {} }];
  if (t.html?.length) {
    const cs = t.codepage && t.codepage !== 65001 ? `cp${t.codepage}` : 'utf-8';
    return htmlToSections(iconv.decode(t.html, iconv.encodingExists(cs) ? cs : 'utf-8')).sections;
  }
  const rtf = t.compressedRtf && decompressRtf(t.compressedRtf);
  if (!rtf) return [];
  const r = rtfBody(rtf);
  return r.html ? htmlToSections(r.text).sections : [{ text: r.text, loc: {} }];
}
