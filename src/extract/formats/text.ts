// Plain text and Markdown: streamed decoding (bounded by maxChars), paragraph sections with line numbers, md headings.
import { createReadStream, readFileSync } from 'node:fs';
import { register } from '../registry.js';
import { detectEncoding, getDecoder } from '../decode.js';
import { readHead } from '../detect.js';
import type { ExtractContext, Section } from '../types.js';

// Sections group paragraphs up to this size so a book doesn't become 100k tiny sections.
const SECTION_CHARS = 4000;

// Files up to this size are read in one call.
const READ_WHOLE_BYTES = 256 * 1024;

/**
 * Decodes the file chunk by chunk, stopping once the char budget is spent (a 1 GB one-line file is never held whole).
 * Small files are one chunk, read in one call (see readHead on why); larger ones are streamed.
 */
export async function readTextStream(ctx: ExtractContext, declared?: string): Promise<string> {
  const whole = ctx.size <= READ_WHOLE_BYTES ? readFileSync(ctx.absPath) : undefined;
  const det = detectEncoding(whole ? whole.subarray(0, 64 * 1024) : await readHead(ctx.absPath, 64 * 1024), declared);
  const dec = getDecoder(det.encoding);
  const parts: string[] = [];
  const stream = whole ? undefined : createReadStream(ctx.absPath, { start: det.bomLength, highWaterMark: 256 * 1024, signal: ctx.opts.signal });
  try {
    for await (const chunk of stream ?? [whole!.subarray(det.bomLength)]) {
      const s = dec.write(chunk as Buffer);
      if (s) parts.push(ctx.budget.take(s));
      if (ctx.budget.exhausted) break;
    }
  } finally {
    stream?.destroy();
  }
  if (!ctx.budget.exhausted) {
    const tail = dec.end();
    if (tail) parts.push(ctx.budget.take(tail));
  }
  if (det.encoding !== 'utf-8' && det.encoding !== 'ascii') ctx.warnings.push(`encoding: ${det.encoding}`);
  return parts.join('').replace(/^\uFEFF/, '');
}

/** A document part's text (headers, footers, notes, comments): its lines unindented, blank edges gone. */
export function partText(s: string): string {
  return s.replace(/^\s+/gm, '').trim();
}

/** Splits text into paragraph-group sections, each with the 1-based line where it starts. */
export function paragraphSections(text: string, firstLine = 1, heading?: string): Section[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Section[] = [];
  let buf: string[] = [];
  let size = 0;
  let start = firstLine;
  const flush = () => {
    const t = buf.join('\n').trim();
    if (t) out.push({ text: t, loc: heading ? { heading, line: start } : { line: start } });
    buf = [];
    size = 0;
  };
  lines.forEach((l, i) => {
    if (buf.length === 0) {
      if (!l.trim()) return;
      start = firstLine + i;
    }
    // Break at a blank line once the group is big enough.
    if (!l.trim() && size >= SECTION_CHARS) return flush();
    buf.push(l);
    size += l.length + 1;
    if (size >= SECTION_CHARS * 4) flush(); // a huge paragraph without blank lines
  });
  flush();
  return out;
}

/** Markdown: a section per heading (loc.heading), fenced code blocks never start headings. */
export function markdownSections(text: string): Section[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Section[] = [];
  let heading: string | undefined;
  let body: string[] = [];
  let bodyStart = 1;
  let fence: string | undefined;
  const flush = () => {
    out.push(...paragraphSections(body.join('\n'), bodyStart, heading));
    body = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(l);
    if (f) fence = fence ? (l.trim().startsWith(fence) ? undefined : fence) : f[1];
    let h: string | undefined;
    if (!fence && !f) {
      const atx = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
      const next = lines[i + 1];
      if (atx) h = atx[1];
      else if (l.trim() && next !== undefined && /^\s{0,3}(=+|-+)\s*$/.test(next) && !/^\s*[-*+]\s/.test(l) && (body.length === 0 || body.at(-1)?.trim() === '')) h = l.trim();
      if (h !== undefined && !atx) i++; // skip the setext underline
    }
    if (h !== undefined) {
      flush();
      heading = stripInline(h) || heading;
      // The heading line stays in the text so searches for it hit this section.
      body = [heading ?? ''];
      bodyStart = i + 1;
      continue;
    }
    if (body.length === 0) bodyStart = i + 1;
    body.push(l);
  }
  flush();
  return out;
}

function stripInline(s: string): string {
  return s.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_`]+/g, '').trim();
}

register(['txt'], {
  version: '3',
  async extract(ctx) {
    return { sections: paragraphSections(await readTextStream(ctx)) };
  },
});

register(['md'], {
  version: '3',
  async extract(ctx) {
    return { sections: markdownSections(await readTextStream(ctx)) };
  },
});
