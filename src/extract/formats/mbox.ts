// mbox: a mailbox of messages one after another (Thunderbird's folders, Google Takeout's mail, Apple Mail and mutt
// exports), each opened by a "From sender date" line. Each message is read as an EML file is (eml.ts): its headers,
// body and attachments, its sections under its subject and at the line it starts on.
import { readFile } from 'node:fs/promises';
import { register } from '../registry.js';
import { extractAttachments, underAttachment } from '../attachments.js';
import { readMessage } from './eml.js';
import type { Section } from '../types.js';

// A separator line: "From " at a line's start, the sender, then the date (asctime's, ending in the year; some writers
// add a time zone after it).
const SEPARATOR = /^From \S*[ \t].*\d{4}.*$/gm;

/** Each message's bytes and the 1-based line its separator is on. */
export function splitMbox(buf: Buffer): { raw: Buffer; line: number }[] {
  const s = buf.toString('latin1');
  const starts: number[] = [];
  for (const m of s.matchAll(SEPARATOR)) {
    // A separator follows a blank line (or starts the file); a body line "From here on…" does not, or was escaped ">From".
    if (m.index === 0 || /\n\r?\n$/.test(s.slice(Math.max(0, m.index - 3), m.index))) starts.push(m.index);
  }
  if (!starts.length) return [{ raw: buf, line: 1 }];
  const out: { raw: Buffer; line: number }[] = [];
  let line = 1;
  let counted = 0;
  for (const [i, start] of starts.entries()) {
    line += countNewlines(s, counted, start);
    counted = start;
    const bodyFrom = s.indexOf('\n', start) + 1 || s.length;
    const end = starts[i + 1] ?? s.length;
    // mboxrd escapes a body line starting "From " as ">From " (and ">From " as ">>From "): one ">" comes off.
    const text = s.slice(bodyFrom, end).replace(/^>(>*From )/gm, '$1');
    out.push({ raw: Buffer.from(text, 'latin1'), line });
  }
  return out;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

register(['mbox'], {
  version: '1',
  async extract(ctx) {
    const sections: Section[] = [];
    for (const [i, { raw, line }] of splitMbox(await readFile(ctx.absPath)).entries()) {
      ctx.opts.signal?.throwIfAborted();
      const m = readMessage(raw);
      const title = m.subject?.trim() || `Message ${i + 1}`;
      sections.push(...m.sections.map((s) => ({ text: ctx.budget.take(s.text), loc: { ...s.loc, heading: s.loc.heading ?? title, line } })));
      // A message's attachments are found under it: "Minutes › agenda.pdf".
      const attached = await extractAttachments(ctx, m.files);
      sections.push(...underAttachment(title, attached));
    }
    return { sections };
  },
});
