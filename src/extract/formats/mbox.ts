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
// asctime's date opens with the weekday: "From - Mon Jan  1 00:00:00 2024", "From 123@xxx Thu Jan 01 00:00:00 +0000 2015".
const WEEKDAY = /^From \S*[ \t]+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/;
const HEADER = /^[A-Za-z0-9-]+:/;

/**
 * Each message's bytes and the 1-based line its separator is on. A separator line starts a message where it follows a
 * blank line (or opens the file) and either dates itself with a weekday or is followed by a header; or, without the
 * blank line, where it does both. A body's "From 2019 to 2024 we grew." after a blank line is text.
 */
export function splitMbox(buf: Buffer): { raw: Buffer; line: number }[] {
  let s = buf.toString('latin1');
  // A classic Mac mailbox ends its lines with CR alone.
  if (!s.includes('\n') && s.includes('\r')) s = s.replace(/\r/g, '\n');
  const starts: number[] = [];
  for (const m of s.matchAll(SEPARATOR)) {
    const afterBlank = m.index === 0 || /\n\r?\n$/.test(s.slice(Math.max(0, m.index - 3), m.index));
    const next = s.slice(m.index + m[0].length, m.index + m[0].length + 80).replace(/^\r?\n/, '');
    const dated = WEEKDAY.test(m[0]);
    const headed = HEADER.test(next);
    if (afterBlank ? dated || headed : dated && headed) starts.push(m.index);
  }
  if (!starts.length) return [{ raw: Buffer.from(s, 'latin1'), line: 1 }];
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
